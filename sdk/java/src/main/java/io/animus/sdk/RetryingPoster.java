package io.animus.sdk;

import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/**
 * POSTs JSON bodies under one base path with the SDK's retry policy: no answer, 429 and 5xx are tried again up to
 * {@code maxRetries} times after an exponential backoff with jitter ({@link #backoffNanos}), stretched to the
 * server's {@code Retry-After} (at most 30 s); every other answer is final. Each attempt is one request (a fresh
 * {@code X-Request-Id}, the same body). Safe for several threads at once.
 */
final class RetryingPoster {
  private static final long MAX_RETRY_AFTER_NANOS = 30_000_000_000L;

  /** Waits between attempts; returns early once {@code aborted} turns true. */
  @FunctionalInterface
  interface Sleeper {
    void sleep(long nanos, BooleanSupplier aborted);

    /** Parks the calling thread (an interrupt or unpark makes it look at {@code aborted} again). */
    Sleeper PARK = (nanos, aborted) -> {
      long until = System.nanoTime() + nanos;
      while (!aborted.getAsBoolean() && System.nanoTime() - until < 0) {
        LockSupport.parkNanos(until - System.nanoTime());
      }
    };
  }

  private final Transport http;
  private final String base;
  private final Duration requestTimeout;
  private final int maxRetries;
  private final long retryBaseNanos;
  private final long retryMaxNanos;
  private final Sleeper sleeper;
  private final BooleanSupplier aborted;
  private final TelemetryCounters counters;

  RetryingPoster(Transport http, String base, TelemetrySettings s, BooleanSupplier aborted,
      TelemetryCounters counters) {
    this.http = http;
    this.base = base;
    this.requestTimeout = http.timeout();
    this.maxRetries = s.maxRetries();
    this.retryBaseNanos = s.retryBaseNanos();
    this.retryMaxNanos = s.retryMaxNanos();
    this.sleeper = s.sleeper();
    this.aborted = aborted;
    this.counters = counters;
  }

  /** {@link #post(String, byte[], int, int)} of a whole body. */
  Verdict post(String suffix, byte[] body, int items) {
    return post(suffix, body, body.length, items);
  }

  /**
   * POSTs the first {@code length} bytes of {@code body} to {@code base + suffix}, a request of {@code items}
   * items, retrying as the class describes; the verdict on the last answer. Counts requests and retries, and keeps
   * each transport failure and retried answer in {@code lastError}.
   */
  Verdict post(String suffix, byte[] body, int length, int items) {
    int attempt = 0;
    while (true) {
      if (aborted.getAsBoolean()) {
        return Verdict.NO_ANSWER;
      }
      Verdict verdict = once(suffix, body, length, items);
      boolean retryable = verdict instanceof Verdict.Retry || verdict instanceof Verdict.NoAnswer;
      if (!retryable) {
        return verdict;
      }
      counters.failed(verdict.error());
      if (attempt >= maxRetries || aborted.getAsBoolean()) {
        return verdict;
      }
      long delay = backoffNanos(attempt, retryBaseNanos, retryMaxNanos, ThreadLocalRandom.current().nextDouble());
      if (verdict instanceof Verdict.Retry r && r.retryAfterNanos() >= 0) {
        delay = Math.min(Math.max(delay, r.retryAfterNanos()), MAX_RETRY_AFTER_NANOS);
      }
      attempt++;
      counters.retries.incrementAndGet();
      sleeper.sleep(delay, aborted);
      if (aborted.getAsBoolean()) {
        return verdict;
      }
    }
  }

  private Verdict once(String suffix, byte[] body, int length, int items) {
    counters.requests.incrementAndGet();
    try {
      return Verdict.of(http.exchange("POST", base + suffix, null,
          HttpRequest.BodyPublishers.ofByteArray(body, 0, length), "application/json", null, requestTimeout), items);
    } catch (AnimusApiException e) {
      counters.lastError = e;
      return Verdict.NO_ANSWER;
    }
  }

  /**
   * The wait before retry number {@code attempt + 1}: {@code min(max, base * 2^attempt)} scaled by a jitter factor
   * in [0.5, 1) derived from {@code random} in [0, 1).
   */
  static long backoffNanos(int attempt, long baseNanos, long maxNanos, double random) {
    double raw = baseNanos * Math.pow(2, Math.min(attempt, 30));
    double capped = Math.min(maxNanos, raw);
    return (long) (capped * (0.5 + random / 2));
  }
}
