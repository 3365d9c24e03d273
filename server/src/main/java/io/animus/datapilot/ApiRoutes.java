package io.animus.datapilot;

import static io.animus.datapilot.http.Router.Access.ADMIN;
import static io.animus.datapilot.http.Router.Access.CI;
import static io.animus.datapilot.http.Router.Access.EDITOR;
import static io.animus.datapilot.http.Router.Access.PUBLIC;
import static io.animus.datapilot.http.Router.Access.VIEWER;
import static io.animus.datapilot.http.Router.RunTokenScope.IDENTITY;
import static io.animus.datapilot.http.Router.RunTokenScope.PATCH_RUN;
import static io.animus.datapilot.http.Router.RunTokenScope.READ_DATASET_VERSION;
import static io.animus.datapilot.http.Router.RunTokenScope.READ_RUN;
import static io.animus.datapilot.http.Router.RunTokenScope.WRITE_RUN;

import io.animus.datapilot.artifacts.ArtifactResource;
import io.animus.datapilot.auth.AuthResource;
import io.animus.datapilot.ci.CiResource;
import io.animus.datapilot.console.ConsoleResource;
import io.animus.datapilot.datasets.DatasetResource;
import io.animus.datapilot.deletion.DeletionResource;
import io.animus.datapilot.execution.ExecutionResource;
import io.animus.datapilot.experiments.ExperimentResource;
import io.animus.datapilot.experiments.RunRemovalResource;
import io.animus.datapilot.experiments.RunResource;
import io.animus.datapilot.http.Router;
import io.animus.datapilot.ops.OpsResource;
import io.animus.datapilot.projects.ProjectResource;
import io.animus.datapilot.telemetry.EventResource;
import io.animus.datapilot.telemetry.MetricResource;
import io.animus.datapilot.telemetry.StreamResource;

/**
 * The route table: every path the server answers, its handler, whether it honours
 * {@code Idempotency-Key}, and who may call it (docs/protocol.md §2.4's roles and §2.3's run-token
 * scope), each written once here. The access policy decides from these declarations only.
 */
final class ApiRoutes {
  private static final String RUNS = "/api/experiments/experiment-runs";
  private static final String RUN = RUNS + "/{run_id}";
  private static final String EXPERIMENTS = "/api/experiments/experiments";
  private static final String DATASETS = "/api/dataset-registry/datasets";
  private static final String VERSION = "/api/dataset-registry/dataset-versions/{version_id}";

  private ApiRoutes() {}

  /** Every resource that answers a route. */
  record Resources(OpsResource ops, ConsoleResource console, AuthResource auth, ProjectResource projects,
                   ExperimentResource experiments, RunResource runs, MetricResource metrics, EventResource events,
                   StreamResource stream, ArtifactResource artifacts, DatasetResource datasets, CiResource ci,
                   ExecutionResource execution, RunRemovalResource removal,
                   DeletionResource deletions) {}

  static Router table(Resources resources) {
    Router router = new Router();
    service(router, resources.ops().handlers(), resources.console().handlers());
    auth(router, resources.auth().handlers());
    experiments(router, resources);
    telemetry(router, resources.metrics().handlers(), resources.events().handlers(), resources.stream().handler());
    artifacts(router, resources.artifacts().handlers());
    datasets(router, resources.datasets().handlers());
    ci(router, resources.ci().handlers());
    execution(router, resources.execution().handlers());
    removal(router, resources.removal().handlers(), resources.datasets().handlers());
    deletions(router, resources.deletions().handlers());
    return router;
  }

  private static void service(Router r, OpsResource.Handlers ops, ConsoleResource.Handlers console) {
    r.get("/healthz", PUBLIC, ops.health());
    r.get("/readyz", PUBLIC, ops.readiness());
    // public at the router: the handler lets loopback, the dev mode and viewers in (§9)
    r.get("/metrics", PUBLIC, ops.prometheus());
    r.get("/", PUBLIC, ops.root());
    r.get("/console", PUBLIC, console.redirect());
    r.get("/console/", PUBLIC, console.index());
    r.get("/console/{file}", PUBLIC, console.page());
    r.get("/webjars/uplot/{version}/dist/{file}", PUBLIC, console.webjar());
  }

  private static void auth(Router r, AuthResource.Handlers auth) {
    r.post("/api/auth/tokens", ADMIN, auth.create());
    r.get("/api/auth/tokens", ADMIN, auth.list());
    r.delete("/api/auth/tokens/{token_id}", ADMIN, auth.revoke());
    r.get("/api/auth/me", VIEWER.orRunToken(IDENTITY), auth.me());
  }

  private static void experiments(Router r, Resources resources) {
    ExperimentResource.Handlers experiments = resources.experiments().handlers();
    RunResource.Handlers runs = resources.runs().handlers();
    r.get("/api/experiments/projects", VIEWER, resources.projects().list());
    r.idempotentPost(EXPERIMENTS, EDITOR, experiments.create());
    r.get(EXPERIMENTS, VIEWER, experiments.list());
    r.get(EXPERIMENTS + "/{experiment_id}", VIEWER, experiments.get());
    r.idempotentPost(EXPERIMENTS + "/{experiment_id}/runs", EDITOR, runs.create());
    r.get(EXPERIMENTS + "/{experiment_id}/runs", VIEWER, runs.listForExperiment());
    r.get(RUNS, VIEWER, runs.listForProject());
    r.post(RUNS + ":search", VIEWER, runs.search());
    r.get(RUN, VIEWER.orRunToken(READ_RUN), runs.get());
    r.patch(RUN, EDITOR.orRunToken(PATCH_RUN), runs.patch());
    r.post(RUN + "/params", EDITOR.orRunToken(WRITE_RUN), runs.addParams());
    r.get(RUN + "/states", VIEWER.orRunToken(READ_RUN), runs.states());
  }

