package io.animus.datapilot.telemetry;

import io.animus.datapilot.storage.AdvisoryLock;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Merges the small segments that small writes leave (one per request and series) into segments of
 * about a thousand points, in the background, on one replica at a time (an advisory lock, as the
 * execution reconciler takes). Each series is merged in a transaction of its own that holds its
 * series row, so writers of that series wait for at most one merge.
 */
public final class SegmentCompactor implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(SegmentCompactor.class);
  /** The advisory-lock key of the compactor ("dpcompac"). */
  static final long LOCK_KEY = 0x6470636f6d706163L;
  /** A series is merged once it holds this many small segments. */
  static final int MIN_SEGMENTS = 64;
  private final Jdbi points;
  private final MetricStore store;
  private final AdvisoryLock lock;
  private final ScheduledExecutorService timer;

  public SegmentCompactor(Jdbi points, MetricStore store) {
    this.points = points;
    this.store = store;
    this.lock = new AdvisoryLock(points, LOCK_KEY);
    this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "datapilot-segment-compactor");
      t.setDaemon(true);
      return t;
    });
  }

  /** Starts passes every {@code periodSeconds}. */
  public void start(long periodSeconds) {
    timer.scheduleWithFixedDelay(() -> {
      try {
        lock.runExclusively(this::passUntilDone);
      } catch (RuntimeException e) {
        LOG.warn("segment compaction pass failed; next pass in {} s: {}", periodSeconds, e.getMessage());
      }
    }, periodSeconds, periodSeconds, TimeUnit.SECONDS);
  }

  private void passUntilDone() {
    for (int round = 0; round < 100 && !Thread.currentThread().isInterrupted(); round++) {
      if (pass() == 0) {
        return;
      }
    }
  }

  /** One pass over up to 100 candidate series; the number of segments it removed. */
  public int pass() {
    List<SegmentCompactionStore.Candidate> candidates =
        points.withHandle(h -> SegmentCompactionStore.candidates(h, MIN_SEGMENTS, 100));
    int removed = 0;
    for (SegmentCompactionStore.Candidate c : candidates) {
      removed += points.inTransaction(h -> SegmentCompactionStore.compact(h, store, c.runId(), c.seriesId()));
    }
    return removed;
  }

  @Override
  public void close() {
    timer.shutdownNow();
    try {
      timer.awaitTermination(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
