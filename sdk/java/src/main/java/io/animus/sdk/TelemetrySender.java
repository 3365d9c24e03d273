package io.animus.sdk;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * The telemetry logger's worker thread: it sleeps until a producer fills a batch or the flush interval passes,
 * then takes rounds out of the queue ({@link TelemetryRing}) and sends them (points through {@link MetricLanes},
 * metric groups through the single-step endpoint, events through {@link EventBatcher}), and posts heartbeats
 * between rounds. It is the queue's only consumer and owns the "settled" mark that flush and close wait for.
 */
final class TelemetrySender {
  private static final AtomicInteger THREADS = new AtomicInteger();
  private static final byte[] EMPTY_OBJECT = {'{', '}'};

  private final TelemetryRing ring;
  private final TelemetryCounters counters;
  private final long flushIntervalNanos;
  private final long heartbeatIntervalNanos;
  private final int wakeAt;
  private final RetryingPoster poster;
  private final MetricLanes lanes;
  private final EventBatcher events;
  private final Thread thread;
  private final List<QueuedEvent> roundEvents = new ArrayList<>();

  /** Every slot below this index was sent or dropped (written by the sender only, and by close after it). */
  private volatile long settled;
  /** True while the thread is parked waiting for data; a producer that fills {@link #wakeAt} slots wakes it. */
  private final AtomicBoolean sleeping = new AtomicBoolean();
  private final AtomicBoolean heartbeatRequested = new AtomicBoolean();
  private volatile boolean stopping;
  private volatile boolean abort;

  TelemetrySender(TelemetrySettings s, Transport http, TelemetryRing ring, TelemetryCounters counters) {
    this.ring = ring;
    this.counters = counters;
    this.flushIntervalNanos = s.flushIntervalNanos();
    this.heartbeatIntervalNanos = s.heartbeatIntervalNanos();
    this.wakeAt = Math.max(1, Math.min(s.batchPoints(), s.capacity() / 2));
    this.poster = new RetryingPoster(http, s.base(), s, () -> abort, counters);
    this.thread = new Thread(this::run, "animus-telemetry-" + THREADS.incrementAndGet());
    this.lanes = new MetricLanes(s, poster, counters, thread.getName());
    this.events = new EventBatcher(poster, counters);
    thread.setDaemon(true);
  }

  void start() {
    thread.start();
  }

  /** Slots claimed but not yet sent or dropped. */
  long queued() {
    return Math.max(0, ring.claimed() - settled);
  }

  /** Asks for a heartbeat soon. */
  void requestHeartbeat() {
    heartbeatRequested.set(true);
    LockSupport.unpark(thread);
  }

  /**
   * Wakes a parked sender once {@link #wakeAt} slots wait before {@code end}. Without a fence between the slot's
   * release store and this read, a wake-up can be missed in a rare race; the sender then sleeps at most the flush
   * interval, which delays data but never loses it.
   */
  void wakeIfFull(long end) {
    if (sleeping.get() && end - ring.consumed() >= wakeAt && sleeping.compareAndSet(true, false)) {
      LockSupport.unpark(thread);
    }
  }

  /** Waits until everything claimed so far was settled; true when that happened within {@code timeout}. */
  boolean flush(Duration timeout) {
    long deadline = System.nanoTime() + Math.max(0, timeout.toNanos());
    long target = ring.claimed();
    while (true) {
      if (settled >= target) {
        return true;
      }
      if (!thread.isAlive() || System.nanoTime() - deadline >= 0) {
        return false;
      }
      LockSupport.unpark(thread);
      LockSupport.parkNanos(1_000_000);
    }
  }

