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

/**
 * A run's live Server-Sent Events stream ({@code GET …/experiment-runs/{run_id}/stream}) read as an iterator of
 * {@link Frame}s: {@code ready}, {@code status}, {@code metrics}, {@code event} (with its {@code id}) and
 * {@code error}. {@link #hasNext()} blocks until the next frame arrives or the server closes the stream; a read
 * failure throws {@link AnimusTransportException}. Close it to disconnect.
 */
public final class RunStream implements Iterator<RunStream.Frame>, AutoCloseable {
  /** One SSE frame: its {@code event} name (default {@code message}), its {@code id} or null, and decoded data. */
  public record Frame(String event, String id, JsonNode data) {}

  private final InputStream body;
  private final BufferedReader reader;
  private final String requestId;
  private Frame next;
  private boolean done;

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
  public Frame next() {
    if (!hasNext()) {
      throw new NoSuchElementException();
    }
    Frame f = next;
    next = null;
    return f;
  }

  private Frame readFrame() {
    String event = null;
    String id = null;
    StringBuilder data = null;
    try {
      String line;
      while ((line = reader.readLine()) != null) {
        if (line.isEmpty()) {
          if (data != null || event != null) {
            return new Frame(event == null ? "message" : event, id, decode(data == null ? "" : data.toString()));
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
      throw Transport.networkError(requestId, e);
    }
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
