package io.animus.sdk;

import java.time.Duration;
import java.util.function.LongSupplier;

/**
 * A telemetry logger's validated settings (see {@link RunTelemetryLogger.Builder} for their meaning).
 *
 * @param runId the run, stripped
 * @param capacity queue slots
 * @param maxRetries retries per request
 * @param batchPoints points per {@code metrics:batch} request
 * @param parallelRequests point batches in flight at once
 * @param flushIntervalNanos how long the sender waits for more data
 * @param retryBaseNanos first retry delay
 * @param retryMaxNanos longest retry delay
 * @param heartbeatIntervalNanos automatic heartbeat period, 0 for none
 * @param clock the wall clock stamped on points and events (epoch milliseconds)
 * @param sleeper the wait between attempts
 */
record TelemetrySettings(String runId, int capacity, int maxRetries, int batchPoints, int parallelRequests,
    long flushIntervalNanos, long retryBaseNanos, long retryMaxNanos, long heartbeatIntervalNanos,
    LongSupplier clock, RetryingPoster.Sleeper sleeper) {
  /** The server's limit of points per {@code metrics:batch} request. */
  static final int SERVER_MAX_POINTS = 10_000;

  TelemetrySettings {
    if (runId == null || runId.isBlank()) {
      throw new IllegalArgumentException("runId must be a non-empty string (RUN_ID)");
    }
    runId = runId.strip();
    if (capacity < 1 || capacity > 1 << 30) {
      throw new IllegalArgumentException("maxQueue must be between 1 and 2^30");
    }
    if (maxRetries < 0) {
      throw new IllegalArgumentException("maxRetries must be >= 0");
    }
    if (parallelRequests < 1 || parallelRequests > 8) {
      throw new IllegalArgumentException("parallelRequests must be between 1 and 8");
    }
    if (batchPoints < 1) {
      throw new IllegalArgumentException("batchMaxPoints must be at least 1");
    }
    batchPoints = Math.min(batchPoints, SERVER_MAX_POINTS);
  }

  /** A positive duration's nanoseconds; IllegalArgumentException naming {@code name} otherwise. */
  static long positive(Duration d, String name) {
    if (d == null || d.isNegative() || d.isZero()) {
      throw new IllegalArgumentException(name + " must be positive");
    }
    return d.toNanos();
  }

  /** The API path of the run's telemetry endpoints. */
  String base() {
    return "/api/experiments/experiment-runs/" + Transport.segment(runId);
  }
}
