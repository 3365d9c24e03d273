package io.animus.datapilot.deletion;

import io.animus.datapilot.http.ApiRequest;
import io.animus.datapilot.http.Reply;
import io.animus.datapilot.http.Router;

/** HTTP for DELETE of runs, experiments, datasets and versions, and {@code /api/deletions} (docs/protocol.md §3.6). */
public final class DeletionResource {
  private final DeletionService service;

  public DeletionResource(DeletionService service) {
    this.service = service;
  }

  public Handlers handlers() {
    return new Handlers(this::run, this::experiment, this::dataset, this::version, this::get);
  }

  public record Handlers(Router.Handler deleteRun, Router.Handler deleteExperiment, Router.Handler deleteDataset,
                         Router.Handler deleteVersion, Router.Handler get) {}

  private Reply run(ApiRequest r) {
    return accepted(service.deleteRun(r.project(), r.path("run_id"), r.principal().subject()));
  }

  private Reply experiment(ApiRequest r) {
    return accepted(service.deleteExperiment(r.project(), r.path("experiment_id"), r.principal().subject()));
  }

  private Reply dataset(ApiRequest r) {
    return accepted(service.deleteDataset(r.project(), r.path("dataset_id"), force(r), r.principal().subject()));
  }

  private Reply version(ApiRequest r) {
    return accepted(service.deleteVersion(r.project(), r.path("version_id"), force(r), r.principal().subject()));
  }

  private Reply get(ApiRequest r) {
    return Reply.ok(DeletionService.view(service.get(r.project(), r.path("deletion_id"))));
  }

  private static boolean force(ApiRequest r) {
    r.allowOnly("force");
    return r.query("force").map(String::trim).map(v -> v.equalsIgnoreCase("true") || v.equals("1")).orElse(false);
  }

  private static Reply accepted(Deletion d) {
    return Reply.status(202, DeletionService.view(d));
  }
}
