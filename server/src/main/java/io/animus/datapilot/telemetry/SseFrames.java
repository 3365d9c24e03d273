package io.animus.datapilot.telemetry;

import java.util.List;

/** The Server-Sent Events text of live streams (docs/protocol.md §4.6). */
final class SseFrames {
  /** A comment line: keeps the connection busy, no event for the reader. */
  static final String PING = ": ping\n\n";
  static final String SLOW = frame("error", null, "{\"error\":\"slow_consumer\"}");
  static final String FAILED = frame("error", null, "{\"error\":\"stream_failed\"}");

  private SseFrames() {}

  /** One frame: optional {@code event:} and {@code id:} lines, one {@code data:} line. */
  static String frame(String event, Long id, String data) {
    StringBuilder b = new StringBuilder();
    if (event != null) {
      b.append("event: ").append(event).append('\n');
    }
    if (id != null) {
      b.append("id: ").append(id).append('\n');
    }
    return b.append("data: ").append(data).append("\n\n").toString();
  }

  /** A {@code metrics} frame joining sample fragments (JSON objects separated by commas). */
  static String metrics(List<String> fragments) {
    StringBuilder frame = new StringBuilder("event: metrics\ndata: {\"samples\":[");
    for (int i = 0; i < fragments.size(); i++) {
      frame.append(i > 0 ? "," : "").append(fragments.get(i));
    }
    return frame.append("]}\n\n").toString();
  }
}