  /**
   * Flushes for up to {@code timeout}, then stops the thread (interrupting a request in flight) and drops what it
   * never took. True when nothing was left undelivered.
   */
  boolean close(Duration timeout) {
    long deadline = System.nanoTime() + Math.max(0, timeout.toNanos());
    boolean drained = flush(timeout);
    stopping = true;
    abort = true;
    LockSupport.unpark(thread);
    if (thread.isAlive() && !drained) {
      thread.interrupt();
    }
    try {
      long left = Math.max(50_000_000L, deadline - System.nanoTime());
      thread.join(Math.max(1, left / 1_000_000));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (!thread.isAlive()) {
      // Slots the sender never took (claimed by a call that raced with close) are dropped.
      long left = ring.claimed() - settled;
      if (left > 0) {
        counters.drop(left);
        settled = ring.claimed();
      }
    }
    return drained;
  }

  /** True while the worker thread runs (for tests: close must end it). */
  boolean isAlive() {
    return thread.isAlive();
  }

  private void run() {
    long nextHeartbeat = heartbeatIntervalNanos > 0 ? System.nanoTime() : Long.MAX_VALUE;
    while (!stopping) {
      if (!hasData() && !heartbeatRequested.get()) {
        sleeping.set(true);
        if (!hasData() && !heartbeatRequested.get() && !stopping) {
          long wait = heartbeatIntervalNanos == 0 ? flushIntervalNanos
              : Math.min(flushIntervalNanos, Math.max(1, nextHeartbeat - System.nanoTime()));
          LockSupport.parkNanos(this, wait);
        }
        sleeping.set(false);
      }
      if (Thread.interrupted() && abort) {
        break;
      }
      try {
        while (hasData() && !abort) {
          sendRound();
          if (heartbeatRequested.get() || heartbeatIntervalNanos > 0 && System.nanoTime() - nextHeartbeat >= 0) {
            break; // a due heartbeat goes out between rounds even while data keeps coming
          }
        }
        if (heartbeatIntervalNanos > 0 && System.nanoTime() - nextHeartbeat >= 0 && !abort) {
          heartbeatRequested.set(true);
          nextHeartbeat = System.nanoTime() + heartbeatIntervalNanos;
        }
        if (heartbeatRequested.getAndSet(false) && !abort) {
          counters.failed(acceptedOrError(poster.post("/heartbeat", EMPTY_OBJECT, 1)));
        }
      } catch (RuntimeException e) {
        counters.lastError = new AnimusApiException(0, "client_error", null, String.valueOf(e));
      }
    }
    lanes.shutdown();
  }

  private static AnimusApiException acceptedOrError(Verdict verdict) {
    return verdict instanceof Verdict.Accepted ? null : verdict.error();
  }

  private boolean hasData() {
    return ring.ref(ring.consumed()) != null;
  }

  /**
   * Takes the published slots (up to one batch of points per lane, one batch of events, or one metric group) out
   * of the ring, frees them, sends them, and marks them settled. Points leave before a group queued after them.
   */
  private void sendRound() {
    lanes.startRound();
    roundEvents.clear();
    MetricGroup group = null;
    long pos = ring.consumed();
    boolean anyPoints = false;
    while (roundEvents.size() < EventBatcher.MAX_EVENTS_PER_BATCH) {
      Object ref = ring.ref(pos);
      if (ref == null) {
        break;
      }
      if (ref instanceof String name) {
        if (!lanes.add(name, ring.step(pos), ring.value(pos), ring.time(pos))) {
          break;
        }
        anyPoints = true;
      } else if (ref instanceof QueuedEvent e) {
        roundEvents.add(e);
      } else {
        if (anyPoints) {
          break;
        }
        group = (MetricGroup) ref;
        ring.clear(pos++);
        break;
      }
      ring.clear(pos++);
    }
    ring.release(pos);
    try {
      if (anyPoints) {
        lanes.send();
      }
      if (group != null) {
        lanes.sendSingle(group);
      }
      if (!roundEvents.isEmpty()) {
        events.send(new ArrayList<>(roundEvents));
      }
    } finally {
      settled = pos; // even after an unexpected error, so that flush and close never wait for these slots
    }
  }
}
