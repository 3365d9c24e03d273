package io.animus.datapilot.deletion;

import static org.assertj.core.api.Assertions.assertThat;

import io.animus.datapilot.auth.RunTokens;
import io.animus.datapilot.testing.TestClient;
import io.animus.datapilot.testing.TestServer;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Who may archive and delete (docs/protocol.md §3.6): editors; never a viewer, never the run's own token. */
class DeletionAccessHttpTest {
  private static final String ADMIN = "admin-token-for-deletion-tests";
  private static final String RUNS = "/api/experiments/experiment-runs/";
  private static TestServer server;

  @BeforeAll
  static void start() {
    server = TestServer.start(Map.of("DATAPILOT_AUTH_MODE", "token", "DATAPILOT_ADMIN_TOKEN", ADMIN));
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  private static TestClient withRole(String role) {
    TestClient.Response r = server.client().withToken(ADMIN).post("/api/auth/tokens",
        "{\"name\":\"" + role + "-" + UUID.randomUUID() + "\",\"role\":\"" + role + "\"}");
    assertThat(r.status()).as(r.text()).isEqualTo(201);
    return server.client().withToken(r.json().get("token").asText());
  }

  @Test
  void viewersAndRunTokensAreRefusedAndEditorsMayDelete() {
    TestClient editor = withRole("editor");
    TestClient viewer = withRole("viewer");
    String exp = editor.post("/api/experiments/experiments", "{\"name\":\"acl-" + UUID.randomUUID() + "\"}")
        .json().get("experiment_id").asText();
    String run = editor.post("/api/experiments/experiments/" + exp + "/runs", "{\"status\":\"running\"}")
        .json().get("run_id").asText();
    long now = Instant.now().getEpochSecond();
    TestClient job = server.client().withToken(server.app().runTokens()
        .issue(new RunTokens.Claims(run, null, now, now + 3600)));

    for (TestClient refused : new TestClient[] {viewer, job}) {
      assertThat(refused.delete(RUNS + run).status()).isEqualTo(403);
      assertThat(refused.post(RUNS + run + ":archive", "").status()).isEqualTo(403);
      assertThat(refused.delete("/api/experiments/experiments/" + exp).status()).isEqualTo(403);
    }
    assertThat(viewer.get(RUNS + run).status()).isEqualTo(200);
    assertThat(editor.post(RUNS + run + ":archive", "").status()).isEqualTo(200);
    TestClient.Response deleted = editor.delete(RUNS + run);
    assertThat(deleted.status()).isEqualTo(202);
    assertThat(viewer.get("/api/deletions/" + deleted.json().get("deletion_id").asText()).status()).isEqualTo(403);
    assertThat(editor.get("/api/deletions/" + deleted.json().get("deletion_id").asText()).status()).isEqualTo(200);
  }
}