  private static void telemetry(Router r, MetricResource.Handlers metrics, EventResource.Handlers events,
                                Router.Handler stream) {
    r.dataPost(RUN + "/metrics", EDITOR.orRunToken(WRITE_RUN), metrics.appendStep());
    r.dataPost(RUN + "/metrics:batch", EDITOR.orRunToken(WRITE_RUN), metrics.appendBatch());
    r.get(RUN + "/metrics", VIEWER.orRunToken(READ_RUN), metrics.list());
    r.get(RUN + "/metrics/series", VIEWER.orRunToken(READ_RUN), metrics.series());
    r.dataPost(RUN + "/events", EDITOR.orRunToken(WRITE_RUN), events.append());
    r.dataPost(RUN + "/events:batch", EDITOR.orRunToken(WRITE_RUN), events.appendBatch());
    r.get(RUN + "/events", VIEWER.orRunToken(READ_RUN), events.list());
    r.post(RUN + "/status", EDITOR.orRunToken(WRITE_RUN), events.status());
    r.dataPost(RUN + "/heartbeat", EDITOR.orRunToken(WRITE_RUN), events.heartbeat());
    r.get(RUN + "/stream", VIEWER.orRunToken(READ_RUN), stream);
  }

  private static void artifacts(Router r, ArtifactResource.Handlers artifacts) {
    r.post(RUN + "/artifacts", EDITOR.orRunToken(WRITE_RUN), artifacts.upload());
    r.get(RUN + "/artifacts", VIEWER.orRunToken(READ_RUN), artifacts.list());
    r.get(RUN + "/artifacts/{artifact_id}", VIEWER.orRunToken(READ_RUN), artifacts.get());
    r.get(RUN + "/artifacts/{artifact_id}/download", VIEWER.orRunToken(READ_RUN), artifacts.download());
  }

  private static void datasets(Router r, DatasetResource.Handlers datasets) {
    r.idempotentPost(DATASETS, EDITOR, datasets.create());
    r.get(DATASETS, VIEWER, datasets.list());
    r.get(DATASETS + "/{dataset_id}", VIEWER, datasets.get());
    r.post(DATASETS + "/{dataset_id}/versions/upload", EDITOR, datasets.upload());
    r.get(DATASETS + "/{dataset_id}/versions", VIEWER, datasets.listVersions());
    r.get(VERSION, VIEWER.orRunToken(READ_DATASET_VERSION), datasets.getVersion());
    r.get(VERSION + "/download", VIEWER.orRunToken(READ_DATASET_VERSION), datasets.download());
    r.post(VERSION + "/quality-evaluations", EDITOR, datasets.evaluate());
    r.get(VERSION + "/quality-evaluations", VIEWER, datasets.evaluations());
  }

  private static void ci(Router r, CiResource.Handlers ci) {
    r.post("/api/experiments/ci/webhook", CI, ci.webhook());
    r.post("/api/experiments/ci/report", CI, ci.report());
    r.get(RUN + "/ci-contexts", VIEWER, ci.contexts());
    r.get("/api/experiments/model-images", VIEWER, ci.images());
    r.get("/api/experiments/model-images/{image_digest*}", VIEWER, ci.image());
  }

  private static void execution(Router r, ExecutionResource.Handlers execution) {
    r.add("POST", EXPERIMENTS + "/runs:execute", EDITOR, execution.executeIdempotent(), execution.execute());
    r.post(RUN + ":cancel", EDITOR, execution.cancel());
    r.get(RUN + "/execution", VIEWER, execution.execution());
    r.get(RUN + "/build-context", VIEWER, execution.buildContext());
  }

  /** Archive and restore (docs/protocol.md §3.6): editors only, never a run token. */
  private static void removal(Router r, RunRemovalResource.Handlers removal, DatasetResource.Handlers datasets) {
    r.post(RUN + ":archive", EDITOR, removal.archiveRun());
    r.post(RUN + ":restore", EDITOR, removal.restoreRun());
    r.post(EXPERIMENTS + "/{experiment_id}:archive", EDITOR, removal.archiveExperiment());
    r.post(EXPERIMENTS + "/{experiment_id}:restore", EDITOR, removal.restoreExperiment());
    r.post(DATASETS + "/{dataset_id}:archive", EDITOR, datasets.archive());
    r.post(DATASETS + "/{dataset_id}:restore", EDITOR, datasets.restore());
  }

  /** Deletes (docs/protocol.md §3.6): editors only, never a run token. */
  private static void deletions(Router r, DeletionResource.Handlers deletions) {
    r.delete(RUN, EDITOR, deletions.deleteRun());
    r.delete(EXPERIMENTS + "/{experiment_id}", EDITOR, deletions.deleteExperiment());
    r.delete(DATASETS + "/{dataset_id}", EDITOR, deletions.deleteDataset());
    r.delete(VERSION, EDITOR, deletions.deleteVersion());
    r.get("/api/deletions/{deletion_id}", EDITOR, deletions.get());
  }
}
