package io.animus.datapilot.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.animus.datapilot.kernel.ApiException;
import io.animus.datapilot.kernel.ErrorCode;
import io.animus.datapilot.http.Router.Access;
import io.animus.datapilot.kernel.Principal;
import io.animus.datapilot.kernel.Role;
import io.animus.datapilot.testing.RunTokenRoutes;
import java.util.List;
import org.junit.jupiter.api.Test;

class AccessPolicyTest {
  private static final String RUN_ID = "7d1e0f3c-5a2b-4c11-9e3d-0123456789ab";
  private static final String OTHER_RUN_ID = "0b6f3c1e-1111-4222-8333-444455556666";
  private static final String VERSION_ID = "5a2c9d8e-aaaa-4bbb-8ccc-dddddddddddd";
  private static final String OTHER_VERSION_ID = "5a2c9d8e-aaaa-4bbb-8ccc-eeeeeeeeeeee";
  private static final String R = "/api/experiments/experiment-runs/" + RUN_ID;
  private static final String D = "/api/dataset-registry/dataset-versions/" + VERSION_ID;
  private static final List<String> READS = List.of("GET", "HEAD", "OPTIONS");

  private final RunTokenRoutes.PathPolicy policy = RunTokenRoutes.policy();
  private final Principal runToken = runToken(RUN_ID, null);
  private final Principal runTokenWithVersion = runToken(RUN_ID, VERSION_ID);

  private static Principal runToken(String runId, String versionId) {
    String subject = "run:" + runId + (versionId == null ? "" : ":dv:" + versionId);
    return new Principal(subject, Role.EDITOR, "run_token", runId, versionId);
  }

  private static Principal apiToken(Role role) {
    return new Principal("token:" + role.wire(), role, "api_token", null, null);
  }

  /** The access a route of this method would carry (§2.4): reads need viewer, the rest editor. */
  private static Access accessFor(String method) {
    return READS.contains(method) ? Access.VIEWER : Access.EDITOR;
  }

  private boolean allowed(Principal principal, String method, String path) {
    return allowed(principal, accessFor(method), method, path);
  }

  private boolean allowed(Principal principal, Access access, String method, String path) {
    try {
      policy.check(principal, access, method, path);
      return true;
    } catch (ApiException e) {
      assertThat(e.code()).as("denial code for %s %s", method, path).isEqualTo(ErrorCode.FORBIDDEN);
      return false;
    }
  }

  @Test
  void aRunTokenMayReadEveryListedPathOfItsOwnRun() {
    List<String> paths = List.of(R, R + "/metrics", R + "/metrics/series", R + "/events", R + "/states",
        R + "/stream", R + "/artifacts", R + "/artifacts/a1b2", R + "/artifacts/a1b2/download");
    for (String method : READS) {
      for (String path : paths) {
        assertThat(allowed(runToken, method, path)).as("%s %s", method, path).isTrue();
      }
    }
  }

  @Test
  void aRunTokenMayPostTelemetryToItsOwnRun() {
    for (String suffix : List.of("/metrics", "/metrics:batch", "/events", "/events:batch", "/artifacts", "/status",
        "/heartbeat")) {
      assertThat(allowed(runToken, "POST", R + suffix)).as("POST R%s", suffix).isTrue();
    }
  }

  @Test
  void aRunTokenMayNotPostToReadOnlyPathsOfItsRun() {
    for (String path : List.of(R, R + "/states", R + "/stream", R + "/metrics/series", R + "/artifacts/a1b2",
        R + "/artifacts/a1b2/download")) {
      assertThat(allowed(runToken, "POST", path)).as("POST %s", path).isFalse();
    }
  }

  @Test
  void aRunTokenMayNotCancelItsRun() {
    assertThat(allowed(runToken, "POST", R + ":cancel")).isFalse();
    assertThat(allowed(runToken, "GET", R + ":cancel")).isFalse();
  }

  @Test
  void aRunTokenMayNotUseOtherMethodsOnItsRun() {
    for (String method : List.of("PUT", "PATCH", "DELETE")) {
      for (String path : List.of(R, R + "/metrics", R + "/events", R + "/artifacts", R + "/artifacts/a1b2")) {
        // the one exception: a run curates itself (name, notes, tags, summary metrics; docs/protocol.md §3.4)
        boolean curation = method.equals("PATCH") && path.equals(R);
        assertThat(allowed(runToken, method, path)).as("%s %s", method, path).isEqualTo(curation);
      }
    }
  }

