package io.animus.datapilot.execution;

import com.fasterxml.jackson.core.type.TypeReference;
import io.animus.datapilot.config.ExecutorKind;
import io.animus.datapilot.kernel.Json;
import io.animus.datapilot.storage.Rows;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.jdbi.v3.core.Handle;

/** Rows of {@code executions}; no rules here. */
public final class ExecutionStore {
  private static final String COLUMNS = """
      execution_id, run_id, executor, image_ref, image_digest, command, resources, env_names, process_id,
      job_name, instance_id, datapilot_url, token_sha256, submitted_at, ended_at, exit_code, end_reason,
      log_captured_at, created_at, created_by
      """;

  public void insert(Handle h, Execution e) {
    h.createUpdate("""
            INSERT INTO executions (execution_id, run_id, executor, image_ref, image_digest, command, resources,
                                    env_names, datapilot_url, token_sha256, created_at, created_by)
            VALUES (:execution_id, :run_id, :executor, :image_ref, :image_digest, CAST(:command AS json),
                    CAST(:resources AS json), CAST(:env_names AS json), :datapilot_url, :token_sha256,
                    :created_at, :created_by)
            """)
        .bind("execution_id", e.executionId())
        .bind("run_id", e.runId())
        .bind("executor", e.executor().wire())
        .bind("image_ref", e.imageRef())
        .bind("image_digest", e.imageDigest())
        .bind("command", e.command() == null ? null : Json.writeString(e.command()))
        .bind("resources", Json.writeString(e.resources()))
        .bind("env_names", Json.writeString(e.envNames()))
        .bind("datapilot_url", e.datapilotUrl())
        .bind("token_sha256", e.tokenSha256())
        .bind("created_at", Rows.timestamp(e.createdAt()))
        .bind("created_by", e.createdBy())
        .execute();
  }

  public Optional<Execution> findByRun(Handle h, UUID runId) {
    return h.createQuery("SELECT " + COLUMNS + " FROM executions WHERE run_id = :run_id")
        .bind("run_id", runId)
        .map((rs, ctx) -> map(rs))
        .findOne();
  }

  /** Executions whose job has not ended, or whose log has not been kept yet; oldest first. */
  /** The image digest of every run executed from a pinned image (run search, docs/protocol.md §3.5). */
  public java.util.Map<UUID, String> imageDigests(Handle h) {
    java.util.Map<UUID, String> out = new java.util.HashMap<>();
    h.createQuery("SELECT run_id, image_digest FROM executions WHERE image_digest IS NOT NULL")
        .map((rs, ctx) -> java.util.Map.entry(rs.getObject(1, UUID.class), rs.getString(2)))
        .forEach(e -> out.put(e.getKey(), e.getValue()));
    return out;
  }

  public List<Execution> listUnfinished(Handle h) {
    return h.createQuery("SELECT " + COLUMNS
            + " FROM executions WHERE ended_at IS NULL OR log_captured_at IS NULL ORDER BY created_at")
        .map((rs, ctx) -> map(rs))
        .list();
  }

  public void markSubmitted(Handle h, UUID executionId, Long processId, String jobName, String instanceId,
                            Instant at) {
    h.createUpdate("""
            UPDATE executions SET process_id = :process_id, job_name = :job_name, instance_id = :instance_id,
                                  submitted_at = :at
            WHERE execution_id = :id
            """)
        .bind("id", executionId)
        .bind("process_id", processId)
        .bind("job_name", jobName)
        .bind("instance_id", instanceId)
        .bind("at", Rows.timestamp(at))
        .execute();
  }

  /** Records the end once; false when it was already recorded. */
  public boolean markEnded(Handle h, UUID executionId, Instant at, Integer exitCode, String reason) {
    return h.createUpdate("""
            UPDATE executions SET ended_at = :at, exit_code = :exit_code, end_reason = :reason
            WHERE execution_id = :id AND ended_at IS NULL
            """)
        .bind("id", executionId)
        .bind("at", Rows.timestamp(at))
        .bind("exit_code", exitCode)
        .bind("reason", reason)
        .execute() == 1;
  }

  public void markLogCaptured(Handle h, UUID executionId, Instant at) {
    h.createUpdate("UPDATE executions SET log_captured_at = :at WHERE execution_id = :id")
        .bind("id", executionId)
        .bind("at", Rows.timestamp(at))
        .execute();
  }

  private static Execution map(ResultSet rs) throws SQLException {
    String command = rs.getString("command");
    long pid = rs.getLong("process_id");
    Long processId = rs.wasNull() ? null : pid;
    int exit = rs.getInt("exit_code");
    Integer exitCode = rs.wasNull() ? null : exit;
    String kind = rs.getString("executor");
    ExecutorKind executor = ExecutorKind.parse(kind).orElseThrow(() -> new SQLException("unknown executor " + kind));
    try {
      return new Execution(rs.getObject("execution_id", UUID.class), rs.getObject("run_id", UUID.class),
          executor, rs.getString("image_ref"), rs.getString("image_digest"),
          command == null ? null : Json.mapper().readValue(command, new TypeReference<List<String>>() {}),
          Json.readObject(rs.getString("resources")),
          Json.mapper().readValue(rs.getString("env_names"), new TypeReference<List<String>>() {}),
          processId, rs.getString("job_name"), rs.getString("instance_id"), rs.getString("datapilot_url"),
          rs.getString("token_sha256"), Rows.instant(rs, "submitted_at"), Rows.instant(rs, "ended_at"), exitCode,
          rs.getString("end_reason"), Rows.instant(rs, "log_captured_at"), Rows.instant(rs, "created_at"),
          rs.getString("created_by"));
    } catch (java.io.IOException e) {
      throw new SQLException("unreadable execution row", e);
    }
  }

  /** Removes a deleted run's execution record (docs/protocol.md §3.6). */
  public void purgeRun(Handle h, UUID runId) {
    h.createUpdate("DELETE FROM executions WHERE run_id = :run_id").bind("run_id", runId).execute();
  }
}
