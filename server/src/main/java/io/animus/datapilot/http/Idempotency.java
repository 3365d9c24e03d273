package io.animus.datapilot.http;

import io.animus.datapilot.kernel.ApiException;
import io.animus.datapilot.kernel.ErrorCode;
import io.animus.datapilot.kernel.Json;

import io.animus.datapilot.common.Clock;
import io.animus.datapilot.common.Hashing;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;

/**
 * Replays creates sent again with the same {@code Idempotency-Key} (docs/protocol.md §1.8). The key
 * is scoped to the caller, project, method and path and kept for 24 hours; only 2xx answers are
 * remembered. A claim left by a crashed request is taken over after {@link #ABANDONED_AFTER}.
 */
public final class Idempotency {
  public static final String HEADER = "Idempotency-Key";
  static final Duration KEEP = Duration.ofHours(24);
  static final Duration ABANDONED_AFTER = Duration.ofMinutes(5);
  private final IdempotencyStore store;
  private final Clock clock;

  public Idempotency(IdempotencyStore store, Clock clock) {
    this.store = store;
    this.clock = clock;
  }

  /** Already-serialised JSON, written as is (replayed answers stay byte-identical). */
  public record RawJson(byte[] bytes) {}

  public Reply run(ApiRequest request, String method, String path, Router.Handler handler) throws Exception {
    Optional<String> key = request.header(HEADER);
    if (key.isEmpty()) {
      return handler.handle(request);
    }
    validate(key.get());
    String scope = Hashing.sha256Hex(String.join("\n", request.principal().subject(),
        request.project().projectId(), method, path, key.get()));
    String requestHash = Hashing.sha256Hex(request.body());
    Instant now = clock.now();
    if (!store.claim(scope, requestHash, now, now.minus(KEEP), now.minus(ABANDONED_AFTER))) {
      return replay(scope, requestHash);
    }
    boolean completed = false;
    try {
      Reply reply = handler.handle(request);
      if (reply.status() >= 200 && reply.status() < 300 && !reply.alreadyWritten()) {
        byte[] bytes = reply.body() == null ? new byte[0] : Json.write(reply.body());
        store.complete(scope, reply.status(), reply.headers().get("Location"), bytes, clock.now());
        completed = true;
        return new Reply(reply.status(), new RawJson(bytes), reply.headers(), false);
      }
      return reply;
    } finally {
      if (!completed) {
        store.release(scope);
      }
    }
  }

  private Reply replay(String scope, String requestHash) {
    IdempotencyStore.Record record = store.find(scope).orElseThrow(() -> new ApiException(
        ErrorCode.IDEMPOTENCY_KEY_IN_PROGRESS, "a request with this Idempotency-Key is still running"));
    if (!record.requestSha256().equals(requestHash)) {
      throw new ApiException(ErrorCode.IDEMPOTENCY_KEY_REUSED,
          "this Idempotency-Key was already used with a different request body");
    }
    if (record.status() == null) {
      throw new ApiException(ErrorCode.IDEMPOTENCY_KEY_IN_PROGRESS,
          "a request with this Idempotency-Key is still running");
    }
    Reply reply = new Reply(record.status(), new RawJson(record.body()), Map.of(), false)
        .withHeader("Idempotent-Replayed", "true");
    return record.location() == null ? reply : reply.withHeader("Location", record.location());
  }

  private static void validate(String key) {
    boolean printable = !key.isEmpty() && key.length() <= 255 && key.chars().allMatch(c -> c >= 0x20 && c <= 0x7e);
    if (!printable) {
      throw new ApiException(ErrorCode.INVALID_IDEMPOTENCY_KEY,
          "Idempotency-Key must be 1-255 printable ASCII characters");
    }
  }
}
