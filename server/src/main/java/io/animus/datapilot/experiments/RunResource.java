package io.animus.datapilot.experiments;

import com.fasterxml.jackson.databind.JsonNode;
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
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** HTTP for runs (docs/protocol.md §3.2-§3.5). */
public final class RunResource {
  private static final Set<String> CREATE_FIELDS = Set.of("status", "dataset_version_id", "started_at", "ended_at",
      "git_repo", "git_commit", "git_ref", "params", "metrics", "artifacts_prefix", "name", "tags", "notes");
  private static final Set<String> PATCH_FIELDS = Set.of("name", "notes", "tags", "metrics");
  private static final Set<String> SEARCH_FIELDS = Set.of("filter", "experiment_ids", "order_by", "order", "limit",
      "page_token", "include", "include_archived");
  private static final String[] EXPERIMENT_LIST_QUERY = {"limit", "page_token", "status", "order_by", "order",
      "include", "filter", "include_archived"};
  private static final String[] PROJECT_LIST_QUERY = {"limit", "page_token", "status", "active", "order_by", "order",
      "include", "filter", "include_archived"};
  private static final Set<String> TRUE_WORDS = Set.of("1", "true", "yes", "on");
  private final RunService service;
  private final RunQueries queries;

  public RunResource(RunService service, RunQueries queries) {
    this.service = service;
    this.queries = queries;
  }

  /** This resource's handlers; the route table ({@code ApiRoutes}) says where and for whom. */
  public Handlers handlers() {
    return new Handlers(this::create, this::listForExperiment, this::listForProject, this::search, this::get,
        this::states, this::patch, this::addParams);
  }

  public record Handlers(Router.Handler create, Router.Handler listForExperiment, Router.Handler listForProject,
                         Router.Handler search, Router.Handler get, Router.Handler states, Router.Handler patch,
                         Router.Handler addParams) {}


  private Reply create(ApiRequest request) {
    JsonBody body = request.json(CREATE_FIELDS);
    var command = new RunService.CreateRun(
        RunStatus.parse(body.text("status")),
        body.trimmedText("dataset_version_id"),
        body.instant("started_at"),
        body.instant("ended_at"),
        body.trimmedText("git_repo"),
        body.trimmedText("git_commit"),
        body.trimmedText("git_ref"),
        body.object("params", ErrorCode.INVALID_PARAMS).orElseGet(Json::object),
        body.object("metrics", ErrorCode.INVALID_METRICS).orElseGet(Json::object),
        artifactsPrefix(body.text("artifacts_prefix")),
        body.text("name"),
        body.object("tags", ErrorCode.INVALID_TAGS).orElseGet(Json::object),
        body.text("notes"));
    Run run = service.create(request.project(), request.principal().subject(), request.path("experiment_id"),
        command);
    return Reply.created("/api/experiments/experiment-runs/" + run.runId(), run);
  }

  static Optional<String> artifactsPrefix(Optional<String> raw) {
    return raw.map(String::trim).map(p -> p.replaceAll("^/+|/+$", "")).filter(p -> !p.isEmpty()).map(p -> {
      if (Arrays.asList(p.split("/", -1)).contains("..")) {
        throw new ApiException(ErrorCode.INVALID_ARTIFACTS_PREFIX, "artifacts_prefix must not contain ..");
      }
      return p;
    });
  }

  private Reply get(ApiRequest request) {
    return Reply.ok(service.get(request.project(), request.path("run_id")));
  }

  private Reply states(ApiRequest request) {
    String runId = request.path("run_id");
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("run_id", runId);
    body.put("states", service.states(request.project(), runId));
    return Reply.ok(body);
  }

  private Reply patch(ApiRequest request) {
    JsonBody body = request.json(PATCH_FIELDS);
    var command = new RunService.PatchRun(body.text("name"), body.text("notes"),
        body.object("tags", ErrorCode.INVALID_TAGS), body.object("metrics", ErrorCode.INVALID_METRICS));
    return Reply.ok(service.patch(request.project(), request.path("run_id"), command));
  }

