package io.animus.datapilot.experiments;

import io.animus.datapilot.http.Json;
import io.animus.datapilot.storage.Rows;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.jdbi.v3.core.Handle;

/** Rows of {@code runs} and {@code run_states}; no rules here. */
public final class RunStore {

  /** A new run with its first state, in one statement. */
  public void insert(Handle h, Run run, RunState firstState, Instant terminalAt) {
    h.createUpdate("""
            WITH run AS (
              INSERT INTO runs (run_id, experiment_id, project_id, dataset_version_id, status, started_at, ended_at,
                                terminal_at, git_repo, git_commit, git_ref, params, metrics, artifacts_prefix,
                                created_at, created_by)
              VALUES (:run_id, :experiment_id, :project_id, :dataset_version_id, :status, :started_at, :ended_at,
                      :terminal_at, :git_repo, :git_commit, :git_ref, CAST(:params AS json), CAST(:metrics AS json),
                      :artifacts_prefix, :created_at, :created_by)
              RETURNING run_id)
            INSERT INTO run_states (state_id, run_id, status, observed_at, details)
            SELECT :state_id, run_id, :status, :observed_at, CAST(:details AS json) FROM run
            """)
        .bind("run_id", run.runId())
        .bind("experiment_id", run.experimentId())
        .bind("project_id", run.projectId())
        .bind("dataset_version_id", run.datasetVersionId())
        .bind("status", run.status())
        .bind("started_at", Rows.timestamp(run.startedAt()))
        .bind("ended_at", Rows.timestamp(run.endedAt()))
        .bind("terminal_at", Rows.timestamp(terminalAt))
        .bind("git_repo", run.gitRepo())
        .bind("git_commit", run.gitCommit())
        .bind("git_ref", run.gitRef())
        .bind("params", Json.writeString(run.params()))
        .bind("metrics", Json.writeString(run.metrics()))
        .bind("artifacts_prefix", run.artifactsPrefix())
        .bind("created_at", Rows.timestamp(run.createdAt()))
        .bind("created_by", firstState.details().path("actor").asText())
        .bind("state_id", firstState.stateId())
        .bind("observed_at", Rows.timestamp(firstState.observedAt()))
        .bind("details", Json.writeString(firstState.details()))
        .execute();
  }

  public Optional<Run> find(Handle h, UUID runId) {
    return h.createQuery("""
            SELECT run_id, experiment_id, project_id, dataset_version_id, status, started_at,
                   COALESCE(ended_at, terminal_at) AS ended_at, git_repo, git_commit, git_ref, params, metrics,
                   artifacts_prefix, last_heartbeat_at, created_at
            FROM runs WHERE run_id = :run_id
            """)
        .bind("run_id", runId)
        .map((rs, ctx) -> map(rs))
        .findOne();
  }

  /** The project of a dataset version, if it exists. */
  public Optional<String> datasetVersionProject(Handle h, UUID versionId) {
    return h.createQuery("SELECT project_id FROM dataset_versions WHERE version_id = :id")
        .bind("id", versionId)
        .mapTo(String.class)
        .findOne();
  }

  /** Filters of a run list; null means "no filter". */
  public record RunFilter(UUID experimentId, String projectId, String status, boolean activeOnly) {}

  /** Ordered by start time, then id descending, after the (started_at, run_id) cursor. */
  public List<Run> listByStart(Handle h, RunFilter f, boolean ascending, Instant afterStart, UUID afterId,
                               int limit) {
    return h.createQuery("""
            SELECT run_id, experiment_id, project_id, dataset_version_id, status, started_at,
                   COALESCE(ended_at, terminal_at) AS ended_at, git_repo, git_commit, git_ref, params, metrics,
                   artifacts_prefix, last_heartbeat_at, created_at
            FROM runs
            WHERE (CAST(:experiment_id AS uuid) IS NULL OR experiment_id = :experiment_id)
              AND (CAST(:project_id AS text) IS NULL OR project_id = :project_id)
              AND (CAST(:status AS text) IS NULL OR status = :status)
              AND (NOT :active OR status IN ('pending', 'running'))
              AND (CAST(:after_id AS uuid) IS NULL
                   OR started_at <cmp> CAST(:after_start AS timestamptz)
                   OR (started_at = CAST(:after_start AS timestamptz) AND run_id < CAST(:after_id AS uuid)))
            ORDER BY started_at <dir>, run_id DESC
            LIMIT :limit
            """)
        .define("cmp", ascending ? ">" : "<")
        .define("dir", ascending ? "ASC" : "DESC")
        .bind("experiment_id", f.experimentId())
        .bind("project_id", f.projectId())
        .bind("status", f.status())
        .bind("active", f.activeOnly())
        .bind("after_start", Rows.timestamp(afterStart))
        .bind("after_id", afterId)
        .bind("limit", limit)
        .map((rs, ctx) -> map(rs))
        .list();
  }

