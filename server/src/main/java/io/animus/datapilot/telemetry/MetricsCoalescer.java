package io.animus.datapilot.telemetry;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The samples waiting for one stream's next {@code metrics} frame: at most one frame every
 * {@link #COALESCE_NANOS}, so a reader gets few large frames instead of one per write. Not
 * thread-safe: its {@link StreamSubscriber} calls it holding its own lock; the timer only wakes
 * the stream.
 */
final class MetricsCoalescer {
  static final long COALESCE_NANOS = 100_000_000L;
  private final ScheduledExecutorService timer;
  private final Runnable wake;
  private final List<String> fragments = new ArrayList<>();
  private final AtomicBoolean timerSet = new AtomicBoolean();
  private long chars;
  private long lastFrameNanos = System.nanoTime() - COALESCE_NANOS;

  /** {@code wake} asks the stream for a drain once a frame is due. */
  MetricsCoalescer(ScheduledExecutorService timer, Runnable wake) {
    this.timer = timer;
    this.wake = wake;
  }

  /**
   * Adds a fragment; true when the stream should drain now (the first samples since the last frame,
   * and a frame is due). Otherwise the timer wakes the stream once one is due.
   */
  boolean add(String fragment) {
    boolean first = fragments.isEmpty();
    fragments.add(fragment);
    chars += fragment.length();
    if (!first) {
      return false;
    }
    long now = System.nanoTime();
    if (due(now)) {
      return true;
    }
    arm(now);
    return false;
  }

  /** Characters waiting (they count against the stream's budget until they are written). */
  long chars() {
    return chars;
  }

  /** The frame of every waiting sample when one is due, else null (arming the timer when samples wait). */
  String take() {
    if (fragments.isEmpty()) {
      return null;
    }
    long now = System.nanoTime();
    if (!due(now)) {
      arm(now);
      return null;
    }
    lastFrameNanos = now;
    String frame = SseFrames.metrics(fragments);
    clear();
    return frame;
  }

  void clear() {
    fragments.clear();
    chars = 0;
  }

  private boolean due(long now) {
    return now - lastFrameNanos >= COALESCE_NANOS;
  }

  private void arm(long now) {
    if (!timerSet.compareAndSet(false, true)) {
      return;
    }
    long wait = Math.max(0, lastFrameNanos + COALESCE_NANOS - now);
    try {
      timer.schedule(() -> {
        timerSet.set(false);
        wake.run();
      }, wait, TimeUnit.NANOSECONDS);
    } catch (RejectedExecutionException e) {
      timerSet.set(false); // stopping: close() ends the stream
    }
  }
}
