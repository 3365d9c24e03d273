package io.animus.datapilot.experiments;

import io.animus.datapilot.http.ApiRequest;
import io.animus.datapilot.kernel.ErrorCode;
import io.animus.datapilot.kernel.Json;
import io.animus.datapilot.http.JsonBody;
import io.animus.datapilot.kernel.PageToken;
import io.animus.datapilot.http.Reply;
import io.animus.datapilot.http.Router;
import java.util.Set;

/** HTTP for {@code /api/experiments/experiments} (docs/protocol.md §3.1). */
public final class ExperimentResource {
  private static final Set<String> CREATE_FIELDS = Set.of("name", "description", "metadata");
  private final ExperimentService service;

  public ExperimentResource(ExperimentService service) {
    this.service = service;
  }

  /** This resource's handlers; the route table ({@code ApiRoutes}) says where and for whom. */
  public Handlers handlers() {
    return new Handlers(this::create, this::list, this::get);
  }

  public record Handlers(Router.Handler create, Router.Handler list, Router.Handler get) {}


  private Reply create(ApiRequest request) {
    JsonBody body = request.json(CREATE_FIELDS);
    var command = new ExperimentService.CreateExperiment(
        io.animus.datapilot.common.Names.require(body.text("name")),
        body.text("description").map(String::trim).orElse(""),
        body.object("metadata", ErrorCode.INVALID_METADATA).orElseGet(Json::object));
    Experiment created = service.create(request.project(), request.principal().subject(), command);
    return Reply.created("/api/experiments/experiments/" + created.experimentId(), created);
  }

  private Reply get(ApiRequest request) {
    return Reply.ok(service.get(request.project(), request.path("experiment_id")));
  }

  private Reply list(ApiRequest request) {
    request.allowOnly("limit", "page_token", "name", "q", "include_archived");
    var page = service.list(request.project(), new ExperimentService.ListExperiments(
        request.query("name"), request.query("q"), includeArchived(request), PageToken.limit(request.query("limit"), 100, 500),
        request.query("page_token")));
    return Reply.ok(page.body("experiments"));
  }

  /** {@code include_archived}: {@code true} or {@code 1} shows archived things too (docs/protocol.md §3.6). */
  static boolean includeArchived(ApiRequest request) {
    return request.query("include_archived").map(String::trim)
        .map(v -> v.equalsIgnoreCase("true") || v.equals("1")).orElse(false);
  }
}
