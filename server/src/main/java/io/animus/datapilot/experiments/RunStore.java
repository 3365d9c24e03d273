package io.animus.datapilot.experiments;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.animus.datapilot.kernel.Json;
import io.animus.datapilot.storage.Rows;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.jdbi.v3.core.Handle;

/**
 * The writer of {@code runs}, {@code run_states} and {@code run_values}; reads of one run. Lists and
 * searches are {@link RunSearchStore}'s. No rules here.
 */
public final class RunStore {
  /**
   * The rows of run_values for the params, summary metrics and tags of run {@code :run_id}, read from
   * {@code :params}, {@code :metrics} and {@code :tags} (JSON objects; a null one adds nothing), the way
   * migration V006 derives them.
   */
  private static final String VALUES_OF = """
      SELECT CAST(:run_id AS uuid), CAST(k.kind AS "char"), e.key,
             CAST(CASE json_typeof(e.value) WHEN 'number' THEN 'n' WHEN 'string' THEN 's' WHEN 'boolean' THEN 'b'
                  ELSE 'o' END AS "char"),
             CASE json_typeof(e.value) WHEN 'number' THEN datapilot_number(e.value::text)
                                       WHEN 'string' THEN datapilot_number(e.value #>> '{}') END,
             CASE json_typeof(e.value) WHEN 'string' THEN e.value #>> '{}' ELSE e.value::text END
      FROM (VALUES ('p', CAST(:params AS json)), ('m', CAST(:metrics AS json)), ('t', CAST(:tags AS json)))
             AS k(kind, obj),
           json_each(k.obj) AS e
      WHERE k.obj IS NOT NULL AND json_typeof(e.value) <> 'null'""";

  /**
   * A new run with its first state and its run_values, in one statement, under the experiment
   * {@code run} names; the run's project is the experiment's. Empty when the experiment does not
   * exist or is not in {@code projectFilter} (null: any project), or when another run of the
   * experiment has the name ({@link #nameHolder} tells which).
   */
  public Optional<String> insert(Handle h, Run run, RunStatusChange firstState, Instant terminalAt, String projectFilter) {
    return h.createQuery("""
            WITH exp AS (
              SELECT experiment_id, project_id FROM experiments
              WHERE experiment_id = :experiment_id AND deleted_at IS NULL
                AND (CAST(:project_filter AS text) IS NULL OR project_id = :project_filter)),
            run AS (
              INSERT INTO runs (run_id, name, experiment_id, project_id, dataset_version_id, status, started_at,
                                ended_at, terminal_at, git_repo, git_commit, git_ref, params, metrics, tags, notes,
                                artifacts_prefix, created_at, created_by)
              SELECT :run_id, :name, exp.experiment_id, exp.project_id, :dataset_version_id, :status, :started_at,
                     :ended_at, :terminal_at, :git_repo, :git_commit, :git_ref, CAST(:params AS json),
                     CAST(:metrics AS json), CAST(:tags AS json), :notes, :artifacts_prefix, :created_at, :created_by
              FROM exp
              ON CONFLICT (experiment_id, name) WHERE deleted_at IS NULL DO NOTHING
              RETURNING run_id, project_id),
            state AS (
              INSERT INTO run_states (state_id, run_id, status, observed_at, details)
              SELECT :state_id, run_id, :status, :observed_at, CAST(:details AS json) FROM run
              RETURNING 1),
            vals AS (
              INSERT INTO run_values (run_id, kind, key, type, num, txt)
              <values_of> AND EXISTS (SELECT 1 FROM run)
              ON CONFLICT DO NOTHING
              RETURNING 1)
            SELECT project_id FROM run
            """)
        .define("values_of", VALUES_OF)
        .bind("run_id", run.runId())
        .bind("name", run.name())
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
        .bind("tags", Json.writeString(run.tags()))
        .bind("notes", run.notes() == null ? "" : run.notes())
        .bind("artifacts_prefix", run.artifactsPrefix())
        .bind("created_at", Rows.timestamp(run.createdAt()))
        .bind("created_by", firstState.details().path("actor").asText())
        .bind("state_id", firstState.stateId())
        .bind("observed_at", Rows.timestamp(firstState.observedAt()))
        .bind("details", Json.writeString(firstState.details()))
        .mapTo(String.class)
        .findOne();
  }

  /** The run (not deleted) of the experiment that has the name. */
  public Optional<UUID> nameHolder(Handle h, UUID experimentId, String name) {
    return h.createQuery("""
            SELECT run_id FROM runs WHERE experiment_id = :experiment_id AND name = :name AND deleted_at IS NULL
            """)
        .bind("experiment_id", experimentId)
        .bind("name", name)
        .mapTo(UUID.class)
        .findOne();
  }

  /** The run, locked for the rest of the transaction; empty when it does not exist or is deleted. */
  public Optional<Run> lock(Handle h, UUID runId) {
    return h.createQuery("SELECT <columns> FROM runs r WHERE run_id = :run_id AND deleted_at IS NULL FOR UPDATE")
        .define("columns", RunRows.COLUMNS)
        .bind("run_id", runId)
        .map((rs, ctx) -> RunRows.map(rs))
        .findOne();
  }

