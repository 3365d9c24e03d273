package io.animus.datapilot.bench;

import io.animus.datapilot.auth.ApiTokenService;
import io.animus.datapilot.auth.ApiTokenStore;
import io.animus.datapilot.auth.AuthResource;
import io.animus.datapilot.common.Clock;
import io.animus.datapilot.config.Config;
import io.animus.datapilot.experiments.ExperimentResource;
import io.animus.datapilot.experiments.ExperimentService;
import io.animus.datapilot.experiments.ExperimentStore;
import io.animus.datapilot.experiments.RunResource;
import io.animus.datapilot.experiments.RunService;
import io.animus.datapilot.experiments.RunStore;
import io.animus.datapilot.http.Router;
import io.animus.datapilot.ops.HttpMetrics;
import io.animus.datapilot.ops.OpsResource;
import io.animus.datapilot.projects.ProjectResource;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * {@link Router#match} on the server's real route table (every resource's {@code register}, with no
 * database behind the handlers: matching never calls them) for the paths the SDK and the console
 * hit most. Defaults are short; override with {@code -f -wi -i -w -r} on the JMH command line.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class RouterBenchmark {
  private static final String EXPERIMENT = "0b6f3c1e-5d2a-4c6e-9f7a-2b8d1e4c3a90";
  private static final String RUN = "7d1e2f3a-4b5c-4d6e-8f90-a1b2c3d4e5f6";
  private static final Map<String, String[]> REQUESTS = Map.of(
      "createRun", new String[] {"POST", "/api/experiments/experiments/" + EXPERIMENT + "/runs"},
      "getRun", new String[] {"GET", "/api/experiments/experiment-runs/" + RUN},
      "runStates", new String[] {"GET", "/api/experiments/experiment-runs/" + RUN + "/states"},
      "listExperiments", new String[] {"GET", "/api/experiments/experiments"},
      "healthz", new String[] {"GET", "/healthz"},
      "notFound", new String[] {"GET", "/api/experiments/experiment-runs/" + RUN + "/nope"},
      "wrongMethod", new String[] {"DELETE", "/api/experiments/experiments/" + EXPERIMENT});

  @Param({"createRun", "getRun", "runStates", "listExperiments", "healthz", "notFound", "wrongMethod"})
  public String request;

  private Router router;
  private String method;
  private String path;

  @Setup
  public void setUp() {
    router = routeTable();
    String[] r = REQUESTS.get(request);
    method = r[0];
    path = r[1];
  }

  /**
   * The routes of the service, auth, experiments and runs parts of the table App wires (same patterns and
   * access), with a handler that is never called: matching is what is measured.
   */
  static Router routeTable() {
    Router.Handler none = request -> {
      throw new IllegalStateException("not called by the benchmark");
    };
    Router router = new Router();
    router.get("/healthz", Router.Access.PUBLIC, none).get("/readyz", Router.Access.PUBLIC, none)
        .get("/metrics", Router.Access.PUBLIC, none)
        .get("/api/auth/me", Router.Access.VIEWER, none)
        .get("/api/auth/tokens", Router.Access.ADMIN, none).post("/api/auth/tokens", Router.Access.ADMIN, none)
        .delete("/api/auth/tokens/{token_id}", Router.Access.ADMIN, none)
        .get("/api/experiments/projects", Router.Access.VIEWER, none)
        .idempotentPost("/api/experiments/experiments", Router.Access.EDITOR, none)
        .get("/api/experiments/experiments", Router.Access.VIEWER, none)
        .get("/api/experiments/experiments/{experiment_id}", Router.Access.VIEWER, none)
        .idempotentPost("/api/experiments/experiments/{experiment_id}/runs", Router.Access.EDITOR, none)
        .get("/api/experiments/experiments/{experiment_id}/runs", Router.Access.VIEWER, none)
        .get("/api/experiments/experiment-runs", Router.Access.VIEWER, none)
        .get("/api/experiments/experiment-runs/{run_id}", Router.Access.VIEWER, none)
        .get("/api/experiments/experiment-runs/{run_id}/states", Router.Access.VIEWER, none);
    return router;
  }

  @Benchmark
  public Router.Match match() {
    return router.match(method, path);
  }
}
