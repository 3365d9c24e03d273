package io.animus.datapilot.experiments;

import io.animus.datapilot.kernel.Json;
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
  /** The columns {@link #map} reads, as every run read selects them. */
  private static final String COLUMNS = """
      run_id, experiment_id, project_id, dataset_version_id, status, started_at,
      COALESCE(ended_at, terminal_at) AS ended_at, git_repo, git_commit, git_ref, params, metrics,
      artifacts_prefix, last_heartbeat_at, last_seen_at, reported_status, progress, created_at""";

  /**
   * A new run with its first state, in one statement, under the experiment {@code run} names;
   * the run's project is the experiment's. Empty when the experiment does not exist or is not in
   * {@code projectFilter} (null: any project).
   */
  public Optional<String> insert(Handle h, Run run, RunStatusChange firstState, Instant terminalAt, String projectFilter) {
    return h.createQuery("""
            WITH exp AS (
              SELECT experiment_id, project_id FROM experiments
              WHERE experiment_id = :experiment_id
                AND (CAST(:project_filter AS text) IS NULL OR project_id = :project_filter)),
            run AS (
              INSERT INTO runs (run_id, name, experiment_id, project_id, dataset_version_id, status, started_at, ended_at,
                                terminal_at, git_repo, git_commit, git_ref, params, metrics, artifacts_prefix,
                                created_at, created_by)
              SELECT :run_id, 'run-' || left(CAST(:run_id AS text), 8), exp.experiment_id, exp.project_id,
                     :dataset_version_id, :status, :started_at, :ended_at,
                     :terminal_at, :git_repo, :git_commit, :git_ref, CAST(:params AS json), CAST(:metrics AS json),
                     :artifacts_prefix, :created_at, :created_by
              FROM exp
              RETURNING run_id, project_id),
            state AS (
              INSERT INTO run_states (state_id, run_id, status, observed_at, details)
              SELECT :state_id, run_id, :status, :observed_at, CAST(:details AS json) FROM run
              RETURNING 1)
            SELECT project_id FROM run
            """)
        .bind("run_id", run.runId())
        .bind("experiment_id", run.experimentId())
        .bind("project_filter", projectFilter)
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
        .mapTo(String.class)
        .findOne();
  }

  public Optional<Run> find(Handle h, UUID runId) {
    return h.createQuery("""
            SELECT <columns> FROM runs WHERE run_id = :run_id
            """)
        .define("columns", COLUMNS)
        .bind("run_id", runId)
        .map((rs, ctx) -> map(rs))
        .findOne();
  }

  /** Where a run files what belongs to it: its experiment, project and artifacts prefix (null: the default). */
  public record Placement(UUID runId, UUID experimentId, String projectId, String artifactsPrefix) {}

  /** The four columns other features file things under, without reading the rest of the row. */
  public Optional<Placement> placement(Handle h, UUID runId) {
    return h.createQuery("SELECT experiment_id, project_id, artifacts_prefix FROM runs WHERE run_id = :run_id")
        .bind("run_id", runId)
        .map((rs, ctx) -> new Placement(runId, rs.getObject("experiment_id", UUID.class), rs.getString("project_id"),
            rs.getString("artifacts_prefix")))
        .findOne();
  }

  /**
   * Moves the run to {@code next} only if its status is one of {@code from} (compare-and-set);
   * false when another writer got there first or the move is not allowed.
   */
  public boolean compareAndSetStatus(Handle h, UUID runId, String next, List<String> from, Instant terminalAt) {
    return h.createUpdate("""
            UPDATE runs SET status = :next, terminal_at = COALESCE(CAST(:terminal_at AS timestamptz), terminal_at)
            WHERE run_id = :run_id AND status = ANY(:from)
            """)
        .bind("run_id", runId)
        .bind("next", next)
        .bindArray("from", String.class, from)
        .bind("terminal_at", Rows.timestamp(terminalAt))
        .execute() == 1;
  }

  public Optional<String> currentStatus(Handle h, UUID runId) {
    return h.createQuery("SELECT status FROM runs WHERE run_id = :run_id")
        .bind("run_id", runId)
        .mapTo(String.class)
        .findOne();
  }

  /** Appends a state; false when the run already has a state of that status. */
  public boolean insertState(Handle h, RunStatusChange state) {
    return h.createUpdate("""
            INSERT INTO run_states (state_id, run_id, status, observed_at, details)
            VALUES (:state_id, :run_id, :status, :observed_at, CAST(:details AS json))
            ON CONFLICT (run_id, status) DO NOTHING
            """)
        .bind("state_id", state.stateId())
        .bind("run_id", state.runId())
        .bind("status", state.status())
        .bind("observed_at", Rows.timestamp(state.observedAt()))
        .bind("details", Json.writeString(state.details()))
        .execute() == 1;
  }

  /** Records a heartbeat; returns the run's status, empty when the run does not exist. */
  public Optional<String> heartbeat(Handle h, UUID runId, Instant now) {
    return h.createQuery("""
            UPDATE runs SET last_heartbeat_at = :now, last_seen_at = greatest(last_seen_at, :now)
            WHERE run_id = :run_id RETURNING status
            """)
        .bind("run_id", runId)
        .bind("now", Rows.timestamp(now))
        .mapTo(String.class)
        .findOne();
  }

  /**
   * Locks the run row for the rest of the transaction and marks it seen; false when the run does
   * not exist. Event ids are taken while the lock is held, so within a run they become visible in
   * increasing order.
   */
  public boolean lockAndMarkSeen(Handle h, UUID runId, Instant now) {
    return h.createUpdate("UPDATE runs SET last_seen_at = greatest(last_seen_at, :now) WHERE run_id = :run_id")
        .bind("run_id", runId)
        .bind("now", Rows.timestamp(now))
        .execute() == 1;
  }

  /**
   * Marks the run seen unless it was seen less than a second before {@code now} (so telemetry does
   * not rewrite the run row each time); true when the row was written.
   */
  public boolean markSeen(Handle h, UUID runId, Instant now) {
    return h.createUpdate("""
            UPDATE runs SET last_seen_at = :now
            WHERE run_id = :run_id AND (last_seen_at IS NULL OR last_seen_at < :now - interval '1 second')
            """)
        .bind("run_id", runId)
        .bind("now", Rows.timestamp(now))
        .execute() == 1;
  }

  /** Stores what the newest events said about the run (status and progress as the SDK logs them). */
  public void updateReported(Handle h, UUID runId, String reportedStatus, String progressJson) {
    h.createUpdate("""
            UPDATE runs SET reported_status = COALESCE(CAST(:status AS text), reported_status),
                            progress = COALESCE(CAST(:progress AS json), progress)
            WHERE run_id = :run_id
            """)
        .bind("run_id", runId)
        .bind("status", reportedStatus)
        .bind("progress", progressJson)
        .execute();
  }

  /** Whether a run is terminal and since when (for run-token checks). */
  public Optional<Standing> standing(Handle h, UUID runId) {
    return h.createQuery("SELECT status, terminal_at FROM runs WHERE run_id = :run_id")
        .bind("run_id", runId)
        .map((rs, ctx) -> new Standing(
            RunStatus.find(rs.getString("status")).map(RunStatus::terminal).orElse(false),
            Rows.instant(rs, "terminal_at")))
        .findOne();
  }

  /** Whether a run has ended and when (null while it has not). */
  public record Standing(boolean terminal, Instant terminalAt) {}

  /** The project of a run, if it exists. */
  public Optional<String> projectOf(Handle h, UUID runId) {
    return h.createQuery("SELECT project_id FROM runs WHERE run_id = :id")
        .bind("id", runId)
        .mapTo(String.class)
        .findOne();
  }

  /** Filters of a run list; null means "no filter". */
  public record RunFilter(UUID experimentId, String projectId, String status, boolean activeOnly) {}

  /** Ordered by start time, then id descending, after the (started_at, run_id) cursor. */
  public List<Run> listByStart(Handle h, RunFilter f, boolean ascending, Instant afterStart, UUID afterId,
                               int limit) {
    return h.createQuery("""
            SELECT <columns>
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
        .define("columns", COLUMNS)
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
   * What a run list can be sorted by besides start time: an SQL expression over the row of
   * {@code runs} (it may use {@code :key}) and its PostgreSQL type. Expressions come from code, never
   * from a request.
   */
  public record SortKey(String expression, String type, List<UUID> runs, double[] values) {
    /** A param's stored JSON value; JSON null counts as missing. */
    public static final SortKey PARAM = new SortKey("NULLIF(params::jsonb -> :key, 'null'::jsonb)", "jsonb",
        List.of(), new double[0]);

    /** Values read elsewhere (a metric's latest values from the points database), by run. */
    public static SortKey given(Map<UUID, Double> byRun) {
      List<UUID> runs = new java.util.ArrayList<>(byRun.size());
      double[] values = new double[byRun.size()];
      for (Map.Entry<UUID, Double> e : byRun.entrySet()) {
        values[runs.size()] = e.getValue();
        runs.add(e.getKey());
      }
      return new SortKey("""
          (SELECT m.v FROM unnest(CAST(:sort_runs AS uuid[]), CAST(:sort_values AS float8[])) AS m(r, v)
           WHERE m.r = runs.run_id)""", "float8", runs, values);
    }

    /** An SQL expression of type float8 over a row of {@code runs}. */
    public static SortKey sql(String expression) {
      return new SortKey(expression, "float8", List.of(), new double[0]);
    }
  }

  /** The ids of every run the filter admits (for sorting by values read elsewhere). */
  public List<UUID> ids(Handle h, RunFilter f) {
    return h.createQuery("""
            SELECT run_id FROM runs
            WHERE (CAST(:experiment_id AS uuid) IS NULL OR experiment_id = :experiment_id)
              AND (CAST(:project_id AS text) IS NULL OR project_id = :project_id)
              AND (CAST(:status AS text) IS NULL OR status = :status)
              AND (NOT :active OR status IN ('pending', 'running'))""")
        .bind("experiment_id", f.experimentId())
        .bind("project_id", f.projectId())
        .bind("status", f.status())
        .bind("active", f.activeOnly())
        .mapTo(UUID.class)
        .list();
  }

  /**
   * Ordered by a param's value or a metric's latest value (runs without it last), then id
   * descending, after the cursor. A null {@code afterValue} with an id means the cursor is among
   * the runs without the key.
   */
  public List<Sorted> listByValue(Handle h, RunFilter f, SortKey sortKey, String key, boolean ascending,
                                  String afterValue, UUID afterId, int limit) {
    return h.createQuery("""
            WITH ranked AS (
              SELECT <columns>, <sort_expr> AS sort_value
              FROM runs
              WHERE (CAST(:experiment_id AS uuid) IS NULL OR experiment_id = :experiment_id)
                AND (CAST(:project_id AS text) IS NULL OR project_id = :project_id)
                AND (CAST(:status AS text) IS NULL OR status = :status)
                AND (NOT :active OR status IN ('pending', 'running')))
            SELECT *, sort_value::text AS sort_text FROM ranked
            WHERE CAST(:after_id AS uuid) IS NULL
               OR (sort_value IS NULL AND CAST(:after_value AS <sort_type>) IS NULL AND run_id < CAST(:after_id AS uuid))
               OR (sort_value IS NULL AND CAST(:after_value AS <sort_type>) IS NOT NULL)
               OR sort_value <cmp> CAST(:after_value AS <sort_type>)
               OR (sort_value = CAST(:after_value AS <sort_type>) AND run_id < CAST(:after_id AS uuid))
            ORDER BY sort_value IS NULL, sort_value <dir>, run_id DESC
            LIMIT :limit
            """)
        .define("cmp", ascending ? ">" : "<")
        .define("dir", ascending ? "ASC" : "DESC")
        .define("columns", COLUMNS)
        .define("sort_expr", sortKey.expression())
        .define("sort_type", sortKey.type())
        .bind("key", key)
        .bind("experiment_id", f.experimentId())
        .bind("project_id", f.projectId())
        .bind("status", f.status())
        .bind("active", f.activeOnly())
        .bind("after_value", afterValue)
        .bind("after_id", afterId)
        .bind("limit", limit)
        .bindArray("sort_runs", UUID.class, sortKey.runs())
        .bind("sort_values", sortValues(sortKey))
        .map((rs, ctx) -> new Sorted(map(rs), rs.getString("sort_text")))
        .list();
  }

  /** The values of a {@link SortKey#given} key in the order of its runs, as float8[] binds. */
  private static org.jdbi.v3.core.argument.Argument sortValues(SortKey key) {
    double[] values = key.values();
    return (position, statement, ctx) -> statement.setObject(position, values);
  }

  /** How many runs have each effective status. */
  public Map<String, Long> countByStatus(Handle h) {
    Map<String, Long> counts = new HashMap<>();
    h.createQuery("SELECT status, count(*) AS n FROM runs GROUP BY status")
        .map((rs, ctx) -> Map.entry(rs.getString("status"), rs.getLong("n")))
        .forEach(e -> counts.put(e.getKey(), e.getValue()));
    return counts;
  }

  public List<RunStatusChange> states(Handle h, UUID runId) {
    return h.createQuery("""
            SELECT state_id, run_id, status, observed_at, details FROM run_states
            WHERE run_id = :run_id ORDER BY observed_at, state_id
            """)
        .bind("run_id", runId)
        .map((rs, ctx) -> new RunStatusChange(rs.getObject("state_id", UUID.class), rs.getObject("run_id", UUID.class),
            rs.getString("status"), Rows.instant(rs, "observed_at"), Json.readObject(rs.getString("details"))))
        .list();
  }

  private static Run map(ResultSet rs) throws SQLException {
    String progress = rs.getString("progress");
    return new Run(rs.getObject("run_id", UUID.class), rs.getObject("experiment_id", UUID.class),
        rs.getString("project_id"), rs.getObject("dataset_version_id", UUID.class), rs.getString("status"),
        Rows.instant(rs, "started_at"), Rows.instant(rs, "ended_at"), rs.getString("git_repo"),
        rs.getString("git_commit"), rs.getString("git_ref"), Json.readObject(rs.getString("params")),
        Json.readObject(rs.getString("metrics")), rs.getString("artifacts_prefix"),
        Rows.instant(rs, "last_heartbeat_at"), Rows.instant(rs, "last_seen_at"), false,
        rs.getString("reported_status"), progress == null ? null : Json.readObject(progress), null,
        Rows.instant(rs, "created_at"));
  }

  // --- archive, delete, purge (§3.6) ---
  public enum Mark { ARCHIVE, RESTORE, DELETE }
  /** Archives, restores or tombstones the live run {@code runId}, or every live run of {@code experimentId}. */
  public List<UUID> mark(Handle h, Mark mark, UUID runId, UUID experimentId, Instant now) {
    String set = switch (mark) {
      case ARCHIVE -> "archived_at = COALESCE(archived_at, CAST(:now AS timestamptz))";
      case RESTORE -> "archived_at = CAST(:now AS timestamptz)";
      case DELETE -> "deleted_at = CAST(:now AS timestamptz)"; };
    return h.createQuery("UPDATE runs SET " + set + " WHERE (run_id = CAST(:run AS uuid) OR experiment_id = "
            + "CAST(:exp AS uuid)) AND deleted_at IS NULL RETURNING run_id").bind("run", runId)
        .bind("exp", experimentId).bind("now", mark == Mark.RESTORE ? null : Rows.timestamp(now))
        .mapTo(UUID.class).list();
  }
  /** Runs of an experiment (all, or the live ones), or live runs archived before {@code archivedBefore}. */
  public List<UUID> removable(Handle h, UUID experimentId, boolean liveOnly, Instant archivedBefore) {
    return h.createQuery("SELECT run_id FROM runs WHERE (experiment_id = CAST(:exp AS uuid) AND (NOT :live OR "
            + "status IN ('pending', 'running'))) OR (deleted_at IS NULL AND archived_at < :before) LIMIT 1000")
        .bind("exp", experimentId).bind("live", liveOnly).bind("before", Rows.timestamp(archivedBefore))
        .mapTo(UUID.class).list();
  }
  /** Up to 10 live runs using one of the versions; with {@code flag}, marks all runs using them instead. */
  public List<UUID> usingVersions(Handle h, java.util.Collection<UUID> versions, boolean flag) {
    return h.createQuery(flag ? "UPDATE runs SET dataset_version_deleted = true WHERE dataset_version_id = ANY(:v) "
            + "RETURNING run_id" : "SELECT run_id FROM runs WHERE dataset_version_id = ANY(:v) AND deleted_at IS NULL "
            + "ORDER BY run_id LIMIT 10").bindArray("v", UUID.class, versions).mapTo(UUID.class).list();
  }
  /** Removes the run's row and its states (run_values go by cascade). */
  public void purge(Handle h, UUID runId) {
    io.animus.datapilot.storage.Purge.allowDeletes(h);
    h.createUpdate("DELETE FROM run_states WHERE run_id = :r").bind("r", runId).execute();
    h.createUpdate("DELETE FROM runs WHERE run_id = :r").bind("r", runId).execute();
  }
  // --- end archive ---
}
