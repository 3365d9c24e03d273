package io.animus.datapilot.telemetry;

import com.fasterxml.jackson.databind.JsonNode;
import io.animus.datapilot.kernel.Json;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A test client for {@code GET …/stream}: frames are read on a background thread into a queue,
 * and every wait for one is bounded. Comments ({@code : ping}) are skipped.
 */
final class SseClient implements AutoCloseable {
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private static final Frame END = new Frame(null, null, null);

  /** One SSE frame: its {@code event:}, {@code id:} and {@code data:} values (null when absent). */
  record Frame(String event, String id, String data) {
    JsonNode json() {
      try {
        return Json.mapper().readTree(data);
      } catch (IOException e) {
        throw new IllegalStateException("frame data is not JSON: " + data, e);
      }
    }

    long eventId() {
      return Long.parseLong(id);
    }
  }

  private final HttpResponse<InputStream> response;
  private final BlockingQueue<Frame> frames = new LinkedBlockingQueue<>();
  private final Thread reader;
  private volatile boolean ended;

  private SseClient(HttpResponse<InputStream> response) {
    this.response = response;
    this.reader = new Thread(this::readFrames, "sse-test-reader");
    this.reader.setDaemon(true);
    this.reader.start();
  }

  /** Connects; the answer's status and headers are available at once, frames as they come. */
  static SseClient open(String url, Map<String, String> headers) {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).GET().header("Accept", "text/event-stream");
    headers.forEach(b::header);
    try {
      return new SseClient(HTTP.sendAsync(b.build(), HttpResponse.BodyHandlers.ofInputStream())
          .get(20, TimeUnit.SECONDS));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    } catch (Exception e) {
      throw new IllegalStateException("cannot open " + url, e);
    }
  }

  int status() {
    return response.statusCode();
  }

  String header(String name) {
    return response.headers().firstValue(name).orElse(null);
  }

  /** The whole body of a non-stream answer (an error), read with a bound. */
  String errorBody() {
    StringBuilder b = new StringBuilder();
    Frame f;
    try {
      while ((f = frames.poll(10, TimeUnit.SECONDS)) != null && f != END) {
        b.append(f.data());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return b.toString();
  }

  private void readFrames() {
    try (BufferedReader in = new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
      String event = null;
      String id = null;
      StringBuilder data = null;
      boolean stream = response.statusCode() == 200;
      String line;
      while ((line = in.readLine()) != null) {
        if (!stream) {
          frames.add(new Frame(null, null, line));
          continue;
        }
        if (line.isEmpty()) {
          if (data != null) {
            frames.add(new Frame(event, id, data.toString()));
          }
          event = null;
          id = null;
          data = null;
        } else if (line.startsWith(":")) {
          continue;
        } else if (line.startsWith("event: ")) {
          event = line.substring(7);
        } else if (line.startsWith("id: ")) {
          id = line.substring(4);
        } else if (line.startsWith("data: ")) {
          data = data == null ? new StringBuilder(line.substring(6)) : data.append('\n').append(line.substring(6));
        } else {
          frames.add(new Frame("malformed", null, line));
        }
      }
    } catch (IOException e) {
      // closed by the test or by the server
    } finally {
      ended = true;
      frames.add(END);
    }
  }

  /** The next frame, or null when none came within the timeout or the stream ended. */
  Frame poll(Duration timeout) throws InterruptedException {
    Frame f = frames.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
    if (f == END) {
      frames.add(END);
      return null;
    }
    return f;
  }

  /** The next frame; fails the test when none comes within the timeout. */
  Frame next(Duration timeout) throws InterruptedException {
    Frame f = poll(timeout);
    if (f == null) {
      throw new AssertionError(ended ? "the stream ended" : "no frame within " + timeout);
    }
    return f;
  }

  /** The next frame of the given kind, skipping others; fails the test on timeout. */
  Frame next(String event, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        throw new AssertionError("no " + event + " frame within " + timeout);
      }
      Frame f = next(Duration.ofNanos(left));
      if (event.equals(f.event())) {
        return f;
      }
    }
  }

  /** Whether the server ended the stream (waiting at most the timeout for it). */
  boolean awaitEnd(Duration timeout) throws InterruptedException {
    reader.join(timeout.toMillis());
    return ended;
  }

  @Override
  public void close() {
    try {
      response.body().close();
    } catch (IOException e) {
      // already closed
    }
    reader.interrupt();
  }
}
