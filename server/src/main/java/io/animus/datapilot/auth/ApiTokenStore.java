package io.animus.datapilot.auth;

import io.animus.datapilot.storage.Rows;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.jdbi.v3.core.Handle;

/** Rows of {@code api_tokens}. */
public final class ApiTokenStore {

  public void insert(Handle h, ApiToken token, String sha256) {
    h.createUpdate("""
            INSERT INTO api_tokens (token_id, name, role, token_sha256, token_prefix, created_at, created_by, expires_at)
            VALUES (:token_id, :name, :role, :sha256, :prefix, :created_at, :created_by, :expires_at)
            """)
        .bind("token_id", token.tokenId())
        .bind("name", token.name())
        .bind("role", token.role())
        .bind("sha256", sha256)
        .bind("prefix", token.tokenPrefix())
        .bind("created_at", Rows.timestamp(token.createdAt()))
        .bind("created_by", token.createdBy())
        .bind("expires_at", Rows.timestamp(token.expiresAt()))
        .execute();
  }

  public Optional<ApiToken> findBySha256(Handle h, String sha256) {
    return h.createQuery("""
            SELECT token_id, name, role, token_prefix, created_at, created_by, expires_at, last_used_at, revoked_at
            FROM api_tokens WHERE token_sha256 = :sha256
            """)
        .bind("sha256", sha256)
        .map((rs, ctx) -> map(rs))
        .findOne();
  }

  /** Records use at most once a minute per token, so reads do not turn into a write each. */
  public void touch(Handle h, UUID tokenId, Instant now) {
    h.createUpdate("""
            UPDATE api_tokens SET last_used_at = :now
            WHERE token_id = :token_id AND (last_used_at IS NULL OR last_used_at < :now - interval '60 seconds')
            """)
        .bind("token_id", tokenId)
        .bind("now", Rows.timestamp(now))
        .execute();
  }

  /** Active tokens, newest first, after the (created_at, token_id) cursor. */
  public List<ApiToken> list(Handle h, Instant afterCreated, UUID afterId, int limit) {
    return h.createQuery("""
            SELECT token_id, name, role, token_prefix, created_at, created_by, expires_at, last_used_at, revoked_at
            FROM api_tokens
            WHERE revoked_at IS NULL
              AND (CAST(:after_id AS uuid) IS NULL
                   OR (created_at, token_id) < (CAST(:after_created AS timestamptz), CAST(:after_id AS uuid)))
            ORDER BY created_at DESC, token_id DESC
            LIMIT :limit
            """)
        .bind("after_created", Rows.timestamp(afterCreated))
        .bind("after_id", afterId)
        .bind("limit", limit)
        .map((rs, ctx) -> map(rs))
        .list();
  }

  /** Marks a token revoked; false when it does not exist or was already revoked. */
  public boolean revoke(Handle h, UUID tokenId, Instant now) {
    return h.createUpdate("UPDATE api_tokens SET revoked_at = :now WHERE token_id = :token_id AND revoked_at IS NULL")
        .bind("token_id", tokenId)
        .bind("now", Rows.timestamp(now))
        .execute() == 1;
  }

  private static ApiToken map(ResultSet rs) throws SQLException {
    return new ApiToken(rs.getObject("token_id", UUID.class), rs.getString("name"), rs.getString("role"),
        rs.getString("token_prefix"), Rows.instant(rs, "created_at"), rs.getString("created_by"),
        Rows.instant(rs, "expires_at"), Rows.instant(rs, "last_used_at"), Rows.instant(rs, "revoked_at"));
  }
}
