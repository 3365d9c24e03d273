package io.animus.datapilot.telemetry;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.animus.datapilot.kernel.ApiException;
import io.animus.datapilot.http.ApiRequest;
import io.animus.datapilot.kernel.ErrorCode;
import io.animus.datapilot.kernel.Json;
import io.animus.datapilot.http.JsonBody;
import io.animus.datapilot.kernel.Page;
import io.animus.datapilot.kernel.PageToken;
import io.animus.datapilot.http.Reply;
import io.animus.datapilot.http.Router;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/** HTTP for metric samples (docs/protocol.md §4.1). */
public final class MetricResource {
  private static final Set<String> STEP_FIELDS = Set.of("step", "metrics", "metadata");
  private final MetricService service;

  public MetricResource(MetricService service) {
    this.service = service;
  }

  /** This resource's handlers; the route table ({@code ApiRoutes}) says where and for whom. */
  public Handlers handlers() {
    return new Handlers(this::appendStep, this::appendBatch, this::list, this::series);
  }

  public record Handlers(Router.Handler appendStep, Router.Handler appendBatch, Router.Handler list,
                         Router.Handler series) {}


  private Reply appendStep(ApiRequest request) {
    JsonBody body = request.json(STEP_FIELDS);
    ObjectNode metadata = body.object("metadata", ErrorCode.INVALID_METADATA).orElseGet(Json::object);
    long step = MetricInput.step(body.raw().get("step"), null);
    var command = new MetricService.AppendMetrics(MetricBodies.step(step, body.raw().get("metrics")), metadata);
    var count = service.append(request.project(), request.path("run_id"), request.principal().subject(), command);
    Map<String, Object> answer = new LinkedHashMap<>();
    answer.put("inserted", count.inserted());
    answer.put("received", count.received());
    answer.put("request_id", request.requestId());
    answer.put("run_id", count.runId().toString());
    answer.put("step", step);
    return Reply.status(count.inserted() > 0 ? 201 : 200, answer);
  }

  private Reply appendBatch(ApiRequest request) {
    var command = new MetricService.AppendMetrics(MetricBodies.batch(request.body()), Json.object());
    var count = service.append(request.project(), request.path("run_id"), request.principal().subject(), command);
    return BatchAnswer.of(count.runId(), count.received(), count.inserted(), request.requestId());
  }

  /** A metric name from the query; PostgreSQL text cannot hold NUL, and no stored name does. */
  private static java.util.Optional<String> queryName(ApiRequest request) {
    return request.query("name").map(n -> {
      if (n.indexOf('\0') >= 0) {
        throw new ApiException(ErrorCode.INVALID_METRIC_NAME, "metric names cannot contain NUL");
      }
      return n;
    });
  }

  private Reply list(ApiRequest request) {
    String name = queryName(request).map(String::trim).orElse("");
    Page<MetricSample> page = service.list(request.project(), request.path("run_id"), request.query("name"),
        PageToken.limit(request.query("limit"), 200, 1000), request.query("page_token"));
    Map<String, Object> answer = new LinkedHashMap<>();
    answer.put("name", name);
    answer.put("run_id", request.path("run_id"));
    answer.putAll(page.body("samples"));
    return Reply.ok(answer);
  }

  private Reply series(ApiRequest request) {
    String name = queryName(request).map(String::trim).filter(n -> !n.isEmpty())
        .orElseThrow(() -> new ApiException(ErrorCode.NAME_REQUIRED, "query parameter name is required"));
    int maxPoints = 1000;
    if (request.query("max_points").isPresent()) {
      maxPoints = PageToken.limit(request.query("max_points"), 1000, 10_000);
      maxPoints = Math.max(2, maxPoints);
    }
    return Reply.ok(service.series(request.project(), request.path("run_id"), name, maxPoints));
  }
}
