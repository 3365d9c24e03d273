package io.animus.datapilot.telemetry;

import io.animus.datapilot.http.Json;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * One live-stream connection. The hub offers frames without ever blocking; the connection's own
 * thread writes them. More than {@link #MAX_PENDING_BYTES} waiting while the writer is stuck (or
 * more than {@link #MAX_BURST_BYTES} in any case) marks the reader as too slow: it gets an error
 * frame and is disconnected, so memory never grows with a slow reader.
 */
public final class StreamSubscriber {
  static final long MAX_PENDING_BYTES = 1L << 20;
  static final long METRICS_COALESCE_NANOS = 100_000_000L;
  static final long PING_NANOS = 15_000_000_000L;
  private static final String END = "\u0000end";
  private static final int SAMPLE_BYTES = 96;
  /** Queued when samples start waiting, so the pump (blocked on the queue) writes them promptly. */
  private static final String WAKE = "\u0000wake";
  /** A burst (one large batch) may exceed the budget while the writer keeps up, up to this much. */
  static final long MAX_BURST_BYTES = 16L << 20;
  /** A writer blocked this long in one write is not keeping up. */
  static final long STALLED_WRITE_NANOS = 200_000_000L;

  private final UUID runId;
  private final LinkedBlockingQueue<Queued> queue = new LinkedBlockingQueue<>();
  private final List<Map<String, Object>> pendingSamples = new ArrayList<>();
  private long pendingBytes;
  private boolean slow;
  private long lastWrittenEventId;
  private volatile long writeStartedNanos;

  private record Queued(String frame, long eventId, int bytes) {}

  public StreamSubscriber(UUID runId) {
    this.runId = runId;
  }

  public UUID runId() {
    return runId;
  }

  /** Formats one SSE frame: optional {@code event:} and {@code id:} lines, one {@code data:} line. */
  public static String frame(String event, Long id, String data) {
    StringBuilder b = new StringBuilder();
    if (event != null) {
      b.append("event: ").append(event).append('\n');
    }
    if (id != null) {
      b.append("id: ").append(id).append('\n');
    }
    return b.append("data: ").append(data).append("\n\n").toString();
  }

  /** Queues a frame ({@code eventId} &gt; 0 for run events, which are never written twice). */
  public void offer(String frame, long eventId) {
    int bytes = frame.length();
    synchronized (this) {
      if (!reserve(bytes)) {
        return;
      }
    }
    queue.add(new Queued(frame, eventId, bytes));
  }

  /** Adds samples to the next coalesced metrics frame. */
  public void offerSamples(List<Map<String, Object>> samples) {
    synchronized (this) {
      if (samples.isEmpty() || !reserve((long) samples.size() * SAMPLE_BYTES)) {
        return;
      }
      boolean wasEmpty = pendingSamples.isEmpty();
      pendingSamples.addAll(samples);
      if (wasEmpty) {
        queue.add(new Queued(WAKE, 0, 0));
      }
    }
  }

  /**
   * Counts {@code bytes} as waiting. Past the 1 MiB budget the reader is too slow when the writer
   * is stuck in a write (the client is not reading) or the burst passes its hard cap; a reader that
   * keeps up with one large batch is not cut off. A slow reader's stream ends.
   */
  private boolean reserve(long bytes) {
    if (slow) {
      return false;
    }
    long waiting = pendingBytes + bytes;
    long writing = writeStartedNanos;
    boolean stalled = writing != 0 && System.nanoTime() - writing > STALLED_WRITE_NANOS;
    if (waiting > MAX_BURST_BYTES || (waiting > MAX_PENDING_BYTES && stalled)) {
      slow = true;
      queue.clear();
      pendingSamples.clear();
      queue.add(new Queued(END, 0, 0));
      return false;
    }
    pendingBytes += bytes;
    return true;
  }

  /** Ends the stream (server shutdown). */
  public void close() {
    queue.add(new Queued(END, 0, 0));
  }

  /** Treats every event up to {@code eventId} as already written, so their live copies are skipped. */
  public void skipThrough(long eventId) {
    lastWrittenEventId = Math.max(lastWrittenEventId, eventId);
  }

  /** Writes an event frame directly (backlog), remembering its id so the live copy is skipped. */
  public void writeEvent(OutputStream out, long eventId, String frame) throws IOException {
    if (eventId > lastWrittenEventId) {
      timedWrite(out, frame);
      lastWrittenEventId = eventId;
    }
  }

  /**
   * Writes queued frames until the client goes away, the reader proves too slow or the server
   * stops. Returns normally in every case; I/O errors mean the client disconnected.
   */
  public void pump(OutputStream out) throws IOException, InterruptedException {
    long nextPing = System.nanoTime() + PING_NANOS;
    long nextMetrics = System.nanoTime();
    while (true) {
      long now = System.nanoTime();
      long wait = Math.max(1, Math.min(nextPing, hasSamples() ? nextMetrics : nextPing) - now);
      Queued q = queue.poll(wait, TimeUnit.NANOSECONDS);
      if (q != null) {
        if (q.frame() == END) {
          if (isSlow()) {
            timedWrite(out, frame("error", null, "{\"error\":\"slow_consumer\"}"));
          }
          return;
        }
        release(q.bytes());
        // a wake-up only says samples wait: they are written below, once the coalescing interval allows
        boolean wake = q.frame() == WAKE;
        if (!wake && (q.eventId() == 0 || q.eventId() > lastWrittenEventId)) {
          timedWrite(out, q.frame());
          lastWrittenEventId = Math.max(lastWrittenEventId, q.eventId());
        }
      }
      now = System.nanoTime();
      if (hasSamples() && now >= nextMetrics) {
        writeMetrics(out);
        nextMetrics = now + METRICS_COALESCE_NANOS;
      }
      if (now >= nextPing) {
        timedWrite(out, ": ping\n\n");
        nextPing = now + PING_NANOS;
      }
    }
  }

  private void writeMetrics(OutputStream out) throws IOException {
    List<Map<String, Object>> samples;
    synchronized (this) {
      samples = new ArrayList<>(pendingSamples);
      pendingSamples.clear();
      pendingBytes -= (long) samples.size() * SAMPLE_BYTES;
    }
    if (!samples.isEmpty()) {
      timedWrite(out, frame("metrics", null, Json.writeString(Map.of("samples", samples))));
    }
  }

  private synchronized boolean hasSamples() {
    return !pendingSamples.isEmpty();
  }

  private synchronized boolean isSlow() {
    return slow;
  }

  private synchronized void release(int bytes) {
    pendingBytes -= bytes;
  }

  /** A write whose duration the budget check can see (a stuck write means a stalled reader). */
  private void timedWrite(OutputStream out, String text) throws IOException {
    writeStartedNanos = System.nanoTime();
    try {
      write(out, text);
    } finally {
      writeStartedNanos = 0;
    }
  }

  static void write(OutputStream out, String text) throws IOException {
    out.write(text.getBytes(StandardCharsets.UTF_8));
    out.flush();
  }
}
