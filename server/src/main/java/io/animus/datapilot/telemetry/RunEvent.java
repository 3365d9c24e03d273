package io.animus.datapilot.telemetry;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.UUID;

/** A run event as stored and answered; {@code clientEventId} only when the writer gave one. */
public record RunEvent(long eventId, UUID runId, Instant occurredAt, String actor, String level, String message,
                       ObjectNode metadata, String clientEventId) {

  /** An event to insert (id and run assigned by the store). */
  public record New(Instant occurredAt, String actor, String level, String message, ObjectNode metadata,
                    String clientEventId) {}
}
