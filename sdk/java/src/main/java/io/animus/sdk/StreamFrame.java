package io.animus.sdk;

import java.util.List;

/**
 * One frame of a run's live stream (docs/protocol.md §4.6), decoded: {@link Ready} first, then {@link Status},
 * {@link Metrics} and {@link Event} frames as data is committed, and {@link Error} before the server closes the
 * stream. Frames of a kind this client does not know arrive as {@link Other}.
 */
public sealed interface StreamFrame {
  /** The SSE {@code event:} name of this frame, such as {@code ready} or {@code event}. */
  default String name() {
    if (this instanceof Ready) {
      return "ready";
    } else if (this instanceof Status) {
      return "status";
    } else if (this instanceof Metrics) {
      return "metrics";
    } else if (this instanceof Event) {
      return "event";
    }
    return "error";
  }

  /**
   * The connection is open.
   *
   * @param requestId the server's request id of the stream
   * @param runId the run
   * @param serverTs the server's clock at connect, unix seconds
   */
  record Ready(String requestId, String runId, long serverTs) implements StreamFrame {}

  /**
   * The run's current state (sent at connect) or a new state.
   *
   * @param state the state
   */
  record Status(RunState state) implements StreamFrame {}

  /**
   * Metric samples inserted since the previous metrics frame (name, step, value and time only).
   *
   * @param samples the samples
   */
  record Metrics(List<MetricPoint> samples) implements StreamFrame {}

  /**
   * A run event, replayed after the cursor or new.
   *
   * @param event the event; its id is also the frame's SSE {@code id:}
   */
  record Event(RunEvent event) implements StreamFrame {}

  /**
   * The server is closing the stream: {@code stream_failed} or {@code slow_consumer}.
   *
   * @param code the error code
   */
  record Error(String code) implements StreamFrame {}

  /**
   * A frame this client does not know, kept as sent.
   *
   * @param name the SSE event name ({@code message} when none)
   * @param id the SSE id, or null
   * @param data the decoded data as plain Java values (a {@code Map<String, Object>} for a JSON object, the text
   *     when not JSON), or null
   */
  record Other(String name, String id, Object data) implements StreamFrame {}
}
