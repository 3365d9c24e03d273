package io.animus.datapilot.telemetry;

import io.animus.datapilot.experiments.RunLookup;
import io.animus.datapilot.experiments.RunService;
import io.animus.datapilot.kernel.ApiException;
import io.animus.datapilot.http.ApiRequest;
import io.animus.datapilot.kernel.ErrorCode;
import io.animus.datapilot.kernel.Json;
import io.animus.datapilot.kernel.PageToken;
import io.animus.datapilot.http.Reply;
import io.animus.datapilot.http.Router;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.eclipse.jetty.ee10.servlet.ServletContextRequest;
import org.eclipse.jetty.io.EndPoint;

/** {@code GET …/stream}: the run's live Server-Sent Events (docs/protocol.md §4.6). */
public final class StreamResource {
  /** Three pings: a reader that has not taken a byte for this long is gone. */
  static final long STREAM_IDLE_TIMEOUT_MS = 45_000;
  /** Series one stream may open with ({@code series} repeated); more is {@code too_many_items}. */
  static final int MAX_SERIES = 20;
  private final StreamHub hub;
  private final RunLookup lookup;
  private final StreamLimits limits;
  private final StreamOpener opener;

  public StreamResource(StreamHub hub, RunLookup lookup, RunService runs, EventService events, MetricService metrics,
                        StreamLimits limits) {
    this.hub = hub;
    this.lookup = lookup;
    this.limits = limits;
    this.opener = new StreamOpener(hub.workers().reads(), runs, events, metrics);
  }

  /** This resource's handler; the route table ({@code ApiRoutes}) says where and for whom. */
  public Router.Handler handler() {
    return this::stream;
  }


  /**
   * Checks the request (400, 404) and takes a place under the caps on the request thread; then
   * hands the connection to Javalin's async mode and returns the thread. The opening reads (status,
   * latest event id, requested series, backlog pages) run on the hub's read threads, each on a
   * pooled connection returned at once; writes run on its writers.
   */
  private Reply stream(ApiRequest request) {
    Long cursor = cursor(request);
    StreamOpener.SeriesRequest series = series(request);
    UUID runId = lookup.require(request.project(), request.path("run_id"));
    var ctx = request.context();
    boolean head = ctx.req().getMethod().equals("HEAD");
    Runnable release = head ? () -> { } : acquire(request); // HEAD holds nothing: no cap
    ctx.status(200);
    ctx.header("Content-Type", "text/event-stream");
    ctx.header("Cache-Control", "no-cache");
    ctx.header("Connection", "keep-alive");
    ctx.header("X-Accel-Buffering", "no");
    if (head) {
      return Reply.written();
    }
    StreamSubscriber subscriber = new StreamSubscriber(runId, hub.workers());
    subscriber.onEnd(() -> {
      hub.unsubscribe(subscriber);
      release.run();
    });
    Map<String, Object> ready = new LinkedHashMap<>();
    ready.put("request_id", request.requestId());
    ready.put("run_id", runId.toString());
    ready.put("server_ts", StreamHub.nowSeconds());
    subscriber.first(SseFrames.frame("ready", null, Json.writeString(ready)));
    hub.subscribe(subscriber); // before the opening reads, so nothing committed meanwhile is missed
    opener.open(subscriber, cursor, series);
    ctx.future(() -> attach(ctx.req(), ctx.res(), subscriber));
    return Reply.written();
  }

  private Runnable acquire(ApiRequest request) {
    try {
      return limits.acquire(request.principal().subject());
    } catch (ApiException e) {
      request.context().header("Retry-After", Integer.toString(StreamLimits.RETRY_AFTER_SECONDS));
      throw e;
    }
  }

  /** Runs once Javalin has put the request in async mode: the stream starts writing. */
  private static CompletableFuture<Void> attach(HttpServletRequest req, HttpServletResponse res,
                                                StreamSubscriber subscriber) {
    try {
      AsyncContext async = req.getAsyncContext();
      async.setTimeout(0); // a stream lasts as long as its reader
      async.addListener(new AsyncListener() {
        @Override
        public void onComplete(AsyncEvent event) {
          subscriber.finish();
        }

        @Override
        public void onTimeout(AsyncEvent event) {
          subscriber.finish();
        }

        @Override
        public void onError(AsyncEvent event) {
          subscriber.finish();
        }

        @Override
        public void onStartAsync(AsyncEvent event) {
          // nothing to do
        }
      });
      EndPoint endPoint = ServletContextRequest.getServletContextRequest(req).getConnectionMetaData()
          .getConnection().getEndPoint();
      // A healthy stream writes a ping every 15 s; the connector's idle timeout (which may be short,
      // against idle ordinary connections) must not cut it, while a reader that stopped reading still goes.
      endPoint.setIdleTimeout(STREAM_IDLE_TIMEOUT_MS);
      return subscriber.attach(res.getOutputStream(), endPoint::close);
    } catch (IOException | RuntimeException e) {
      subscriber.finish();
      return CompletableFuture.completedFuture(null);
    }
  }

  /**
   * The series to open with: every {@code series} parameter is one name (repeated for several, so a
   * name may hold a comma), trimmed as by {@code GET …/metrics/series}; a repeated name counts once.
   * {@code max_points} is clamped as there.
   */
  private static StreamOpener.SeriesRequest series(ApiRequest request) {
    List<String> raw = request.queries("series");
    if (raw.isEmpty()) {
      return StreamOpener.SeriesRequest.NONE;
    }
    Set<String> names = new LinkedHashSet<>();
    for (String value : raw) {
      if (value.indexOf('\0') >= 0) {
        throw new ApiException(ErrorCode.INVALID_METRIC_NAME, "metric names cannot contain NUL");
      }
      String name = value.trim();
      if (name.isEmpty()) {
        throw new ApiException(ErrorCode.NAME_REQUIRED, "every series parameter must name a metric");
      }
      names.add(name);
    }
    if (names.size() > MAX_SERIES) {
      throw new ApiException(ErrorCode.TOO_MANY_ITEMS, "a stream opens with at most " + MAX_SERIES + " series",
          Map.of("max_items", MAX_SERIES));
    }
    int maxPoints = 1000;
    if (request.query("max_points").isPresent()) {
      maxPoints = Math.max(2, PageToken.limit(request.query("max_points"), 1000, 10_000));
    }
    return new StreamOpener.SeriesRequest(List.copyOf(names), maxPoints);
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
