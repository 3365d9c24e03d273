package io.animus.datapilot.telemetry;

import io.animus.datapilot.experiments.RunService;
import io.animus.datapilot.experiments.RunStatus;
import io.animus.datapilot.experiments.RunStatusService;
import io.animus.datapilot.kernel.ApiException;
import io.animus.datapilot.http.ApiRequest;
import io.animus.datapilot.kernel.ErrorCode;
import io.animus.datapilot.kernel.Json;
import io.animus.datapilot.http.JsonBody;
import io.animus.datapilot.kernel.PageToken;
import io.animus.datapilot.http.Reply;
import io.animus.datapilot.http.Router;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** HTTP for run events, status and heartbeat (docs/protocol.md §4.2–4.4). */
public final class EventResource {
  private static final Set<String> STATUS_FIELDS = Set.of("status", "message");
  private final EventService events;
  private final RunStatusService lifecycle;
  private final RunService runs;

  public EventResource(EventService events, RunStatusService lifecycle, RunService runs) {
    this.events = events;
    this.lifecycle = lifecycle;
    this.runs = runs;
  }

  /** This resource's handlers; the route table ({@code ApiRoutes}) says where and for whom. */
  public Handlers handlers() {
    return new Handlers(this::append, this::appendBatch, this::list, this::status, this::heartbeat);
  }

  public record Handlers(Router.Handler append, Router.Handler appendBatch, Router.Handler list,
                         Router.Handler status, Router.Handler heartbeat) {}


  private Reply append(ApiRequest request) {
    JsonBody body = JsonBody.of(request.body(), Set.of("level", "message", "metadata", "occurred_at"));
    var event = EventBodies.single(body.raw());
    return Reply.status(201, events.append(request.project(), request.path("run_id"),
        request.principal().subject(), event));
  }

  private Reply appendBatch(ApiRequest request) {
    JsonBody body = request.json(Set.of("events"));
    var batch = EventBodies.batch(body.raw().get("events"));
    var count = events.appendBatch(request.project(), request.path("run_id"), request.principal().subject(),
        batch);
    return BatchAnswer.of(count.runId(), count.received(), count.inserted(), request.requestId());
  }

  private Reply list(ApiRequest request) {
    int limit = PageToken.limit(request.query("limit"), 200, 1000);
    String fingerprint = PageToken.fingerprint("events", request.path("run_id"));
    long before = PageToken.decode(request.query("page_token"), fingerprint, 1)
        .map(c -> parseCursor(c.text(0), ErrorCode.INVALID_PAGE_TOKEN))
        .orElseGet(() -> request.query("before_event_id")
            .map(v -> parseCursor(v, ErrorCode.INVALID_BEFORE_EVENT_ID)).orElse(0L));
    List<RunEvent> page = events.list(request.project(), request.path("run_id"), before, limit + 1);
    Map<String, Object> answer = new LinkedHashMap<>();
    List<RunEvent> kept = page.subList(0, Math.min(limit, page.size()));
    answer.put("events", kept);
    if (!kept.isEmpty()) {
      answer.put("next_before_event_id", kept.get(kept.size() - 1).eventId());
    }
    answer.put("run_id", request.path("run_id"));
    if (page.size() > limit) {
      answer.put("next_page_token", PageToken.encode(fingerprint,
          List.of(Long.toString(kept.get(kept.size() - 1).eventId()))));
    }
    return Reply.ok(answer);
  }

  static long parseCursor(String raw, ErrorCode code) {
    try {
      long value = Long.parseLong(raw.trim());
      if (value >= 0) {
        return value;
      }
    } catch (NumberFormatException e) {
      // answered below
    }
    throw new ApiException(code, "the event cursor must be an integer >= 0");
  }

  private Reply status(ApiRequest request) {
    JsonBody body = request.json(STATUS_FIELDS);
    RunStatus next = RunStatus.parse(body.text("status"));
    lifecycle.changeStatus(request.project(), request.path("run_id"), request.principal().subject(), next,
        body.trimmedText("message"));
    return Reply.ok(runs.get(request.project(), request.path("run_id")));
  }

  private Reply heartbeat(ApiRequest request) {
    JsonBody.ofOptional(request.body(), Set.of());
    var beat = lifecycle.heartbeat(request.project(), request.path("run_id"));
    Map<String, Object> answer = new LinkedHashMap<>();
    answer.put("run_id", beat.runId().toString());
    answer.put("status", beat.status());
    answer.put("last_heartbeat_at", Json.formatInstant(beat.lastHeartbeatAt()));
    return Reply.ok(answer);
  }
}
