package io.animus.datapilot.experiments;

import io.animus.datapilot.kernel.ApiException;
import io.animus.datapilot.http.ApiRequest;
import io.animus.datapilot.kernel.ErrorCode;
import io.animus.datapilot.kernel.Json;
import io.animus.datapilot.http.JsonBody;
import io.animus.datapilot.kernel.Page;
import io.animus.datapilot.kernel.PageToken;
import io.animus.datapilot.http.Reply;
import io.animus.datapilot.http.Router;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** HTTP for runs (docs/protocol.md §3.2, §3.3). */
public final class RunResource {
  private static final Set<String> CREATE_FIELDS = Set.of("status", "dataset_version_id", "started_at", "ended_at",
      "git_repo", "git_commit", "git_ref", "params", "metrics", "artifacts_prefix");
  private static final Set<String> TRUE_WORDS = Set.of("1", "true", "yes", "on");
  private final RunService service;

  public RunResource(RunService service) {
    this.service = service;
  }

  /** This resource's handlers; the route table ({@code ApiRoutes}) says where and for whom. */
  public Handlers handlers() {
    return new Handlers(this::create, this::listForExperiment, this::listForProject, this::get, this::states);
  }

  public record Handlers(Router.Handler create, Router.Handler listForExperiment, Router.Handler listForProject,
                         Router.Handler get, Router.Handler states) {}


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
        artifactsPrefix(body.text("artifacts_prefix")));
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

  private Reply listForExperiment(ApiRequest request) {
    var ordering = RunService.Ordering.parse(request.query("order_by"), request.query("order"));
    return runsPage(service.listForExperiment(request.project(), request.path("experiment_id"),
        request.query("status"), ordering, PageToken.limit(request.query("limit"), 100, 500),
        request.query("page_token"), includes(request, "latest_metrics")));
  }

  private Reply listForProject(ApiRequest request) {
    boolean active = request.query("active").map(v -> TRUE_WORDS.contains(v.trim().toLowerCase(Locale.ROOT)))
        .orElse(false);
    return runsPage(service.listForProject(request.project(), request.query("status"), active,
        PageToken.limit(request.query("limit"), 100, 500), request.query("page_token")));
  }

  private static boolean includes(ApiRequest request, String what) {
    return request.query("include").map(v -> Arrays.asList(v.split(",")).stream().map(String::trim)
        .anyMatch(what::equals)).orElse(false);
  }

  private static Reply runsPage(Page<Run> page) {
    return Reply.ok(page.body("runs"));
  }
}
