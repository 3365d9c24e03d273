package io.animus.sdk;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/** The telemetry logger's counters and last failure, shared by the caller side and the sender. */
final class TelemetryCounters {
  final LongAdder rejected = new LongAdder();
  final LongAdder dropped = new LongAdder();
  final AtomicLong pointsSent = new AtomicLong();
  final AtomicLong eventsSent = new AtomicLong();
  final AtomicLong retries = new AtomicLong();
  final AtomicLong requests = new AtomicLong();
  volatile AnimusApiException lastError;

  void drop(long n) {
    dropped.add(n);
  }

  /** Keeps {@code error} as the last failure unless it is null. */
  void failed(AnimusApiException error) {
    if (error != null) {
      lastError = error;
    }
  }

  RunTelemetryLogger.Stats snapshot(long queued) {
    return new RunTelemetryLogger.Stats(pointsSent.get(), eventsSent.get(), rejected.sum(), dropped.sum(),
        retries.get(), requests.get(), queued);
  }
}
