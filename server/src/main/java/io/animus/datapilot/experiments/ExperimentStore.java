package io.animus.datapilot.experiments;

import io.animus.datapilot.common.ProjectTally;
import io.animus.datapilot.kernel.Json;
import io.animus.datapilot.storage.Rows;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.jdbi.v3.core.Handle;

/** Rows of {@code experiments}; no rules here. */
public final class ExperimentStore {
  /** Inserts unless the name is taken in the project; empty means a name conflict. */
  public Optional<Experiment> insert(Handle h, Experiment e) {
    return h.createQuery("""
            INSERT INTO experiments (experiment_id, project_id, name, description, metadata, created_at, created_by)
            VALUES (:id, :project, :name, :description, CAST(:metadata AS json), :created_at, :created_by)
            ON CONFLICT (project_id, name) WHERE deleted_at IS NULL DO NOTHING
            RETURNING experiment_id, project_id, name, description, metadata, created_at, created_by, archived_at
            """)
        .bind("id", e.experimentId())
        .bind("project", e.projectId())
        .bind("name", e.name())
        .bind("description", e.description() == null ? "" : e.description())
        .bind("metadata", Json.writeString(e.metadata()))
        .bind("created_at", Rows.timestamp(e.createdAt()))
        .bind("created_by", e.createdBy())
        .map((rs, ctx) -> map(rs))
        .findOne();
  }

  public Optional<Experiment> find(Handle h, UUID id) {
    return h.createQuery("""
            SELECT experiment_id, project_id, name, description, metadata, created_at, created_by, archived_at
            FROM experiments WHERE experiment_id = :id AND deleted_at IS NULL
            """)
        .bind("id", id)
        .map((rs, ctx) -> map(rs))
        .findOne();
  }

  public Optional<Experiment> findByName(Handle h, String project, String name) {
    return h.createQuery("""
            SELECT experiment_id, project_id, name, description, metadata, created_at, created_by, archived_at
            FROM experiments WHERE project_id = :project AND name = :name AND deleted_at IS NULL
            """)
        .bind("project", project)
        .bind("name", name)
        .map((rs, ctx) -> map(rs))
        .findOne();
  }

  /** Newest first, after the cursor (created_at, id) when given; fetches {@code limit} rows. */
  public List<Experiment> list(Handle h, String project, String name, String q, boolean includeArchived,
                               Instant afterCreated, UUID afterId, int limit) {
    return h.createQuery("""
            SELECT experiment_id, project_id, name, description, metadata, created_at, created_by, archived_at
            FROM experiments
            WHERE project_id = :project AND deleted_at IS NULL AND (:include_archived OR archived_at IS NULL)
              AND (CAST(:name AS text) IS NULL OR name = :name)
              AND (CAST(:q AS text) IS NULL OR strpos(lower(name), lower(:q)) > 0)
              AND (CAST(:after_id AS uuid) IS NULL
                   OR (created_at, experiment_id) < (CAST(:after_created AS timestamptz), CAST(:after_id AS uuid)))
            ORDER BY created_at DESC, experiment_id DESC
            LIMIT :limit
            """)
        .bind("project", project)
        .bind("name", name)
        .bind("q", q)
        .bind("include_archived", includeArchived)
        .bind("after_created", Rows.timestamp(afterCreated))
        .bind("after_id", afterId)
        .bind("limit", limit)
        .map((rs, ctx) -> map(rs))
        .list();
  }

  /** Run count and newest run start of each experiment of a page, in one query. */
  public Map<UUID, RunSummary> runSummaries(Handle h, Collection<UUID> ids) {
    Map<UUID, RunSummary> out = new HashMap<>();
    if (ids.isEmpty()) {
      return out;
    }
    h.createQuery("""
            SELECT experiment_id, count(*) AS run_count, max(started_at) AS last_run_at
            FROM runs WHERE experiment_id = ANY(:ids) AND deleted_at IS NULL GROUP BY experiment_id
            """)
        .bindArray("ids", UUID.class, ids)
        .map((rs, ctx) -> new RunSummary(rs.getObject("experiment_id", UUID.class), rs.getLong("run_count"),
            Rows.instant(rs, "last_run_at")))
        .forEach(s -> out.put(s.experimentId(), s));
    return out;
  }

  /**
   * Per project: its experiment count and the newest experiment or run creation (runs of a project with
   * no experiment count 0), for the project listing.
   */
  public List<ProjectTally> tallyPerProject(Handle h) {
    return h.createQuery("""
            SELECT project_id, sum(experiments) AS experiment_count, max(last_at) AS last_activity_at
            FROM (SELECT project_id, count(*) AS experiments, max(created_at) AS last_at
                  FROM experiments WHERE deleted_at IS NULL GROUP BY project_id
                  UNION ALL
                  SELECT project_id, 0, max(created_at) FROM runs WHERE deleted_at IS NULL GROUP BY project_id) AS activity
            GROUP BY project_id
            """)
        .map((rs, ctx) -> new ProjectTally(rs.getString("project_id"), rs.getLong("experiment_count"),
            Rows.instant(rs, "last_activity_at")))
        .list();
  }

  /** Sets (keeping an earlier one) or clears archived_at of a live experiment; false when there is none. */
  public boolean setArchived(Handle h, UUID id, Instant archivedAt) {
    return h.createUpdate("""
            UPDATE experiments SET archived_at = CASE WHEN CAST(:at AS timestamptz) IS NULL THEN NULL
                                                      ELSE COALESCE(archived_at, CAST(:at AS timestamptz)) END
            WHERE experiment_id = :id AND deleted_at IS NULL
            """)
        .bind("id", id)
        .bind("at", Rows.timestamp(archivedAt))
        .execute() == 1;
  }

  /** Tombstones a live experiment (its name is free from now on); false when there is none. */
  public boolean markDeleted(Handle h, UUID id, Instant now) {
    return h.createUpdate("UPDATE experiments SET deleted_at = :now WHERE experiment_id = :id AND deleted_at IS NULL")
        .bind("id", id)
        .bind("now", Rows.timestamp(now))
        .execute() == 1;
  }

  /** Live experiments archived before the cutoff (for retention), at most 100. */
  public List<UUID> archivedBefore(Handle h, Instant cutoff) {
    return h.createQuery("""
            SELECT experiment_id FROM experiments WHERE deleted_at IS NULL AND archived_at < :cutoff LIMIT 100
            """)
        .bind("cutoff", Rows.timestamp(cutoff))
        .mapTo(UUID.class)
        .list();
  }

  /** Removes a tombstoned experiment's row (after its runs are gone). */
  public void purge(Handle h, UUID id) {
    h.createUpdate("DELETE FROM experiments WHERE experiment_id = :id AND deleted_at IS NOT NULL")
        .bind("id", id)
        .execute();
  }

  public record RunSummary(UUID experimentId, long runCount, Instant lastRunAt) {}

  private static Experiment map(ResultSet rs) throws SQLException {
    return new Experiment(rs.getObject("experiment_id", UUID.class), rs.getString("project_id"),
        rs.getString("name"), rs.getString("description"), Json.readObject(rs.getString("metadata")),
        Rows.instant(rs, "created_at"), rs.getString("created_by"), null, null, Rows.instant(rs, "archived_at"));
  }
}
