package io.animus.datapilot.ci;

import io.animus.datapilot.storage.Rows;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.jdbi.v3.core.Handle;

/** Rows of {@code ci_contexts} and {@code model_images}; both append-only. */
public final class CiStore {

  /** Inserts unless the run already has this payload; empty means a duplicate. */
  public Optional<CiContext> insertContext(Handle h, CiContext c) {
    return h.createQuery("""
            INSERT INTO ci_contexts (context_id, run_id, provider, payload, payload_sha256, received_at, received_by)
            VALUES (:context_id, :run_id, :provider, CAST(:payload AS json), :sha, :received_at, :received_by)
            ON CONFLICT (run_id, payload_sha256) DO NOTHING
            RETURNING context_id, run_id, provider, payload, payload_sha256, received_at, received_by
            """)
        .bind("context_id", c.contextId())
        .bind("run_id", c.runId())
        .bind("provider", c.provider())
        .bind("payload", c.payload())
        .bind("sha", c.payloadSha256())
        .bind("received_at", Rows.timestamp(c.receivedAt()))
        .bind("received_by", c.receivedBy())
        .map((rs, ctx) -> context(rs))
        .findOne();
  }

  public Optional<CiContext> findContext(Handle h, UUID runId, String sha) {
    return h.createQuery("""
            SELECT context_id, run_id, provider, payload, payload_sha256, received_at, received_by
            FROM ci_contexts WHERE run_id = :run_id AND payload_sha256 = :sha
            """)
        .bind("run_id", runId)
        .bind("sha", sha)
        .map((rs, ctx) -> context(rs))
        .findOne();
  }

  /** A run's contexts, newest first, after the (received_at, context_id) cursor. */
  public List<CiContext> listContexts(Handle h, UUID runId, Instant afterAt, UUID afterId, int limit) {
    return h.createQuery("""
            SELECT context_id, run_id, provider, payload, payload_sha256, received_at, received_by
            FROM ci_contexts
            WHERE run_id = :run_id
              AND (CAST(:after_id AS uuid) IS NULL
                   OR (received_at, context_id) < (CAST(:after_at AS timestamptz), CAST(:after_id AS uuid)))
            ORDER BY received_at DESC, context_id DESC
            LIMIT :limit
            """)
        .bind("run_id", runId)
        .bind("after_at", Rows.timestamp(afterAt))
        .bind("after_id", afterId)
        .bind("limit", limit)
        .map((rs, ctx) -> context(rs))
        .list();
  }

  /** Inserts unless the digest is registered; empty means it already was. */
  public Optional<RegisteredImage> insertImage(Handle h, RegisteredImage m) {
    return h.createQuery("""
            INSERT INTO model_images (image_digest, repo, commit_sha, pipeline_id, provider, payload, payload_sha256,
                                      received_at, received_by)
            VALUES (:digest, :repo, :commit_sha, :pipeline_id, :provider, CAST(:payload AS json), :sha, :received_at,
                    :received_by)
            ON CONFLICT (image_digest) DO NOTHING
            RETURNING image_digest, repo, commit_sha, pipeline_id, provider, payload, payload_sha256, received_at,
                      received_by
            """)
        .bind("digest", m.imageDigest())
        .bind("repo", m.repo())
        .bind("commit_sha", m.commitSha())
        .bind("pipeline_id", m.pipelineId())
        .bind("provider", m.provider())
        .bind("payload", m.payload())
        .bind("sha", m.payloadSha256())
        .bind("received_at", Rows.timestamp(m.receivedAt()))
        .bind("received_by", m.receivedBy())
        .map((rs, ctx) -> image(rs))
        .findOne();
  }

  public Optional<RegisteredImage> findImage(Handle h, String digest) {
    return h.createQuery("""
            SELECT image_digest, repo, commit_sha, pipeline_id, provider, payload, payload_sha256, received_at,
                   received_by
            FROM model_images WHERE image_digest = :digest
            """)
        .bind("digest", digest)
        .map((rs, ctx) -> image(rs))
        .findOne();
  }

  /** Newest first, optionally filtered by repo and commit, after the (received_at, digest) cursor. */
  public List<RegisteredImage> listImages(Handle h, String repo, String commitSha, Instant afterAt, String afterDigest,
                                     int limit) {
    return h.createQuery("""
            SELECT image_digest, repo, commit_sha, pipeline_id, provider, payload, payload_sha256, received_at,
                   received_by
            FROM model_images
            WHERE (CAST(:repo AS text) IS NULL OR repo = :repo)
              AND (CAST(:commit_sha AS text) IS NULL OR lower(commit_sha) = lower(:commit_sha))
              AND (CAST(:after_digest AS text) IS NULL
                   OR (received_at, image_digest) < (CAST(:after_at AS timestamptz), CAST(:after_digest AS text)))
            ORDER BY received_at DESC, image_digest DESC
            LIMIT :limit
            """)
        .bind("repo", repo)
        .bind("commit_sha", commitSha)
        .bind("after_at", Rows.timestamp(afterAt))
        .bind("after_digest", afterDigest)
        .bind("limit", limit)
        .map((rs, ctx) -> image(rs))
        .list();
  }

  private static CiContext context(ResultSet rs) throws SQLException {
    return new CiContext(rs.getObject("context_id", UUID.class), rs.getObject("run_id", UUID.class),
        rs.getString("provider"), rs.getString("payload"), rs.getString("payload_sha256"),
        Rows.instant(rs, "received_at"), rs.getString("received_by"));
  }

  private static RegisteredImage image(ResultSet rs) throws SQLException {
    return new RegisteredImage(rs.getString("image_digest"), rs.getString("repo"), rs.getString("commit_sha"),
        rs.getString("pipeline_id"), rs.getString("provider"), Rows.instant(rs, "received_at"),
        rs.getString("received_by"), rs.getString("payload"), rs.getString("payload_sha256"));
  }

  /** Removes a deleted run's CI contexts, inside a purge (docs/protocol.md §3.6). */
  public void purgeRun(Handle h, UUID runId) {
    io.animus.datapilot.storage.Purge.allowDeletes(h);
    h.createUpdate("DELETE FROM ci_contexts WHERE run_id = :run_id").bind("run_id", runId).execute();
  }
}
