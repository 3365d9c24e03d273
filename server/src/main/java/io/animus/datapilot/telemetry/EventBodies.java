package io.animus.datapilot.telemetry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.animus.datapilot.kernel.ApiException;
import io.animus.datapilot.kernel.ErrorCode;
import io.animus.datapilot.kernel.Json;
import io.animus.datapilot.kernel.Times;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Reads run event bodies (docs/protocol.md §4.2) into {@link EventService.AppendEvent} commands for
 * {@link EventResource}; every error is answered here, before the run is looked up.
 */
final class EventBodies {
  private static final Set<String> LEVELS = Set.of("debug", "info", "warn", "error");
  private static final Set<String> EVENT_FIELDS = Set.of("client_event_id", "level", "message", "metadata",
      "occurred_at");

  private EventBodies() {}

  /** The single-event body of {@code POST …/events} (no {@code client_event_id}). */
  static EventService.AppendEvent single(ObjectNode body) {
    return event(body, null, false);
  }

  /** The {@code events} array of {@code POST …/events:batch}. */
  static List<EventService.AppendEvent> batch(JsonNode eventsNode) {
    if (eventsNode == null || !eventsNode.isArray()) {
      throw new ApiException(ErrorCode.INVALID_JSON, "field \"events\" must be an array");
    }
    if (eventsNode.isEmpty()) {
      throw new ApiException(ErrorCode.MESSAGE_REQUIRED, "events must hold at least one event");
    }
    if (eventsNode.size() > EventService.MAX_BATCH_EVENTS) {
      throw new ApiException(ErrorCode.TOO_MANY_ITEMS, "a batch holds at most " + EventService.MAX_BATCH_EVENTS
          + " events", Map.of("max_items", EventService.MAX_BATCH_EVENTS));
    }
    List<EventService.AppendEvent> events = new ArrayList<>();
    for (int i = 0; i < eventsNode.size(); i++) {
      if (!(eventsNode.get(i) instanceof ObjectNode object)) {
        throw MetricInput.error(ErrorCode.INVALID_JSON, "each event must be an object", i);
      }
      events.add(event(object, i, true));
    }
    return events;
  }

  private static EventService.AppendEvent event(ObjectNode body, Integer index, boolean batch) {
    body.fieldNames().forEachRemaining(f -> {
      if (!EVENT_FIELDS.contains(f) || (!batch && f.equals("client_event_id"))) {
        throw MetricInput.error(ErrorCode.INVALID_JSON, "unknown field \"" + f + "\"", index);
      }
    });
    String message = text(body, "message", index).map(String::trim).orElse("");
    if (message.isEmpty()) {
      throw MetricInput.error(ErrorCode.MESSAGE_REQUIRED, "message is required", index);
    }
    String level = text(body, "level", index).map(l -> l.trim().toLowerCase(Locale.ROOT)).orElse("info");
    if (!LEVELS.contains(level)) {
      throw MetricInput.error(ErrorCode.INVALID_LEVEL, "level must be debug, info, warn or error", index);
    }
    Instant occurredAt = null;
    var at = text(body, "occurred_at", index);
    if (at.isPresent()) {
      try {
        occurredAt = Times.parse("occurred_at", at.get());
      } catch (ApiException e) {
        throw MetricInput.error(ErrorCode.INVALID_TIMESTAMP, e.getMessage(), index);
      }
    }
    JsonNode metadata = body.get("metadata");
    if (metadata != null && !metadata.isNull() && !metadata.isObject()) {
      throw MetricInput.error(ErrorCode.INVALID_METADATA, "metadata must be a JSON object", index);
    }
    String clientId = null;
    if (batch && body.hasNonNull("client_event_id")) {
      JsonNode id = body.get("client_event_id");
      if (!id.isTextual() || id.textValue().isEmpty() || id.textValue().length() > 128) {
        throw MetricInput.error(ErrorCode.INVALID_CLIENT_EVENT_ID, "client_event_id must be 1-128 characters",
            index);
      }
      clientId = id.textValue();
    }
    return new EventService.AppendEvent(Optional.ofNullable(occurredAt), level, message,
        metadata instanceof ObjectNode o ? o : Json.object(), Optional.ofNullable(clientId));
  }

  private static Optional<String> text(ObjectNode body, String field, Integer index) {
    JsonNode node = body.get(field);
    if (node == null || node.isNull()) {
      return Optional.empty();
    }
    if (!node.isTextual()) {
      throw MetricInput.error(ErrorCode.INVALID_JSON, "field \"" + field + "\" must be a string", index);
    }
    return Optional.of(node.textValue());
  }
}
