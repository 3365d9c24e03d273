package io.animus.datapilot.experiments;

import io.animus.datapilot.kernel.Json;
import io.animus.datapilot.storage.Rows;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.UUID;

/** How a row of {@code runs} is selected and read into a {@link Run}, for every run read. */
final class RunRows {
  /** The columns {@link #map} reads, over {@code runs} aliased {@code r}. */
  static final String COLUMNS = """
      r.run_id, r.name, r.experiment_id, r.project_id, r.dataset_version_id, r.dataset_version_deleted, r.status,
      r.started_at, COALESCE(r.ended_at, r.terminal_at) AS ended_at, r.git_repo, r.git_commit, r.git_ref, r.params,
      r.metrics, r.tags, r.notes, r.artifacts_prefix, r.last_heartbeat_at, r.last_seen_at, r.reported_status,
      r.progress, r.archived_at, r.created_at""";

  private RunRows() {}

  static Run map(ResultSet rs) throws SQLException {
    String progress = rs.getString("progress");
    String notes = rs.getString("notes");
    return new Run(rs.getObject("run_id", UUID.class), rs.getString("name"), rs.getObject("experiment_id", UUID.class),
        rs.getString("project_id"), rs.getObject("dataset_version_id", UUID.class),
        rs.getBoolean("dataset_version_deleted") ? Boolean.TRUE : null, rs.getString("status"),
        Rows.instant(rs, "started_at"), Rows.instant(rs, "ended_at"), rs.getString("git_repo"),
        rs.getString("git_commit"), rs.getString("git_ref"), Json.readObject(rs.getString("params")),
        Json.readObject(rs.getString("metrics")), Json.readObject(rs.getString("tags")),
        notes == null || notes.isEmpty() ? null : notes, rs.getString("artifacts_prefix"),
        Rows.instant(rs, "last_heartbeat_at"), Rows.instant(rs, "last_seen_at"), false,
        rs.getString("reported_status"), progress == null ? null : Json.readObject(progress), null,
        Rows.instant(rs, "archived_at"), Rows.instant(rs, "created_at"));
  }
}
