package io.animus.datapilot.execution;

import io.animus.datapilot.http.ApiRequest;
import io.animus.datapilot.http.Reply;
import io.animus.datapilot.http.Router;
import io.animus.datapilot.http.Router.Access;

/** HTTP for training execution (PROTOCOL.md §8). */
public final class ExecutionResource {
  static final String EXECUTE = "/api/experiments/experiments/runs:execute";
  private static final String RUN = "/api/experiments/experiment-runs/{run_id}";
  private final ExecutionService service;

  public ExecutionResource(ExecutionService service) {
    this.service = service;
  }

  public void register(Router router) {
    if (service.enabled()) {
      router.idempotentPost(EXECUTE, Access.EDITOR, this::execute);
    } else {
      // Answered before the body is read (and before any Idempotency-Key handling).
      router.post(EXECUTE, Access.EDITOR, r -> {
        throw ExecutionService.disabled();
      });
    }
    router.post("/api/experiments/experiment-runs/{run_id}:cancel", Access.EDITOR, this::cancel);
    router.get(RUN + "/execution", Access.VIEWER, r -> Reply.ok(service.execution(r.project(), r.path("run_id"))));
    router.get(RUN + "/build-context", Access.VIEWER,
        r -> Reply.ok(service.buildContext(r.project(), r.path("run_id"))));
  }

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
