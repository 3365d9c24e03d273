package io.animus.datapilot.execution;

import io.animus.datapilot.http.ApiRequest;
import io.animus.datapilot.http.Reply;
import io.animus.datapilot.http.Router;

/** HTTP for training execution (docs/protocol.md §8). */
public final class ExecutionResource {
  private final ExecutionService service;

  public ExecutionResource(ExecutionService service) {
    this.service = service;
  }

  /**
   * This resource's handlers; the route table ({@code ApiRoutes}) says where and for whom. Without
   * an executor, runs:execute is refused before the body is read (and before any Idempotency-Key
   * handling), so it is idempotent only when enabled.
   */
  public Handlers handlers() {
    Router.Handler execute = service.enabled() ? this::execute : r -> {
      throw ExecutionService.disabled();
    };
    return new Handlers(execute, service.enabled(), this::cancel,
        r -> Reply.ok(service.execution(r.project(), r.path("run_id"))),
        r -> Reply.ok(service.buildContext(r.project(), r.path("run_id"))));
  }

  public record Handlers(Router.Handler execute, boolean executeIdempotent, Router.Handler cancel,
                         Router.Handler execution, Router.Handler buildContext) {}


  private Reply execute(ApiRequest request) {
    ExecuteRequest parsed = ExecuteRequest.parse(request.json(ExecuteRequest.FIELDS),
        service.commandRequired());
    ExecutionService.Executed executed = service.execute(request.project(), request.principal().subject(), parsed);
    return Reply.created("/api/experiments/experiment-runs/" + executed.runId(), executed);
  }

  private Reply cancel(ApiRequest request) {
    return Reply.status(202, service.cancel(request.project(), request.path("run_id"),
        request.principal().subject()));
  }
}
