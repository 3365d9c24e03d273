package io.animus.sdk;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.function.Consumer;

/**
 * A run's live Server-Sent Events stream ({@code GET …/experiment-runs/{run_id}/stream}) read as an iterator of
 * typed {@link StreamFrame}s ({@link StreamFrame.Ready}, {@link StreamFrame.Status}, {@link StreamFrame.Metrics},
 * {@link StreamFrame.Event}, {@link StreamFrame.Error}), or pushed to a listener with {@link #listen}.
 * {@link #hasNext()} blocks until the next frame arrives or the server closes the stream; a read failure throws
 * {@link AnimusTransportException}. Close it to disconnect.
 */
public final class RunStream implements Iterator<StreamFrame>, AutoCloseable {

  private final InputStream body;
  private final BufferedReader reader;
  private final String requestId;
  private StreamFrame next;
  private volatile boolean done;

  RunStream(InputStream body, String requestId) {
    this.body = body;
    this.reader = new BufferedReader(new InputStreamReader(body, StandardCharsets.UTF_8));
    this.requestId = requestId;
  }

  @Override
  public boolean hasNext() {
    if (next != null) {
      return true;
    }
    if (done) {
      return false;
    }
    next = readFrame();
    if (next == null) {
      done = true;
    }
    return next != null;
  }

  @Override
  public StreamFrame next() {
    if (!hasNext()) {
      throw new NoSuchElementException();
    }
    StreamFrame f = next;
    next = null;
    return f;
  }

  /**
   * Reads the stream on a new daemon thread, handing each frame to {@code onFrame} in order; when the stream ends
   * or fails, {@code onEnd} gets null (the server closed it, or {@link #close()} was called) or the failure.
   * Returns this stream; close it to stop.
   */
  public RunStream listen(Consumer<StreamFrame> onFrame, Consumer<RuntimeException> onEnd) {
    Thread t = new Thread(() -> {
      RuntimeException failure = null;
      try {
        while (hasNext()) {
          onFrame.accept(next());
        }
      } catch (RuntimeException e) {
        failure = done ? null : e;
      }
      if (onEnd != null) {
        onEnd.accept(failure);
      }
    }, "animus-run-stream-" + requestId);
    t.setDaemon(true);
    t.start();
    return this;
  }

  private StreamFrame readFrame() {
    String event = null;
    String id = null;
    StringBuilder data = null;
    try {
      String line;
      while ((line = reader.readLine()) != null) {
        if (line.isEmpty()) {
          if (data != null || event != null) {
            return frame(event == null ? "message" : event, id,
                decode(data == null ? "" : data.toString()));
          }
          continue;
        }
        if (line.startsWith(":")) {
          continue;
        }
        int colon = line.indexOf(':');
        String field = colon < 0 ? line : line.substring(0, colon);
        String value = colon < 0 ? "" : line.substring(colon + 1);
        if (value.startsWith(" ")) {
          value = value.substring(1);
        }
        switch (field) {
          case "event" -> event = value;
          case "id" -> id = value;
          case "data" -> {
            if (data == null) {
              data = new StringBuilder(value);
            } else {
              data.append('\n').append(value);
            }
          }
          default -> { }
        }
      }
      return null;
    } catch (IOException e) {
      if (done) {
        return null;
      }
      throw Replies.networkError(requestId, e);
    }
  }

  /** Decodes one SSE frame; a frame this client does not know becomes {@link StreamFrame.Other}. */
  static StreamFrame frame(String name, String id, JsonNode data) {
    if (data != null && data.isObject()) {
      switch (name) {
        case "ready":
          return new StreamFrame.Ready(Wire.text(data, "request_id"), Wire.text(data, "run_id"),
              Wire.longValue(data, "server_ts"));
        case "status":
          return new StreamFrame.Status(RunState.fromJson(data));
        case "metrics":
          return new StreamFrame.Metrics(Wire.list(data, "samples", MetricPoint::fromJson));
        case "event":
          return new StreamFrame.Event(RunEvent.fromJson(data));
        case "error":
          return new StreamFrame.Error(Wire.text(data, "error"));
        default:
          break;
      }
    }
    return new StreamFrame.Other(name, id, Json.plain(data));
  }

  private static JsonNode decode(String text) {
    if (text.isEmpty()) {
      return null;
    }
    try {
      return Json.parse(text.getBytes(StandardCharsets.UTF_8));
    } catch (IOException e) {
      return TextNode.valueOf(text);
    }
  }

  /** Disconnects. */
  @Override
  public void close() {
    done = true;
    try {
      body.close();
    } catch (IOException ignored) {
      // already gone
    }
  }
}
