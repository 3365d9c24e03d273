package io.animus.datapilot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.animus.datapilot.http.Reply;
import io.animus.datapilot.http.Router;
import io.animus.datapilot.http.Router.Access;
import io.animus.datapilot.http.Router.RunTokenScope;
import io.animus.datapilot.testing.RunTokenRoutes;
import io.animus.datapilot.testing.TestServer;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The route table declares who may call each route, once, and exactly the run-token routes listed. */
class ApiRoutesTest {
  /** Every route with its declared access (docs/protocol.md §2.4): changing one is a conscious change here. */
  private static final List<String> ALL = List.of(
      "GET /healthz public NONE",
      "GET /readyz public NONE",
      "GET /metrics public NONE",
      "GET / public NONE",
      "GET /console public NONE",
      "GET /console/ public NONE",
      "GET /console/{file} public NONE",
      "GET /webjars/uplot/{version}/dist/{file} public NONE",
      "POST /api/auth/tokens admin NONE",
      "GET /api/auth/tokens admin NONE",
      "DELETE /api/auth/tokens/{token_id} admin NONE",
      "GET /api/auth/me viewer IDENTITY",
      "GET /api/experiments/projects viewer NONE",
      "POST /api/experiments/experiments editor NONE idempotent",
      "GET /api/experiments/experiments viewer NONE",
      "GET /api/experiments/experiments/{experiment_id} viewer NONE",
      "POST /api/experiments/experiments/{experiment_id}/runs editor NONE idempotent",
      "GET /api/experiments/experiments/{experiment_id}/runs viewer NONE",
      "GET /api/experiments/experiment-runs viewer NONE",
      "POST /api/experiments/experiment-runs:search viewer NONE",
      "PATCH /api/experiments/experiment-runs/{run_id} editor PATCH_RUN",
      "POST /api/experiments/experiment-runs/{run_id}/params editor WRITE_RUN",
      "GET /api/experiments/experiment-runs/{run_id} viewer READ_RUN",
      "GET /api/experiments/experiment-runs/{run_id}/states viewer READ_RUN",
      "POST /api/experiments/experiment-runs/{run_id}/metrics editor WRITE_RUN",
      "POST /api/experiments/experiment-runs/{run_id}/metrics:batch editor WRITE_RUN",
      "GET /api/experiments/experiment-runs/{run_id}/metrics viewer READ_RUN",
      "GET /api/experiments/experiment-runs/{run_id}/metrics/series viewer READ_RUN",
      "POST /api/experiments/experiment-runs/{run_id}/events editor WRITE_RUN",
      "POST /api/experiments/experiment-runs/{run_id}/events:batch editor WRITE_RUN",
      "GET /api/experiments/experiment-runs/{run_id}/events viewer READ_RUN",
      "POST /api/experiments/experiment-runs/{run_id}/status editor WRITE_RUN",
      "POST /api/experiments/experiment-runs/{run_id}/heartbeat editor WRITE_RUN",
      "GET /api/experiments/experiment-runs/{run_id}/stream viewer READ_RUN",
      "POST /api/experiments/experiment-runs/{run_id}/artifacts editor WRITE_RUN",
      "GET /api/experiments/experiment-runs/{run_id}/artifacts viewer READ_RUN",
      "GET /api/experiments/experiment-runs/{run_id}/artifacts/{artifact_id} viewer READ_RUN",
      "GET /api/experiments/experiment-runs/{run_id}/artifacts/{artifact_id}/download viewer READ_RUN",
      "POST /api/dataset-registry/datasets editor NONE idempotent",
      "GET /api/dataset-registry/datasets viewer NONE",
      "GET /api/dataset-registry/datasets/{dataset_id} viewer NONE",
      "POST /api/dataset-registry/datasets/{dataset_id}/versions/upload editor NONE",
      "GET /api/dataset-registry/datasets/{dataset_id}/versions viewer NONE",
      "GET /api/dataset-registry/dataset-versions/{version_id} viewer READ_DATASET_VERSION",
      "GET /api/dataset-registry/dataset-versions/{version_id}/download viewer READ_DATASET_VERSION",
      "POST /api/dataset-registry/dataset-versions/{version_id}/quality-evaluations editor NONE",
      "GET /api/dataset-registry/dataset-versions/{version_id}/quality-evaluations viewer NONE",
      "POST /api/experiments/ci/webhook ci NONE",
      "POST /api/experiments/ci/report ci NONE",
      "GET /api/experiments/experiment-runs/{run_id}/ci-contexts viewer NONE",
      "GET /api/experiments/model-images viewer NONE",
      "GET /api/experiments/model-images/{image_digest*} viewer NONE",
      "POST /api/experiments/experiments/runs:execute editor NONE",
      "POST /api/experiments/experiment-runs/{run_id}:cancel editor NONE",
      "GET /api/experiments/experiment-runs/{run_id}/execution viewer NONE",
      "GET /api/experiments/experiment-runs/{run_id}/build-context viewer NONE",
      "POST /api/experiments/experiment-runs/{run_id}:archive editor NONE",
      "POST /api/experiments/experiment-runs/{run_id}:restore editor NONE",
      "POST /api/experiments/experiments/{experiment_id}:archive editor NONE",
      "POST /api/experiments/experiments/{experiment_id}:restore editor NONE",
      "POST /api/dataset-registry/datasets/{dataset_id}:archive editor NONE",
      "POST /api/dataset-registry/datasets/{dataset_id}:restore editor NONE",
      "DELETE /api/experiments/experiment-runs/{run_id} editor NONE",
      "DELETE /api/experiments/experiments/{experiment_id} editor NONE",
      "DELETE /api/dataset-registry/datasets/{dataset_id} editor NONE",
      "DELETE /api/dataset-registry/dataset-versions/{version_id} editor NONE",
      "GET /api/deletions/{deletion_id} editor NONE");
  private static final Router.Handler NOTHING = r -> Reply.ok(null);
  private static TestServer server;

