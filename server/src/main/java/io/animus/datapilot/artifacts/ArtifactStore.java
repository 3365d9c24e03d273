package io.animus.datapilot.artifacts;

import io.animus.datapilot.kernel.Json;
import io.animus.datapilot.storage.Rows;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.jdbi.v3.core.Handle;

/** Rows of {@code artifacts} (the only writer of that table); no rules here. */
public final class ArtifactStore {
  public void insert(Handle h, Artifact a) {
    h.createUpdate("""
            INSERT INTO artifacts (artifact_id, run_id, kind, name, filename, content_type, object_key, sha256,
                                   size_bytes, metadata, created_at, created_by)
            VALUES (:id, :run_id, :kind, :name, :filename, :content_type, :object_key, :sha256, :size_bytes,
                    CAST(:metadata AS json), :created_at, :created_by)
            """)
        .bind("id", a.artifactId())
        .bind("run_id", a.runId())
        .bind("kind", a.kind())
        .bind("name", a.name())
        .bind("filename", a.filename())
        .bind("content_type", a.contentType())
        .bind("object_key", a.objectKey())
        .bind("sha256", a.sha256())
        .bind("size_bytes", a.sizeBytes())
        .bind("metadata", Json.writeString(a.metadata()))
        .bind("created_at", Rows.timestamp(a.createdAt()))
        .bind("created_by", a.createdBy())
        .execute();
  }

  public Optional<Artifact> find(Handle h, UUID runId, UUID artifactId) {
    return h.createQuery("""
            SELECT artifact_id, run_id, kind, name, filename, content_type, object_key, sha256, size_bytes,
                   metadata, created_at, created_by
            FROM artifacts WHERE artifact_id = :id AND run_id = :run_id
            """)
        .bind("id", artifactId)
        .bind("run_id", runId)
        .map((rs, ctx) -> map(rs))
        .findOne();
  }

  /** Newest first after the (created_at, artifact_id) cursor, optionally of one kind. */
  public List<Artifact> list(Handle h, UUID runId, String kind, Instant afterCreated, UUID afterId, int limit) {
    return h.createQuery("""
            SELECT artifact_id, run_id, kind, name, filename, content_type, object_key, sha256, size_bytes,
                   metadata, created_at, created_by
            FROM artifacts
            WHERE run_id = :run_id
              AND (CAST(:kind AS text) IS NULL OR kind = :kind)
              AND (CAST(:after_id AS uuid) IS NULL
                   OR (created_at, artifact_id) < (CAST(:after_created AS timestamptz), CAST(:after_id AS uuid)))
            ORDER BY created_at DESC, artifact_id DESC
            LIMIT :limit
            """)
        .bind("run_id", runId)
        .bind("kind", kind)
        .bind("after_created", Rows.timestamp(afterCreated))
        .bind("after_id", afterId)
        .bind("limit", limit)
        .map((rs, ctx) -> map(rs))
        .list();
  }

  /** The object keys of a run's artifacts. */
  public List<String> objectKeys(Handle h, UUID runId) {
    return h.createQuery("SELECT DISTINCT object_key FROM artifacts WHERE run_id = :run_id")
        .bind("run_id", runId)
        .mapTo(String.class)
        .list();
  }

  /** Whether an artifact of another run keeps its bytes under {@code key}. */
  public boolean keyShared(Handle h, String key, UUID runId) {
    return h.createQuery("SELECT count(*) FROM artifacts WHERE object_key = :key AND run_id <> :run_id")
        .bind("key", key)
        .bind("run_id", runId)
        .mapTo(Long.class)
        .one() > 0;
  }

  /** Removes a run's artifact rows, inside a purge (docs/protocol.md §3.6). */
  public void purgeRun(Handle h, UUID runId) {
    io.animus.datapilot.storage.Purge.allowDeletes(h);
    h.createUpdate("DELETE FROM artifacts WHERE run_id = :run_id").bind("run_id", runId).execute();
  }

  private static Artifact map(ResultSet rs) throws SQLException {
    return new Artifact(rs.getObject("artifact_id", UUID.class), rs.getObject("run_id", UUID.class),
        rs.getString("kind"), rs.getString("name"), rs.getString("filename"), rs.getString("content_type"),
        rs.getString("object_key"), rs.getString("sha256"), rs.getLong("size_bytes"),
        Json.readObject(rs.getString("metadata")), Rows.instant(rs, "created_at"), rs.getString("created_by"));
  }
}
