package io.animus.datapilot.telemetry;

import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.WriteListener;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * One live-stream connection, written without a thread of its own: the hub offers frames without
 * blocking, and whoever has a reason to write (the hub's offer, the ping or metrics timer, the
 * container once the socket can take more) asks for a drain; drains of one stream never overlap
 * ({@code running}) and stop as soon as the container's non-blocking output is not ready, to be
 * resumed by {@link #onWritePossible()}. More than {@link #MAX_PENDING_BYTES} waiting while the
 * output has not been ready for {@link #STALLED_WRITE_NANOS} (or more than {@link #MAX_BURST_BYTES}
 * in any case) marks the reader as too slow: it gets an error frame and is disconnected, so memory
 * never grows with a slow reader.
 */
public final class StreamSubscriber implements WriteListener {
  static final long MAX_PENDING_BYTES = 1L << 20;
  /** A burst (one large batch) may exceed the budget while the reader keeps up, up to this much. */
  static final long MAX_BURST_BYTES = 16L << 20;
  /** Output not ready for this long means the reader is not keeping up. */
  static final long STALLED_WRITE_NANOS = 200_000_000L;
  static final long PING_NANOS = 15_000_000_000L;
  /** Ends the stream when it comes to be written. */
  static final String END = "\u0000end";

  private record Queued(String frame, long eventId) {}

  private final UUID runId;
  private final StreamHub.Workers workers;
  private final CompletableFuture<Void> done = new CompletableFuture<>();
  private Runnable onEnd = () -> { };
  private Runnable abort = () -> { };

  // Guarded by this: what the hub and the timers hand over, and the drain's state.
  private final ArrayDeque<Queued> live = new ArrayDeque<>();
  private final MetricsCoalescer samples;
  private long pendingBytes;
  private boolean slow;
  private boolean closing;
  private boolean finished;
  private boolean pingDue;
  private boolean running;
  private boolean rerun;
  private boolean writePossible;
  private boolean waitingForReady;
  private ServletOutputStream out;
  /**
   * Set by the container's first {@link #onWritePossible()}: before it no drain may touch the
   * output (the write listener may not be installed yet).
   */
  private boolean started;
  private volatile long notReadySinceNanos;

  // Touched only by the drain that owns `running` (and, before attach, by the opening request).
  private final StreamOpening opening;
  private long lastWrittenEventId;
  private boolean needFlush;
  private boolean slowWritten;
  private ScheduledFuture<?> ping;

  public StreamSubscriber(UUID runId, StreamHub.Workers workers) {
    this.runId = runId;
    this.workers = workers;
    this.opening = new StreamOpening(workers.reads(), this::signal);
    this.samples = new MetricsCoalescer(workers.timer(), this::signal);
  }

  public UUID runId() {
    return runId;
  }

  // ---- set up by the opening request, before attach ----

  /** A frame written before any backlog or live frame (ready, current status). */
  void first(String frame) {
    opening.first(frame);
  }

  /** Run once when the stream ends, whatever ends it. */
  void onEnd(Runnable action) {
    onEnd = action;
  }

  /**
   * Starts writing (the request is in async mode); {@code abortConnection} drops the connection
   * when a stop cannot wait for a reader that does not read. The returned future completes when the
   * stream has ended.
   */
  CompletableFuture<Void> attach(ServletOutputStream output, Runnable abortConnection) {
    synchronized (this) {
      out = output;
      abort = abortConnection;
    }
    try {
      ping = workers.timer().scheduleAtFixedRate(this::pingDue, PING_NANOS, PING_NANOS, TimeUnit.NANOSECONDS);
      output.setWriteListener(this); // the container calls onWritePossible once the output is ready
    } catch (RuntimeException e) {
      finish();
    }
    return done;
  }

  /** The opening reads came back ({@code null}: they failed); until then only the ready frame goes out. */
  void opened(StreamOpening.Opened result) {
    opening.opened(result);
  }

  // ---- offered by the hub (never blocks) ----

  /** Queues a frame ({@code eventId} &gt; 0 for run events, which are never written twice). */
  public void offer(String frame, long eventId) {
    synchronized (this) {
      if (reserve(frame.length())) {
        live.add(new Queued(frame, eventId));
      }
    }
    signal(); // also when refused: a reader just found too slow gets its error frame
  }

  /** Adds samples (a JSON fragment: objects separated by commas) to the next coalesced metrics frame. */
  public void offerSamples(String fragment) {
    boolean now;
    synchronized (this) {
      if (fragment.isEmpty()) {
        return;
      }
      if (reserve(fragment.length())) {
        now = samples.add(fragment);
      } else {
        now = true; // a reader just found too slow gets its error frame
      }
    }
    if (now) {
      signal();
    }
  }

  /** Ends the stream (server stop); a connection stuck in a write is dropped. */
  public void close() {
    boolean stuck;
    Runnable drop;
    synchronized (this) {
      closing = true;
      stuck = waitingForReady;
      drop = abort;
    }
    if (stuck) {
      drop.run();
    }
    signal();
  }

  /**
   * Counts {@code bytes} as waiting. Past the 1 MiB budget the reader is too slow when the output
   * has not been ready for a while (the client is not reading) or the burst passes its hard cap; a
   * reader that keeps up with one large batch is not cut off.
   */
  private boolean reserve(long bytes) {
    if (slow || closing || finished) {
      return false;
    }
    long waiting = pendingBytes + bytes;
    long since = notReadySinceNanos;
    boolean stalled = since != 0 && System.nanoTime() - since > STALLED_WRITE_NANOS;
    if (waiting > MAX_BURST_BYTES || (waiting > MAX_PENDING_BYTES && stalled)) {
      slow = true;
      live.clear();
      samples.clear();
      pendingBytes = 0;
      return false;
    }
    pendingBytes = waiting;
    return true;
  }

  private void pingDue() {
    synchronized (this) {
      pingDue = true;
    }
    signal();
  }

  // ---- the writer ----

  /** Asks for a drain unless one runs (it will look again) or the output is not ready (the container calls back). */
  private void signal() {
    synchronized (this) {
      if (finished || !started || waitingForReady) {
        return;
      }
      if (running) {
        rerun = true;
        return;
      }
      running = true;
    }
    try {
      workers.writers().execute(this::drain);
    } catch (RejectedExecutionException e) {
      finish();
    }
  }

  @Override
  public void onWritePossible() {
    synchronized (this) {
      started = true;
      waitingForReady = false;
      if (finished) {
        return;
      }
      if (running) {
        writePossible = true;
        return;
      }
      running = true;
    }
    drain();
  }

  @Override
  public void onError(Throwable failure) {
    finish(); // the client went away, or the connection was dropped
  }

  private void drain() {
    try {
      while (true) {
        if (!out.isReady()) {
          synchronized (this) {
            if (writePossible) {
              writePossible = false;
              continue;
            }
            if (notReadySinceNanos == 0) {
              notReadySinceNanos = System.nanoTime();
            }
            waitingForReady = true;
            running = false;
            return;
          }
        }
        notReadySinceNanos = 0;
        String text = next();
        if (text == END) {
          finish();
          return;
        }
        if (text != null) {
          out.write(text.getBytes(StandardCharsets.UTF_8));
          needFlush = true;
          continue;
        }
        if (needFlush) {
          needFlush = false;
          out.flush();
          continue;
        }
        synchronized (this) {
          if (rerun || writePossible) {
            rerun = false;
            writePossible = false;
            continue;
          }
          running = false;
          return;
        }
      }
    } catch (IOException | RuntimeException e) {
      finish();
    }
  }

  /** The next text to write, {@link #END} to end the stream, or null when nothing is due now. */
  private String next() {
    synchronized (this) {
      if (finished) {
        return END;
      }
      if (slow) {
        if (slowWritten) {
          return END;
        }
        slowWritten = true;
        return SseFrames.SLOW;
      }
      if (closing) {
        return END;
      }
    }
    for (StreamOpening.Frame f = opening.next(this::skipThrough); f != null; f = opening.next(this::skipThrough)) {
      if (f == StreamOpening.HOLD) {
        return null; // live frames wait behind the opening
      }
      if (f.eventId() == 0) {
        return f.text();
      }
      if (f.eventId() > lastWrittenEventId) {
        lastWrittenEventId = f.eventId();
        return f.text();
      }
    }
    synchronized (this) {
      if (pingDue) {
        pingDue = false;
        return SseFrames.PING;
      }
      for (Queued q = live.poll(); q != null; q = live.poll()) {
        pendingBytes -= q.frame().length();
        if (q.eventId() == 0) {
          return q.frame();
        }
        if (q.eventId() > lastWrittenEventId) {
          lastWrittenEventId = q.eventId();
          return q.frame();
        }
      }
      long waiting = samples.chars();
      String metrics = samples.take();
      if (metrics != null) {
        pendingBytes -= waiting;
      }
      return metrics;
    }
  }

  /** Treats every event up to {@code eventId} as written, so their live copies are skipped. */
  private void skipThrough(long eventId) {
    lastWrittenEventId = Math.max(lastWrittenEventId, eventId);
  }

  /** Ends the stream once: stops the timers, runs the end action and lets the container complete the answer. */
  void finish() {
    synchronized (this) {
      if (finished) {
        return;
      }
      finished = true;
      live.clear();
      samples.clear();
      pendingBytes = 0;
    }
    if (ping != null) {
      ping.cancel(false);
    }
    try {
      onEnd.run();
    } finally {
      done.complete(null);
    }
  }

  /** Whether the stream has ended. */
  synchronized boolean finished() {
    return finished;
  }
}