  @BeforeAll
  static void start() {
    server = TestServer.start();
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  private static String describe(Router.Route route) {
    return RunTokenRoutes.describe(route) + (route.idempotent() ? " idempotent" : "");
  }

  @Test
  void everyRouteDeclaresWhoMayCallIt() {
    List<Router.Route> routes = server.app().routes();
    assertThat(routes).isNotEmpty();
    for (Router.Route route : routes) {
      assertThat(route.access()).as(route.method() + " " + route.pattern()).isNotNull();
      assertThat(route.access().level()).as(route.method() + " " + route.pattern()).isNotNull();
      assertThat(route.access().runToken()).as(route.method() + " " + route.pattern()).isNotNull();
    }
    assertThat(routes.stream().map(ApiRoutesTest::describe).toList()).containsExactlyInAnyOrderElementsOf(ALL);
  }

  @Test
  void theRoutesARunTokenMayCallAreExactlyTheWrittenOutList() {
    List<String> runTokenRoutes = server.app().routes().stream()
        .filter(route -> route.access().runToken() != RunTokenScope.NONE)
        .map(RunTokenRoutes::describe).toList();
    assertThat(runTokenRoutes).containsExactlyInAnyOrderElementsOf(RunTokenRoutes.EXPECTED);
  }

  @Test
  void aRouteCannotBeDeclaredWithoutAccess() {
    assertThatThrownBy(() -> new Router().get("/x", null, NOTHING)).isInstanceOf(NullPointerException.class)
        .hasMessageContaining("access");
    assertThatThrownBy(() -> new Access(null, RunTokenScope.NONE)).isInstanceOf(NullPointerException.class);
    assertThatThrownBy(() -> new Access(Access.Level.VIEWER, null)).isInstanceOf(NullPointerException.class);
  }

  @Test
  void onlyViewerAndEditorRoutesOpenToRunTokens() {
    for (Access closed : List.of(Access.PUBLIC, Access.ADMIN, Access.CI)) {
      assertThatThrownBy(() -> closed.orRunToken(RunTokenScope.READ_RUN)).as(closed.level().name())
          .isInstanceOf(IllegalArgumentException.class);
    }
    assertThat(Access.VIEWER.orRunToken(RunTokenScope.READ_RUN).runToken()).isEqualTo(RunTokenScope.READ_RUN);
  }

  @Test
  void aRunTokenScopeMustFitItsRoute() {
    Access read = Access.VIEWER.orRunToken(RunTokenScope.READ_RUN);
    Access write = Access.EDITOR.orRunToken(RunTokenScope.WRITE_RUN);
    assertThatThrownBy(() -> new Router().post("/runs/{run_id}/x", read, NOTHING))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("GET");
    assertThatThrownBy(() -> new Router().get("/runs/{run_id}/x", write, NOTHING))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("POST");
    assertThatThrownBy(() -> new Router().get("/runs/{id}", read, NOTHING))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("{run_id}");
    assertThatThrownBy(() -> new Router().get("/versions/{run_id}",
        Access.VIEWER.orRunToken(RunTokenScope.READ_DATASET_VERSION), NOTHING))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("{version_id}");
    assertThat(new Router().get("/runs/{run_id}:x", read, NOTHING).routes()).hasSize(1);
  }

  @Test
  void aRouteCannotBeDeclaredTwice() {
    Router router = new Router().get("/x", Access.VIEWER, NOTHING);
    assertThatThrownBy(() -> router.get("/x", Access.ADMIN, NOTHING)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("GET /x");
    assertThat(router.post("/x", Access.EDITOR, NOTHING).routes()).hasSize(2);
  }
}
