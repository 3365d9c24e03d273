package io.animus.sdk;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.Map;

/**
 * A quality evaluation of a dataset version against its quality rule (docs/protocol.md §6.4); with the server's
 * quality gate on, the newest one must be {@code pass} before the version is used.
 *
 * @param evaluationId the evaluation's id
 * @param datasetVersionId the version evaluated
 * @param ruleId the version's quality rule
 * @param status {@code pass}, {@code fail} or {@code error}
 * @param summary the evaluator's summary, empty when none
 * @param evaluatedAt when it was recorded
 * @param evaluatedBy the subject that recorded it
 */
public record QualityEvaluation(String evaluationId, String datasetVersionId, String ruleId, String status,
    Map<String, Object> summary, Instant evaluatedAt, String evaluatedBy) {

  /** Reads an evaluation object; unknown fields are ignored. */
  static QualityEvaluation fromJson(JsonNode n) {
    return new QualityEvaluation(Wire.text(n, "evaluation_id"), Wire.text(n, "dataset_version_id"),
        Wire.text(n, "rule_id"), Wire.text(n, "status"), Wire.object(n, "summary"), Wire.instant(n, "evaluated_at"),
        Wire.text(n, "evaluated_by"));
  }
}
