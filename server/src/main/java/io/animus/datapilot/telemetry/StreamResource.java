package io.animus.datapilot.telemetry;

import io.animus.datapilot.experiments.RunService;
import io.animus.datapilot.experiments.RunState;
import io.animus.datapilot.http.ApiRequest;
import io.animus.datapilot.http.ErrorCode;
import io.animus.datapilot.http.Json;
import io.animus.datapilot.http.Reply;
import io.animus.datapilot.http.Router;
import io.animus.datapilot.http.Router.Access;
import java.io.IOException;
import java.io.OutputStream;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.jdbi.v3.core.Jdbi;

/** {@code GET …/stream}: the run's live Server-Sent Events (PROTOCOL.md §4.6). */
public final class StreamResource {
  private static final int BACKLOG_PAGE = 1000;
  private final StreamHub hub;
  private final RunLookup lookup;
  private final RunService runs;
  private final Jdbi jdbi;
  private final EventStore events;
  private final AtomicInteger openStreams;

  public StreamResource(StreamHub hub, RunLookup lookup, RunService runs, Jdbi jdbi, EventStore events,
                        AtomicInteger openStreams) {
    this.hub = hub;
    this.lookup = lookup;
    this.runs = runs;
    this.jdbi = jdbi;
    this.events = events;
    this.openStreams = openStreams;
  }

  public void register(Router router) {
    router.get("/api/experiments/experiment-runs/{run_id}/stream", Access.VIEWER, this::stream);
  }

  private Reply stream(ApiRequest request) throws IOException, InterruptedException {
    Long cursor = cursor(request);
    UUID runId = lookup.require(request.project(), request.path("run_id"));
    var ctx = request.context();
    ctx.status(200);
    ctx.header("Content-Type", "text/event-stream");
    ctx.header("Cache-Control", "no-cache");
    ctx.header("Connection", "keep-alive");
    ctx.header("X-Accel-Buffering", "no");
    if (ctx.req().getMethod().equals("HEAD")) {
      return Reply.written();
    }
    StreamSubscriber subscriber = new StreamSubscriber(runId);
    hub.subscribe(subscriber);
    openStreams.incrementAndGet();
    try {
      OutputStream out = ctx.res().getOutputStream();
      Map<String, Object> ready = new LinkedHashMap<>();
      ready.put("request_id", request.requestId());
      ready.put("run_id", runId.toString());
      ready.put("server_ts", StreamHub.nowSeconds());
      StreamSubscriber.write(out, StreamSubscriber.frame("ready", null, Json.writeString(ready)));
      List<RunState> states = runs.states(request.project(), runId.toString());
      if (!states.isEmpty()) {
        StreamSubscriber.write(out, StreamSubscriber.frame("status", null,
            Json.writeString(states.get(states.size() - 1))));
      }
      if (cursor != null) {
        writeBacklog(out, subscriber, runId, cursor);
      } else {
        // No backlog without a cursor: events committed before the connection opened are skipped,
        // even when the hub hears of them only after this subscriber joined.
        subscriber.skipThrough(jdbi.withHandle(h -> events.latestId(h, runId)));
      }
      subscriber.pump(out);
    } catch (IOException e) {
      // the client went away
    } finally {
      hub.unsubscribe(subscriber);
      openStreams.decrementAndGet();
    }
    return Reply.written();
  }

  private void writeBacklog(OutputStream out, StreamSubscriber subscriber, UUID runId, long after)
      throws IOException {
    long from = after + 1;
    while (true) {
      long start = from;
      List<RunEvent> page = jdbi.withHandle(h -> events.listBetween(h, runId, start, Long.MAX_VALUE, BACKLOG_PAGE));
      for (RunEvent e : page) {
        subscriber.writeEvent(out, e.eventId(), StreamSubscriber.frame("event", e.eventId(), Json.writeString(e)));
        from = e.eventId() + 1;
      }
      if (page.size() < BACKLOG_PAGE) {
        return;
      }
    }
  }

  /** {@code Last-Event-ID} when it is an integer (it wins), else {@code after_event_id}, else none. */
  private static Long cursor(ApiRequest request) {
    var lastEventId = request.header("Last-Event-ID").map(String::trim);
    if (lastEventId.isPresent()) {
      try {
        long value = Long.parseLong(lastEventId.get());
        if (value >= 0) {
          return value;
        }
      } catch (NumberFormatException e) {
        // not an integer: fall back to the query parameter
      }
    }
    return request.query("after_event_id")
        .map(v -> EventResource.parseCursor(v, ErrorCode.INVALID_AFTER_EVENT_ID)).orElse(null);
  }
}