  private Reply addParams(ApiRequest request) {
    JsonBody body = request.json(Set.of("params"));
    ObjectNode params = body.object("params", ErrorCode.INVALID_PARAMS)
        .orElseThrow(() -> new ApiException(ErrorCode.INVALID_PARAMS, "params must be a non-empty JSON object"));
    return Reply.ok(service.addParams(request.project(), request.path("run_id"), params));
  }

  private Reply listForExperiment(ApiRequest request) {
    request.allowOnly(EXPERIMENT_LIST_QUERY);
    return runsPage(queries.listForExperiment(request.project(), request.path("experiment_id"),
        fromQuery(request, false)));
  }

  private Reply listForProject(ApiRequest request) {
    request.allowOnly(PROJECT_LIST_QUERY);
    return runsPage(queries.listForProject(request.project(), fromQuery(request, true)));
  }

  private static RunQueries.RunQuery fromQuery(ApiRequest request, boolean activeFilter) {
    boolean active = activeFilter && request.query("active").map(RunResource::truthy).orElse(false);
    return new RunQueries.RunQuery(List.of(), request.textQuery("filter"), request.query("status"), active,
        RunOrder.parse(request.query("order_by"), request.query("order")),
        PageToken.limit(request.query("limit"), 100, 500), request.query("page_token"),
        includes(request.query("include"), "latest_metrics"),
        request.query("include_archived").map(RunResource::truthy).orElse(false));
  }

  private Reply search(ApiRequest request) {
    JsonBody body = request.jsonOptional(SEARCH_FIELDS);
    ObjectNode raw = body.raw();
    List<String> experimentIds = new ArrayList<>();
    JsonNode ids = raw.path("experiment_ids");
    if (!ids.isMissingNode() && !ids.isNull()) {
      if (!ids.isArray() || ids.size() > 100) {
        throw new ApiException(ErrorCode.INVALID_JSON, "experiment_ids must be an array of at most 100 ids");
      }
      ids.forEach(id -> experimentIds.add(id.isTextual() ? id.textValue() : ""));
    }
    JsonNode include = raw.path("include");
    if (!include.isMissingNode() && !include.isNull() && !include.isArray()) {
      throw new ApiException(ErrorCode.INVALID_JSON, "include must be an array such as [\"latest_metrics\"]");
    }
    JsonNode archived = raw.path("include_archived");
    if (!archived.isMissingNode() && !archived.isNull() && !archived.isBoolean()) {
      throw new ApiException(ErrorCode.INVALID_JSON, "include_archived must be true or false");
    }
    JsonNode limit = raw.path("limit");
    if (!limit.isMissingNode() && !limit.isNull() && !limit.isIntegralNumber()) {
      throw new ApiException(ErrorCode.INVALID_JSON, "limit must be an integer");
    }
    var query = new RunQueries.RunQuery(experimentIds, body.text("filter"), Optional.empty(), false,
        RunOrder.parse(body.text("order_by"), body.text("order")),
        PageToken.limit(limit.isIntegralNumber() ? Optional.of(limit.asText()) : Optional.empty(), 100, 500),
        body.text("page_token"),
        include.isArray() && java.util.stream.StreamSupport.stream(include.spliterator(), false)
            .anyMatch(v -> "latest_metrics".equals(v.asText())),
        archived.asBoolean(false));
    return runsPage(queries.listForProject(request.project(), query));
  }

  private static boolean truthy(String value) {
    return TRUE_WORDS.contains(value.trim().toLowerCase(Locale.ROOT));
  }

  private static boolean includes(Optional<String> include, String what) {
    return include.map(v -> Arrays.asList(v.split(",")).stream().map(String::trim)
        .anyMatch(what::equals)).orElse(false);
  }

  private static Reply runsPage(Page<Run> page) {
    return Reply.ok(page.body("runs"));
  }
}
