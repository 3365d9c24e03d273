package io.animus.datapilot.datasets;

import io.animus.datapilot.kernel.Json;
import io.animus.datapilot.storage.Rows;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.jdbi.v3.core.Handle;

/** Rows of {@code dataset_quality_evaluations}; no rules here. */
public final class QualityStore {
  public void insert(Handle h, QualityEvaluation e) {
    h.createUpdate("""
            INSERT INTO dataset_quality_evaluations (evaluation_id, dataset_version_id, rule_id, status, summary,
                                                     evaluated_at, evaluated_by)
            VALUES (:id, :version_id, :rule_id, :status, CAST(:summary AS json), :evaluated_at, :evaluated_by)
            """)
        .bind("id", e.evaluationId())
        .bind("version_id", e.datasetVersionId())
        .bind("rule_id", e.ruleId())
        .bind("status", e.status())
        .bind("summary", Json.writeString(e.summary()))
        .bind("evaluated_at", Rows.timestamp(e.evaluatedAt()))
        .bind("evaluated_by", e.evaluatedBy())
        .execute();
  }

  /** The newest evaluation of a version against one rule. */
  public Optional<QualityEvaluation> newest(Handle h, UUID versionId, String ruleId) {
    return h.createQuery("""
            SELECT evaluation_id, dataset_version_id, rule_id, status, summary, evaluated_at, evaluated_by
            FROM dataset_quality_evaluations
            WHERE dataset_version_id = :version_id AND rule_id = :rule_id
            ORDER BY evaluated_at DESC, evaluation_id DESC
            LIMIT 1
            """)
        .bind("version_id", versionId)
        .bind("rule_id", ruleId)
        .map((rs, ctx) -> map(rs))
        .findOne();
  }

  public List<QualityEvaluation> list(Handle h, UUID versionId, Instant afterEvaluated, UUID afterId, int limit) {
    return h.createQuery("""
            SELECT evaluation_id, dataset_version_id, rule_id, status, summary, evaluated_at, evaluated_by
            FROM dataset_quality_evaluations
            WHERE dataset_version_id = :version_id
              AND (CAST(:after_id AS uuid) IS NULL
                   OR (evaluated_at, evaluation_id)
                      < (CAST(:after_evaluated AS timestamptz), CAST(:after_id AS uuid)))
            ORDER BY evaluated_at DESC, evaluation_id DESC
            LIMIT :limit
            """)
        .bind("version_id", versionId)
        .bind("after_evaluated", Rows.timestamp(afterEvaluated))
        .bind("after_id", afterId)
        .bind("limit", limit)
        .map((rs, ctx) -> map(rs))
        .list();
  }

  private static QualityEvaluation map(ResultSet rs) throws SQLException {
    return new QualityEvaluation(rs.getObject("evaluation_id", UUID.class),
        rs.getObject("dataset_version_id", UUID.class), rs.getString("rule_id"), rs.getString("status"),
        Json.readObject(rs.getString("summary")), Rows.instant(rs, "evaluated_at"), rs.getString("evaluated_by"));
  }

  /** Removes a version's evaluations, inside a purge (docs/protocol.md §3.6). */
  public void purgeVersion(Handle h, UUID versionId) {
    io.animus.datapilot.storage.Purge.allowDeletes(h);
    h.createUpdate("DELETE FROM dataset_quality_evaluations WHERE dataset_version_id = :id")
        .bind("id", versionId)
        .execute();
  }
}
