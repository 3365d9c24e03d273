package io.animus.datapilot.experiments;

import io.animus.datapilot.http.ApiRequest;
import io.animus.datapilot.http.Reply;
import io.animus.datapilot.http.Router;

/** HTTP for archiving and restoring runs and experiments (docs/protocol.md §3.6). */
public final class RunRemovalResource {
  private final RunRemovalService service;

  public RunRemovalResource(RunRemovalService service) {
    this.service = service;
  }

  /** This resource's handlers; the route table ({@code ApiRoutes}) says where and for whom. */
  public Handlers handlers() {
    return new Handlers(r -> run(r, true), r -> run(r, false), r -> experiment(r, true), r -> experiment(r, false));
  }

  public record Handlers(Router.Handler archiveRun, Router.Handler restoreRun, Router.Handler archiveExperiment,
                         Router.Handler restoreExperiment) {}

  private Reply run(ApiRequest request, boolean archive) {
    return Reply.ok(service.archiveRun(request.project(), request.path("run_id"), archive));
  }

  private Reply experiment(ApiRequest request, boolean archive) {
    return Reply.ok(service.archiveExperiment(request.project(), request.path("experiment_id"), archive));
  }
}
