package io.animus.sdk;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;

/**
 * A project that holds at least one experiment or dataset (docs/protocol.md §1.6, §3.3).
 *
 * @param projectId the project id
 * @param experimentCount its number of experiments
 * @param datasetCount its number of datasets
 * @param lastActivityAt its newest activity, or null
 */
public record Project(String projectId, long experimentCount, long datasetCount, Instant lastActivityAt) {

  /** Reads a project object. */
  static Project fromJson(JsonNode n) {
    return new Project(Wire.text(n, "project_id"), Wire.longValue(n, "experiment_count"),
        Wire.longValue(n, "dataset_count"), Wire.instant(n, "last_activity_at"));
  }
}
