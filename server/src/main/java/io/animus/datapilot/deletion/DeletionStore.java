package io.animus.datapilot.deletion;

import io.animus.datapilot.storage.Rows;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.jdbi.v3.core.Handle;

/** Rows of {@code deletions}; no rules here. */
public final class DeletionStore {
  private static final String COLUMNS = "deletion_id, kind, target_id, project_id, state, requested_at, requested_by, "
      + "done_at";

  public void insert(Handle h, Deletion d) {
    h.createUpdate("""
            INSERT INTO deletions (deletion_id, kind, target_id, project_id, state, requested_at, requested_by)
            VALUES (:id, :kind, :target, :project, 'pending', :at, :by)
            """)
        .bind("id", d.deletionId())
        .bind("kind", d.kind())
        .bind("target", d.targetId())
        .bind("project", d.projectId())
        .bind("at", Rows.timestamp(d.requestedAt()))
        .bind("by", d.requestedBy())
        .execute();
  }

  public Optional<Deletion> find(Handle h, UUID id) {
    return h.createQuery("SELECT " + COLUMNS + " FROM deletions WHERE deletion_id = :id")
        .bind("id", id)
        .map((rs, ctx) -> map(rs))
        .findOne();
  }

  /** The oldest pending deletions. */
  public List<Deletion> pending(Handle h, int limit) {
    return h.createQuery("SELECT " + COLUMNS + " FROM deletions WHERE state = 'pending' ORDER BY requested_at "
            + "LIMIT :limit")
        .bind("limit", limit)
        .map((rs, ctx) -> map(rs))
        .list();
  }

  public void markDone(Handle h, UUID id, Instant now) {
    h.createUpdate("UPDATE deletions SET state = 'done', done_at = :now WHERE deletion_id = :id AND state = 'pending'")
        .bind("id", id)
        .bind("now", Rows.timestamp(now))
        .execute();
  }

  private static Deletion map(java.sql.ResultSet rs) throws java.sql.SQLException {
    return new Deletion(rs.getObject("deletion_id", UUID.class), rs.getString("kind"),
        rs.getObject("target_id", UUID.class), rs.getString("project_id"), rs.getString("state"),
        Rows.instant(rs, "requested_at"), rs.getString("requested_by"), Rows.instant(rs, "done_at"));
  }
}