  @Test
  void aRunTokenMayNotReadBatchEndpointsWithGet() {
    assertThat(allowed(runToken, "GET", R + "/metrics:batch")).isFalse();
    assertThat(allowed(runToken, "GET", R + "/status")).isFalse();
    assertThat(allowed(runToken, "GET", R + "/heartbeat")).isFalse();
  }

  @Test
  void aRunTokenMayNotTouchAnotherRun() {
    String other = "/api/experiments/experiment-runs/" + OTHER_RUN_ID;
    for (String path : List.of(other, other + "/metrics", other + "/events", other + "/artifacts")) {
      assertThat(allowed(runToken, "GET", path)).as("GET %s", path).isFalse();
    }
    assertThat(allowed(runToken, "POST", other + "/metrics")).isFalse();
    assertThat(allowed(runToken, "POST", other + "/events")).isFalse();
  }

  @Test
  void runIdsAreComparedExactly() {
    assertThat(allowed(runToken, "GET", R.toUpperCase().replace("/API/EXPERIMENTS/EXPERIMENT-RUNS/",
        "/api/experiments/experiment-runs/"))).isFalse();
    assertThat(allowed(runToken, "GET", R + "0")).isFalse();
    assertThat(allowed(runToken, "GET", R + "0/metrics")).isFalse();
    assertThat(allowed(runToken, "GET", R.substring(0, R.length() - 1))).isFalse();
    Principal prefixToken = runToken(RUN_ID.substring(0, 8), null);
    assertThat(allowed(prefixToken, "GET", R)).isFalse();
  }

  @Test
  void dotSegmentsCannotLeaveTheRunScope() {
    String escape = R + "/artifacts/../../" + OTHER_RUN_ID;
    assertThat(allowed(runToken, "GET", escape)).isFalse();
    assertThat(allowed(runToken, "GET", R + "/artifacts/%2e%2e/%2e%2e/" + OTHER_RUN_ID)).isFalse();
    assertThat(allowed(runToken, "POST", R + "/../" + OTHER_RUN_ID + "/metrics")).isFalse();
  }

  @Test
  void dotSegmentsThatStayInsideTheRunAreComparedAfterNormalisation() {
    assertThat(allowed(runToken, "GET", R + "/./metrics")).isTrue();
    assertThat(allowed(runToken, "GET", R + "/artifacts/../states")).isTrue();
    assertThat(allowed(runToken, "POST", R + "/events/../states")).isFalse();
  }

  @Test
  void aRunTokenMayNotCreateListOrAdminister() {
    List<String[]> calls = List.of(
        new String[] {"GET", "/api/experiments/experiment-runs"},
        new String[] {"GET", "/api/experiments/experiments"},
        new String[] {"POST", "/api/experiments/experiments"},
        new String[] {"GET", "/api/experiments/experiments/0b6f3c1e-1111-4222-8333-444455556666/runs"},
        new String[] {"POST", "/api/experiments/experiments/0b6f3c1e-1111-4222-8333-444455556666/runs"},
        new String[] {"POST", "/api/experiments/experiments/runs:execute"},
        new String[] {"GET", "/api/experiments/projects"},
        new String[] {"POST", "/api/experiments/ci/webhook"},
        new String[] {"POST", "/api/experiments/ci/report"},
        new String[] {"GET", "/api/dataset-registry/datasets"},
        new String[] {"GET", "/api/auth/tokens"},
        new String[] {"POST", "/api/auth/tokens"},
        new String[] {"DELETE", "/api/auth/tokens/0b6f3c1e-1111-4222-8333-444455556666"});
    for (String[] call : calls) {
      assertThat(allowed(runTokenWithVersion, call[0], call[1])).as("%s %s", call[0], call[1]).isFalse();
    }
  }

  @Test
  void aRunTokenIsForbiddenOnAdminRoutesEvenInsideItsRunPaths() {
    assertThat(allowed(runToken, Access.ADMIN, "GET", R)).isFalse();
  }

  @Test
  void aRunTokenMayAskWhoItIsWithGetOnly() {
    assertThat(allowed(runToken, "GET", "/api/auth/me")).isTrue();
    assertThat(allowed(runTokenWithVersion, "GET", "/api/auth/me")).isTrue();
    assertThat(allowed(runToken, "POST", "/api/auth/me")).isFalse();
  }

  @Test
  void aRunTokenWithADatasetVersionMayReadThatVersionAndDownloadIt() {
    for (String method : READS) {
      assertThat(allowed(runTokenWithVersion, method, D)).as("%s D", method).isTrue();
      assertThat(allowed(runTokenWithVersion, method, D + "/download")).as("%s D/download", method).isTrue();
    }
  }

