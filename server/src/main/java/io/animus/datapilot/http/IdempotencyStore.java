package io.animus.datapilot.http;

import io.animus.datapilot.storage.Rows;
import java.time.Instant;
import java.util.Optional;
import org.jdbi.v3.core.Jdbi;

/** Remembered answers of creates sent with {@code Idempotency-Key} (docs/protocol.md §1.8). */
public final class IdempotencyStore {
  private final Jdbi jdbi;

  public IdempotencyStore(Jdbi jdbi) {
    this.jdbi = jdbi;
  }

  /** A remembered record: {@code status} is null while the first request is still running. */
  public record Record(String requestSha256, Integer status, String location, byte[] body) {}

  /**
   * Claims the key. True when this request now owns it: new, expired ({@code createdAt} before
   * {@code expiredBefore}) or abandoned in progress (before {@code abandonedBefore}).
   */
  public boolean claim(String scope, String requestSha256, Instant now, Instant expiredBefore,
                       Instant abandonedBefore) {
    return jdbi.withHandle(h -> h.createQuery("""
            INSERT INTO idempotency_records (scope_sha256, request_sha256, created_at)
            VALUES (:scope, :request, :now)
            ON CONFLICT (scope_sha256) DO UPDATE
              SET request_sha256 = EXCLUDED.request_sha256, created_at = EXCLUDED.created_at,
                  completed_at = NULL, status = NULL, location = NULL, response_body = NULL
              WHERE idempotency_records.created_at < :expired_before
                 OR (idempotency_records.completed_at IS NULL AND idempotency_records.created_at < :abandoned_before)
            RETURNING scope_sha256
            """)
        .bind("scope", scope)
        .bind("request", requestSha256)
        .bind("now", Rows.timestamp(now))
        .bind("expired_before", Rows.timestamp(expiredBefore))
        .bind("abandoned_before", Rows.timestamp(abandonedBefore))
        .mapTo(String.class)
        .findOne()
        .isPresent());
  }

  public Optional<Record> find(String scope) {
    return jdbi.withHandle(h -> h.createQuery("""
            SELECT request_sha256, status, location, response_body FROM idempotency_records
            WHERE scope_sha256 = :scope
            """)
        .bind("scope", scope)
        .map((rs, ctx) -> new Record(rs.getString("request_sha256"), (Integer) rs.getObject("status"),
            rs.getString("location"), rs.getBytes("response_body")))
        .findOne());
  }

  public void complete(String scope, int status, String location, byte[] body, Instant now) {
    jdbi.useHandle(h -> h.createUpdate("""
            UPDATE idempotency_records SET status = :status, location = :location, response_body = :body,
                   completed_at = :now
            WHERE scope_sha256 = :scope
            """)
        .bind("scope", scope)
        .bind("status", status)
        .bind("location", location)
        .bind("body", body)
        .bind("now", Rows.timestamp(now))
        .execute());
  }

  /** Forgets a claim whose request did not succeed: only 2xx answers are remembered. */
  public void release(String scope) {
    jdbi.useHandle(h -> h.createUpdate(
            "DELETE FROM idempotency_records WHERE scope_sha256 = :scope AND completed_at IS NULL")
        .bind("scope", scope)
        .execute());
  }
}
