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
 * thread writes them. More than {@link #MAX_PENDING_BYTES} waiting marks the reader as too slow:
 * it gets an error frame and is disconnected, so memory never grows with a slow reader.
 */
public final class StreamSubscriber {
  static final long MAX_PENDING_BYTES = 1L << 20;
  static final long METRICS_COALESCE_NANOS = 100_000_000L;
  static final long PING_NANOS = 15_000_000_000L;
  private static final String END = "\u0000end";
  /** Queued when samples start waiting, so the pump (blocked on the queue) writes them promptly. */
  private static final String WAKE = "\u0000wake";

  private final UUID runId;
  private final LinkedBlockingQueue<Queued> queue = new LinkedBlockingQueue<>();
  private final List<Map<String, Object>> pendingSamples = new ArrayList<>();
  private long pendingBytes;
  private boolean slow;
  private long lastWrittenEventId;

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
      if (slow) {
        return;
      }
      if (pendingBytes + bytes > MAX_PENDING_BYTES) {
        slow = true;
        queue.clear();
        pendingSamples.clear();
        queue.add(new Queued(END, 0, 0));
        return;
      }
      pendingBytes += bytes;
    }
    queue.add(new Queued(frame, eventId, bytes));
  }

  /** Adds samples to the next coalesced metrics frame. */
  public void offerSamples(List<Map<String, Object>> samples) {
    int bytes = samples.size() * 96;
    synchronized (this) {
      if (slow) {
        return;
      }
      if (pendingBytes + bytes > MAX_PENDING_BYTES) {
        slow = true;
        queue.clear();
        pendingSamples.clear();
        queue.add(new Queued(END, 0, 0));
        return;
      }
      pendingBytes += bytes;
      boolean wasEmpty = pendingSamples.isEmpty();
      pendingSamples.addAll(samples);
      if (wasEmpty && !samples.isEmpty()) {
        queue.add(new Queued(WAKE, 0, 0));
      }
    }
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
      write(out, frame);
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
            write(out, frame("error", null, "{\"error\":\"slow_consumer\"}"));
          }
          return;
        }
        release(q.bytes());
        // a wake-up only says samples wait: they are written below, once the coalescing interval allows
        boolean wake = q.frame() == WAKE;
        if (!wake && (q.eventId() == 0 || q.eventId() > lastWrittenEventId)) {
          write(out, q.frame());
          lastWrittenEventId = Math.max(lastWrittenEventId, q.eventId());
        }
      }
      now = System.nanoTime();
      if (hasSamples() && now >= nextMetrics) {
        writeMetrics(out);
        nextMetrics = now + METRICS_COALESCE_NANOS;
      }
      if (now >= nextPing) {
        write(out, ": ping\n\n");
        nextPing = now + PING_NANOS;
      }
    }
  }

  private void writeMetrics(OutputStream out) throws IOException {
    List<Map<String, Object>> samples;
    synchronized (this) {
      samples = new ArrayList<>(pendingSamples);
      pendingSamples.clear();
      pendingBytes -= samples.size() * 96L;
    }
    if (!samples.isEmpty()) {
      write(out, frame("metrics", null, Json.writeString(Map.of("samples", samples))));
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

  static void write(OutputStream out, String text) throws IOException {
    out.write(text.getBytes(StandardCharsets.UTF_8));
    out.flush();
  }
}