  @Test
  void aRunTokenWithADatasetVersionMayNotWriteItOrReadOtherVersions() {
    assertThat(allowed(runTokenWithVersion, "POST", D)).isFalse();
    assertThat(allowed(runTokenWithVersion, "DELETE", D)).isFalse();
    assertThat(allowed(runTokenWithVersion, "POST", D + "/download")).isFalse();
    assertThat(allowed(runTokenWithVersion, "GET", D + "/quality")).isFalse();
    assertThat(allowed(runTokenWithVersion, "GET", D + "/download/extra")).isFalse();
    String other = "/api/dataset-registry/dataset-versions/" + OTHER_VERSION_ID;
    assertThat(allowed(runTokenWithVersion, "GET", other)).isFalse();
    assertThat(allowed(runTokenWithVersion, "GET", other + "/download")).isFalse();
  }

  @Test
  void aRunTokenWithoutADatasetVersionMayReadNoVersion() {
    assertThat(allowed(runToken, "GET", D)).isFalse();
    assertThat(allowed(runToken, "GET", D + "/download")).isFalse();
  }

  @Test
  void aRunTokenWithADatasetVersionKeepsItsRunScope() {
    assertThat(allowed(runTokenWithVersion, "GET", R + "/metrics")).isTrue();
    assertThat(allowed(runTokenWithVersion, "POST", R + "/events")).isTrue();
    assertThat(allowed(runTokenWithVersion, "GET", "/api/experiments/experiment-runs/" + OTHER_RUN_ID)).isFalse();
  }

  @Test
  void publicRoutesNeedNoIdentity() {
    assertThatCode(() -> policy.check(Principal.ANONYMOUS, Access.PUBLIC, "GET", "/healthz"))
        .doesNotThrowAnyException();
    assertThatCode(() -> policy.check(runToken, Access.PUBLIC, "GET", "/readyz")).doesNotThrowAnyException();
  }

  @Test
  void ciRoutesAreLeftToTheirHmacCheckWhateverTheBearer() {
    assertThatCode(() -> policy.check(Principal.ANONYMOUS, Access.CI, "POST", "/api/experiments/ci/webhook"))
        .doesNotThrowAnyException();
    assertThatCode(() -> policy.check(runToken, Access.CI, "POST", "/api/experiments/ci/report"))
        .doesNotThrowAnyException();
  }

  @Test
  void anAnonymousCallerIsUnauthorizedOnEveryProtectedRoute() {
    for (Access access : List.of(Access.VIEWER, Access.EDITOR, Access.ADMIN)) {
      ApiException e = catchThrowableOfType(ApiException.class,
          () -> policy.check(Principal.ANONYMOUS, access, "GET", "/api/experiments/experiments"));
      assertThat(e).as("%s", access).isNotNull();
      assertThat(e.code()).isEqualTo(ErrorCode.UNAUTHORIZED);
    }
  }

  @Test
  void rolesAreOrderedViewerEditorAdmin() {
    String path = "/api/experiments/experiments";
    assertThat(allowed(apiToken(Role.VIEWER), Access.VIEWER, "GET", path)).isTrue();
    assertThat(allowed(apiToken(Role.VIEWER), Access.EDITOR, "POST", path)).isFalse();
    assertThat(allowed(apiToken(Role.VIEWER), Access.ADMIN, "GET", "/api/auth/tokens")).isFalse();
    assertThat(allowed(apiToken(Role.EDITOR), Access.VIEWER, "GET", path)).isTrue();
    assertThat(allowed(apiToken(Role.EDITOR), Access.EDITOR, "POST", path)).isTrue();
    assertThat(allowed(apiToken(Role.EDITOR), Access.ADMIN, "POST", "/api/auth/tokens")).isFalse();
    assertThat(allowed(apiToken(Role.ADMIN), Access.ADMIN, "DELETE", "/api/auth/tokens/x")).isTrue();
    assertThat(allowed(Principal.DEV, Access.ADMIN, "POST", "/api/auth/tokens")).isTrue();
  }

  @Test
  void aRoleDenialNamesTheMissingRole() {
    ApiException e = catchThrowableOfType(ApiException.class,
        () -> policy.check(apiToken(Role.VIEWER), Access.EDITOR, "POST", "/api/experiments/experiments"));
    assertThat(e.code()).isEqualTo(ErrorCode.FORBIDDEN);
    assertThat(e.getMessage()).isEqualTo("this call needs the editor role");
  }
}