  /** A run with the JSON value it is sorted by (null when the run lacks the key). */
  public record Sorted(Run run, String sortValue) {}

  /**
   * Ordered by {@code params -> key} (runs without it last), then id descending, after the cursor.
   * A null {@code afterValue} with an id means the cursor is among the runs without the key.
   */
  public List<Sorted> listByParam(Handle h, RunFilter f, String key, boolean ascending, String afterValue,
                                  UUID afterId, int limit) {
    return h.createQuery("""
            WITH ranked AS (
              SELECT run_id, experiment_id, project_id, dataset_version_id, status, started_at,
                     COALESCE(ended_at, terminal_at) AS ended_at, git_repo, git_commit, git_ref, params, metrics,
                     artifacts_prefix, last_heartbeat_at, created_at, (params::jsonb -> :key) AS sort_value
              FROM runs
              WHERE (CAST(:experiment_id AS uuid) IS NULL OR experiment_id = :experiment_id)
                AND (CAST(:project_id AS text) IS NULL OR project_id = :project_id)
                AND (CAST(:status AS text) IS NULL OR status = :status)
                AND (NOT :active OR status IN ('pending', 'running')))
            SELECT *, sort_value::text AS sort_text FROM ranked
            WHERE CAST(:after_id AS uuid) IS NULL
               OR (sort_value IS NULL AND CAST(:after_value AS jsonb) IS NULL AND run_id < CAST(:after_id AS uuid))
               OR (sort_value IS NULL AND CAST(:after_value AS jsonb) IS NOT NULL)
               OR sort_value <cmp> CAST(:after_value AS jsonb)
               OR (sort_value = CAST(:after_value AS jsonb) AND run_id < CAST(:after_id AS uuid))
            ORDER BY sort_value IS NULL, sort_value <dir>, run_id DESC
            LIMIT :limit
            """)
        .define("cmp", ascending ? ">" : "<")
        .define("dir", ascending ? "ASC" : "DESC")
        .bind("key", key)
        .bind("experiment_id", f.experimentId())
        .bind("project_id", f.projectId())
        .bind("status", f.status())
        .bind("active", f.activeOnly())
        .bind("after_value", afterValue)
        .bind("after_id", afterId)
        .bind("limit", limit)
        .map((rs, ctx) -> new Sorted(map(rs), rs.getString("sort_text")))
        .list();
  }

  /** How many runs have each effective status. */
  public Map<String, Long> countByStatus(Handle h) {
    Map<String, Long> counts = new HashMap<>();
    h.createQuery("SELECT status, count(*) AS n FROM runs GROUP BY status")
        .map((rs, ctx) -> Map.entry(rs.getString("status"), rs.getLong("n")))
        .forEach(e -> counts.put(e.getKey(), e.getValue()));
    return counts;
  }

  public List<RunState> states(Handle h, UUID runId) {
    return h.createQuery("""
            SELECT state_id, run_id, status, observed_at, details FROM run_states
            WHERE run_id = :run_id ORDER BY observed_at, state_id
            """)
        .bind("run_id", runId)
        .map((rs, ctx) -> new RunState(rs.getObject("state_id", UUID.class), rs.getObject("run_id", UUID.class),
            rs.getString("status"), Rows.instant(rs, "observed_at"), Json.readObject(rs.getString("details"))))
        .list();
  }

  private static Run map(ResultSet rs) throws SQLException {
    Instant heartbeat = Rows.instant(rs, "last_heartbeat_at");
    return new Run(rs.getObject("run_id", UUID.class), rs.getObject("experiment_id", UUID.class),
        rs.getString("project_id"), rs.getObject("dataset_version_id", UUID.class), rs.getString("status"),
        Rows.instant(rs, "started_at"), Rows.instant(rs, "ended_at"), rs.getString("git_repo"),
        rs.getString("git_commit"), rs.getString("git_ref"), Json.readObject(rs.getString("params")),
        Json.readObject(rs.getString("metrics")), rs.getString("artifacts_prefix"), heartbeat, heartbeat, false,
        Rows.instant(rs, "created_at"));
  }
}
