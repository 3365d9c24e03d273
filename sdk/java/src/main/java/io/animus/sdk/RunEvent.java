package io.animus.sdk;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.Map;

/**
 * A run event (docs/protocol.md §4.2): a log line, a reported status or progress, or a status change written by the
 * server.
 *
 * @param eventId the event's id, increasing within a run
 * @param runId its run
 * @param occurredAt when it occurred
 * @param actor the subject that wrote it ({@code system} for the server's own events)
 * @param level {@code debug}, {@code info}, {@code warn} or {@code error}
 * @param message the message
 * @param metadata its metadata (such as {@code status} or {@code progress_step}), empty when none
 * @param clientEventId the writer's deduplication id, or null
 */
public record RunEvent(long eventId, String runId, Instant occurredAt, String actor, String level, String message,
    Map<String, Object> metadata, String clientEventId) {

  /** Reads an event object; unknown fields are ignored. */
  static RunEvent fromJson(JsonNode n) {
    return new RunEvent(Wire.longValue(n, "event_id"), Wire.text(n, "run_id"), Wire.instant(n, "occurred_at"),
        Wire.text(n, "actor"), Wire.text(n, "level"), Wire.text(n, "message"), Wire.object(n, "metadata"),
        Wire.text(n, "client_event_id"));
  }
}
