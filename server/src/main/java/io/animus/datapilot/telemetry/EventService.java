package io.animus.datapilot.telemetry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.animus.datapilot.common.Clock;
import io.animus.datapilot.common.ProjectScope;
import io.animus.datapilot.common.Redactor;
import io.animus.datapilot.kernel.ApiException;
import io.animus.datapilot.kernel.ErrorCode;
import io.animus.datapilot.kernel.Json;
import io.animus.datapilot.kernel.Times;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

/** Run events: append (single and batch with client-id dedupe), list, and system events. */
public final class EventService {
  public static final int MAX_BATCH_EVENTS = 1000;
  private static final Set<String> LEVELS = Set.of("debug", "info", "warn", "error");
  private static final Set<String> EVENT_FIELDS = Set.of("client_event_id", "level", "message", "metadata",
      "occurred_at");
  private final Jdbi jdbi;
  private final EventStore store;
  private final RunLookup runs;
  private final Notifier notifier;
  private final Clock clock;

  public EventService(Jdbi jdbi, EventStore store, RunLookup runs, Notifier notifier, Clock clock) {
    this.jdbi = jdbi;
    this.store = store;
    this.runs = runs;
    this.notifier = notifier;
    this.clock = clock;
  }

  /** The single-event body of {@code POST …/events}, validated. */
  public RunEvent append(ProjectScope project, String rawRunId, String actor, ObjectNode body) {
    RunEvent.New event = parse(body, actor, null, false);
    UUID runId = runs.require(project, rawRunId);
    return jdbi.inTransaction(h -> insert(h, runId, List.of(event))).get(0);
  }

  /** How many events a batch received and inserted (the rest repeated a client id). */
  public record BatchCount(UUID runId, int received, int inserted) {}

  public BatchCount appendBatch(ProjectScope project, String rawRunId, String actor, JsonNode eventsNode) {
    if (eventsNode == null || !eventsNode.isArray()) {
      throw new ApiException(ErrorCode.INVALID_JSON, "field \"events\" must be an array");
    }
    if (eventsNode.isEmpty()) {
      throw new ApiException(ErrorCode.MESSAGE_REQUIRED, "events must hold at least one event");
    }
    if (eventsNode.size() > MAX_BATCH_EVENTS) {
      throw new ApiException(ErrorCode.TOO_MANY_ITEMS, "a batch holds at most " + MAX_BATCH_EVENTS + " events",
          Map.of("max_items", MAX_BATCH_EVENTS));
    }
    List<RunEvent.New> events = new ArrayList<>();
    for (int i = 0; i < eventsNode.size(); i++) {
      if (!(eventsNode.get(i) instanceof ObjectNode object)) {
        throw MetricInput.error(ErrorCode.INVALID_JSON, "each event must be an object", i);
      }
      events.add(parse(object, actor, i, true));
    }
    UUID runId = runs.require(project, rawRunId);
    List<RunEvent> inserted = jdbi.inTransaction(h -> insert(h, runId, events));
    return new BatchCount(runId, events.size(), inserted.size());
  }

  /** Inserts under the run lock, updates the run's reported status/progress, notifies watchers. */
  public List<RunEvent> insert(Handle h, UUID runId, List<RunEvent.New> events) {
    if (!store.lockRun(h, runId, clock.now())) {
      throw ApiException.notFound("run");
    }
    List<RunEvent> inserted = store.insert(h, runId, events);
    if (inserted.isEmpty()) {
      return inserted;
    }
    String reported = null;
    ObjectNode progress = null;
    for (RunEvent e : inserted) {
      JsonNode status = e.metadata().get("status");
      if (status != null && !status.isNull()) {
        reported = status.isTextual() ? status.textValue() : status.toString();
      }
      JsonNode step = e.metadata().get("progress_step");
      if (step != null && !step.isNull()) {
        progress = Json.object();
        progress.set("step", step);
        copyIfPresent(e.metadata(), "progress_total_steps", progress, "total_steps");
        copyIfPresent(e.metadata(), "progress_percent", progress, "percent");
        progress.put("at", Json.formatInstant(e.occurredAt()));
      }
    }
    if (reported != null || progress != null) {
      store.updateReported(h, runId, reported, progress == null ? null : Json.writeString(progress));
    }
    notifier.events(h, runId, inserted.get(0).eventId(), inserted.get(inserted.size() - 1).eventId());
    return inserted;
  }

  private static void copyIfPresent(ObjectNode from, String key, ObjectNode to, String as) {
    JsonNode value = from.get(key);
    if (value != null && !value.isNull()) {
      to.set(as, value);
    }
  }

  private RunEvent.New parse(ObjectNode body, String actor, Integer index, boolean batch) {
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
    Instant occurredAt = clock.now();
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
    ObjectNode cleanMetadata = metadata instanceof ObjectNode o ? Redactor.redact(o) : Json.object();
    return new RunEvent.New(occurredAt, actor, level, Redactor.redactText(message), cleanMetadata, clientId);
  }

  private static java.util.Optional<String> text(ObjectNode body, String field, Integer index) {
    JsonNode node = body.get(field);
    if (node == null || node.isNull()) {
      return java.util.Optional.empty();
    }
    if (!node.isTextual()) {
      throw MetricInput.error(ErrorCode.INVALID_JSON, "field \"" + field + "\" must be a string", index);
    }
    return java.util.Optional.of(node.textValue());
  }

  /** A page of events, newest first, below {@code beforeId} (0 = from the newest). */
  public List<RunEvent> list(ProjectScope project, String rawRunId, long beforeId, int limit) {
    UUID runId = runs.require(project, rawRunId);
    return jdbi.withHandle(h -> store.listBefore(h, runId, beforeId, limit));
  }
}