  /** What people change on a run (docs/protocol.md §3.4): its name, notes, tags and summary metrics. */
  public record Curation(String name, String notes, ObjectNode tags, ObjectNode metrics) {}

  /** Stores a locked run's new curation and rewrites its run_values of tags and summary metrics. */
  public void updateCuration(Handle h, UUID runId, Curation c) {
    h.createUpdate("UPDATE runs SET name = :name, notes = :notes, tags = CAST(:tags AS json), "
            + "metrics = CAST(:metrics AS json) WHERE run_id = :run_id")
        .bind("run_id", runId)
        .bind("name", c.name())
        .bind("notes", c.notes() == null ? "" : c.notes())
        .bind("tags", Json.writeString(c.tags()))
        .bind("metrics", Json.writeString(c.metrics()))
        .execute();
    replaceValues(h, runId, null, c.metrics(), c.tags());
  }

  /** Stores a locked run's params (the old ones and those added) and rewrites their run_values. */
  public void updateParams(Handle h, UUID runId, ObjectNode params) {
    h.createUpdate("UPDATE runs SET params = CAST(:params AS json) WHERE run_id = :run_id")
        .bind("run_id", runId)
        .bind("params", Json.writeString(params))
        .execute();
    replaceValues(h, runId, params, null, null);
  }

  /** Replaces the run_values of each kind given (a null object leaves that kind alone). */
  private void replaceValues(Handle h, UUID runId, ObjectNode params, ObjectNode metrics, ObjectNode tags) {
    List<String> kinds = new java.util.ArrayList<>();
    if (params != null) {
      kinds.add("p");
    }
    if (metrics != null) {
      kinds.add("m");
    }
    if (tags != null) {
      kinds.add("t");
    }
    h.createUpdate("DELETE FROM run_values WHERE run_id = :run_id AND kind::text = ANY(:kinds)")
        .bind("run_id", runId)
        .bindArray("kinds", String.class, kinds)
        .execute();
    h.createUpdate("INSERT INTO run_values (run_id, kind, key, type, num, txt) <values_of> ON CONFLICT DO NOTHING")
        .define("values_of", VALUES_OF)
        .bind("run_id", runId)
        .bind("params", params == null ? null : Json.writeString(params))
        .bind("metrics", metrics == null ? null : Json.writeString(metrics))
        .bind("tags", tags == null ? null : Json.writeString(tags))
        .execute();
  }

  public Optional<Run> find(Handle h, UUID runId) {
    return h.createQuery("""
            SELECT <columns> FROM runs r WHERE run_id = :run_id AND deleted_at IS NULL
            """)
        .define("columns", RunRows.COLUMNS)
        .bind("run_id", runId)
        .map((rs, ctx) -> RunRows.map(rs))
        .findOne();
  }

  /** Where a run files what belongs to it: its experiment, project and artifacts prefix (null: the default). */
  public record Placement(UUID runId, UUID experimentId, String projectId, String artifactsPrefix) {}

  /** The four columns other features file things under, without reading the rest of the row. */
  public Optional<Placement> placement(Handle h, UUID runId) {
    return h.createQuery("SELECT experiment_id, project_id, artifacts_prefix FROM runs WHERE run_id = :run_id AND deleted_at IS NULL")
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
            WHERE run_id = :run_id AND status = ANY(:from) AND deleted_at IS NULL
            """)
        .bind("run_id", runId)
        .bind("next", next)
        .bindArray("from", String.class, from)
        .bind("terminal_at", Rows.timestamp(terminalAt))
        .execute() == 1;
  }

  public Optional<String> currentStatus(Handle h, UUID runId) {
    return h.createQuery("SELECT status FROM runs WHERE run_id = :run_id AND deleted_at IS NULL")
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
            WHERE run_id = :run_id AND deleted_at IS NULL RETURNING status
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
    return h.createUpdate("UPDATE runs SET last_seen_at = greatest(last_seen_at, :now) WHERE run_id = :run_id AND deleted_at IS NULL")
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
            WHERE run_id = :run_id AND deleted_at IS NULL AND (last_seen_at IS NULL OR last_seen_at < :now - interval '1 second')
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
            WHERE run_id = :run_id AND deleted_at IS NULL
            """)
        .bind("run_id", runId)
        .bind("status", reportedStatus)
        .bind("progress", progressJson)
        .execute();
  }

  /** Whether a run is terminal and since when (for run-token checks). */
  public Optional<Standing> standing(Handle h, UUID runId) {
    return h.createQuery("SELECT status, terminal_at FROM runs WHERE run_id = :run_id AND deleted_at IS NULL")
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
    return h.createQuery("SELECT project_id FROM runs WHERE run_id = :id AND deleted_at IS NULL")
        .bind("id", runId)
        .mapTo(String.class)
        .findOne();
  }

  /** How many runs have each effective status. */
  public Map<String, Long> countByStatus(Handle h) {
    Map<String, Long> counts = new HashMap<>();
    h.createQuery("SELECT status, count(*) AS n FROM runs WHERE deleted_at IS NULL GROUP BY status")
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
