package io.animus.datapilot.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.animus.datapilot.testing.TestClient;
import io.animus.datapilot.testing.TestServer;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class AuditHttpTest {
  private static final String ADMIN_TOKEN = "audit-admin-secret-0123456789";
  static TestServer server;
  static TestClient anonymous;
  static TestClient admin;

  @BeforeAll
  static void start() {
    server = TestServer.start(Map.of("DATAPILOT_AUTH_MODE", "token", "DATAPILOT_ADMIN_TOKEN", ADMIN_TOKEN));
    anonymous = server.client();
    admin = anonymous.withToken(ADMIN_TOKEN);
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  /** One row of {@code audit_events}. */
  record Row(String requestId, String actor, String action, String path, int status, String outcome,
             String projectId) {}

  private static Connection connect() throws SQLException {
    return DriverManager.getConnection(server.databaseUrl(), "postgres", "");
  }

  private static List<Row> rows(String requestId) throws SQLException {
    try (Connection c = connect();
         PreparedStatement s = c.prepareStatement("""
             SELECT request_id, actor, action, path, status, outcome, project_id
             FROM audit_events WHERE request_id = ? ORDER BY audit_id
             """)) {
      s.setString(1, requestId);
      List<Row> out = new ArrayList<>();
      try (ResultSet rs = s.executeQuery()) {
        while (rs.next()) {
          out.add(new Row(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getInt(5),
              rs.getString(6), rs.getString(7)));
        }
      }
      return out;
    }
  }

  private static Row onlyRow(TestClient.Response r) throws SQLException {
    String requestId = r.header("X-Request-Id");
    assertThat(requestId).isNotBlank();
    List<Row> found = rows(requestId);
    assertThat(found).as("audit rows for %s", requestId).hasSize(1);
    return found.get(0);
  }

  private static Map<String, String> requestId(String id) {
    return Map.of("X-Request-Id", id);
  }

  private static String freshId(String label) {
    return label + "-" + UUID.randomUUID().toString().replace("-", "");
  }

  private static String createExperiment(String name) {
    TestClient.Response r = admin.post("/api/experiments/experiments", "{\"name\":\"" + name + "\"}");
    assertThat(r.status()).as(r.text()).isEqualTo(201);
    return r.json().get("experiment_id").asText();
  }

  private static JsonNode createToken(String name, String role) {
    TestClient.Response r = admin.post("/api/auth/tokens", "{\"name\":\"" + name + "\",\"role\":\"" + role + "\"}");
    assertThat(r.status()).as(r.text()).isEqualTo(201);
    return r.json();
  }

  @Test
  void creatingAnExperimentIsAuditedWithActorActionStatusAndRequestId() throws SQLException {
    String id = freshId("create-exp");
    TestClient.Response r = admin.post("/api/experiments/experiments", "{\"name\":\"audited\"}", requestId(id));
    assertThat(r.status()).isEqualTo(201);
    assertThat(r.header("X-Request-Id")).isEqualTo(id);
    assertThat(onlyRow(r)).isEqualTo(new Row(id, "admin", "POST /api/experiments/experiments",
        "/api/experiments/experiments", 201, "ok", "default"));
  }

  @Test
  void telemetryAppendsAreDataAndNotAuditedWhileTheirDenialsAndStatusChangesAre() throws SQLException {
    String experimentId = createExperiment("telemetry-not-audited");
    TestClient.Response run = admin.post("/api/experiments/experiments/" + experimentId + "/runs",
        "{\"status\":\"running\"}");
    assertThat(run.status()).as(run.text()).isEqualTo(201);
    String runPath = "/api/experiments/experiment-runs/" + run.json().get("run_id").asText();
    String[][] appends = {
        {"/metrics", "{\"metrics\":{\"loss\":0.5},\"step\":1}"},
        {"/metrics:batch", "{\"points\":[{\"name\":\"loss\",\"step\":2,\"value\":0.4}]}"},
        {"/events", "{\"message\":\"epoch done\"}"},
        {"/events:batch", "{\"events\":[{\"level\":\"info\",\"message\":\"epoch two\"}]}"},
        {"/heartbeat", "{}"},
        {"/metrics", "{\"metrics\":{\"loss\":\"high\"},\"step\":3}"}};
    for (String[] call : appends) {
      String id = freshId("append");
      TestClient.Response r = admin.post(runPath + call[0], call[1], requestId(id));
      assertThat(r.status()).as(call[0] + " " + r.text()).isBetween(200, 499);
      assertThat(rows(id)).as("audit rows of POST %s (%d)", call[0], r.status()).isEmpty();
    }
    String denied = freshId("append-denied");
    TestClient.Response r = anonymous.post(runPath + "/metrics", appends[0][1], requestId(denied));
    assertThat(r.status()).isEqualTo(401);
    assertThat(onlyRow(r).outcome()).isEqualTo("denied");
    String status = freshId("status");
    TestClient.Response s = admin.post(runPath + "/status", "{\"status\":\"succeeded\"}", requestId(status));
    assertThat(s.status()).as(s.text()).isLessThan(300);
    assertThat(onlyRow(s).action()).isEqualTo("POST /api/experiments/experiment-runs/{run_id}/status");
  }

  @Test
  void aGeneratedRequestIdIsTheOneAudited() throws SQLException {
    TestClient.Response r = admin.post("/api/experiments/experiments", "{\"name\":\"generated-id\"}");
    assertThat(r.status()).isEqualTo(201);
    String generated = r.header("X-Request-Id");
    assertThat(generated).matches("[0-9a-f]{32}");
    assertThat(onlyRow(r).requestId()).isEqualTo(generated);
  }

  @Test
  void creatingARunIsAuditedWithTheRoutePatternAndTheRealPath() throws SQLException {
    String experimentId = createExperiment("audited-runs");
    String id = freshId("create-run");
    TestClient.Response r = admin.post("/api/experiments/experiments/" + experimentId + "/runs",
        "{\"status\":\"running\"}", Map.of("X-Request-Id", id, "X-Project-Id", "default"));
    assertThat(r.status()).as(r.text()).isEqualTo(201);
    assertThat(onlyRow(r)).isEqualTo(new Row(id, "admin", "POST /api/experiments/experiments/{experiment_id}/runs",
        "/api/experiments/experiments/" + experimentId + "/runs", 201, "ok", "default"));
  }

  @Test
  void theProjectOfTheRequestIsAudited() throws SQLException {
    String id = freshId("project");
    TestClient.Response r = admin.post("/api/experiments/experiments", "{\"name\":\"in-team-a\"}",
        Map.of("X-Request-Id", id, "X-Project-Id", "team-a"));
    assertThat(r.status()).isEqualTo(201);
    assertThat(onlyRow(r).projectId()).isEqualTo("team-a");
  }

  @Test
  void tokenCreationAndRevocationAreAuditedByTheirActor() throws SQLException {
    String createId = freshId("token-create");
    TestClient.Response created = admin.post("/api/auth/tokens", "{\"name\":\"audited-token\",\"role\":\"admin\"}",
        requestId(createId));
    assertThat(created.status()).isEqualTo(201);
    assertThat(onlyRow(created)).isEqualTo(new Row(createId, "admin", "POST /api/auth/tokens", "/api/auth/tokens",
        201, "ok", "default"));

    String tokenId = created.json().get("token_id").asText();
    TestClient second = anonymous.withToken(created.json().get("token").asText());
    TestClient.Response victim = second.post("/api/auth/tokens", "{\"name\":\"victim\",\"role\":\"viewer\"}");
    String deleteId = freshId("token-delete");
    TestClient.Response deleted = second.send("DELETE", "/api/auth/tokens/" + victim.json().get("token_id").asText(),
        null, requestId(deleteId));
    assertThat(deleted.status()).isEqualTo(204);
    assertThat(onlyRow(deleted)).isEqualTo(new Row(deleteId, "token:" + tokenId,
        "DELETE /api/auth/tokens/{token_id}", "/api/auth/tokens/" + victim.json().get("token_id").asText(), 204,
        "ok", "default"));
  }

  @Test
  void theSecretOfACreatedTokenIsNeverWrittenToTheAuditLog() throws SQLException {
    TestClient.Response created = admin.post("/api/auth/tokens", "{\"name\":\"secretive\",\"role\":\"viewer\"}");
    String secret = created.json().get("token").asText();
    try (Connection c = connect();
         PreparedStatement s = c.prepareStatement(
             "SELECT count(*) FROM audit_events WHERE details::text LIKE ? OR path LIKE ? OR actor LIKE ?")) {
      for (int i = 1; i <= 3; i++) {
        s.setString(i, "%" + secret + "%");
      }
      try (ResultSet rs = s.executeQuery()) {
        rs.next();
        assertThat(rs.getInt(1)).isZero();
      }
    }
  }

  @Test
  void aRejectedStateChangingCallIsAuditedAsRejected() throws SQLException {
    String id = freshId("rejected");
    TestClient.Response r = admin.post("/api/experiments/experiments", "{\"name\":\"\"}", requestId(id));
    assertThat(r.status()).isEqualTo(400);
    assertThat(onlyRow(r)).isEqualTo(new Row(id, "admin", "POST /api/experiments/experiments",
        "/api/experiments/experiments", 400, "rejected", "default"));
  }

  @Test
  void aDeleteOfAMissingTokenIsAuditedAsRejected() throws SQLException {
    String id = freshId("missing-token");
    TestClient.Response r = admin.send("DELETE", "/api/auth/tokens/0b6f3c1e-1111-4222-8333-444455556666", null,
        requestId(id));
    assertThat(r.status()).isEqualTo(404);
    Row row = onlyRow(r);
    assertThat(row.status()).isEqualTo(404);
    assertThat(row.outcome()).isEqualTo("rejected");
    assertThat(row.action()).isEqualTo("DELETE /api/auth/tokens/{token_id}");
  }

  @Test
  void aCallWithoutCredentialIsAuditedAsADenial() throws SQLException {
    String id = freshId("no-credential");
    TestClient.Response r = anonymous.send("GET", "/api/experiments/experiments", null, requestId(id));
    assertThat(r.status()).isEqualTo(401);
    assertThat(onlyRow(r)).isEqualTo(new Row(id, "anonymous", "GET /api/experiments/experiments",
        "/api/experiments/experiments", 401, "denied", null));
  }

  @Test
  void anUnknownTokenIsAuditedAsADenial() throws SQLException {
    String id = freshId("unknown-token");
    TestClient.Response r = anonymous.withToken("dp_" + "Z".repeat(43)).send("POST", "/api/experiments/experiments",
        "{\"name\":\"never\"}", requestId(id));
    assertThat(r.status()).isEqualTo(401);
    assertThat(r.error()).isEqualTo("invalid_token");
    Row row = onlyRow(r);
    assertThat(row.status()).isEqualTo(401);
    assertThat(row.outcome()).isEqualTo("denied");
    assertThat(row.action()).isEqualTo("POST /api/experiments/experiments");
  }

  @Test
  void anInvalidRunTokenIsAuditedAsADenial() throws SQLException {
    String id = freshId("run-token");
    TestClient.Response r = anonymous.withToken("animus_run_v1.a.b").send("GET", "/api/experiments/experiment-runs",
        null, requestId(id));
    assertThat(r.status()).isEqualTo(401);
    assertThat(onlyRow(r).outcome()).isEqualTo("denied");
  }

  @Test
  void aRoleDenialIsAuditedWithTheDeniedIdentity() throws SQLException {
    JsonNode viewer = createToken("audited-viewer", "viewer");
    String id = freshId("forbidden");
    TestClient.Response r = anonymous.withToken(viewer.get("token").asText())
        .post("/api/experiments/experiments", "{\"name\":\"not-allowed\"}", requestId(id));
    assertThat(r.status()).isEqualTo(403);
    assertThat(onlyRow(r)).isEqualTo(new Row(id, "token:" + viewer.get("token_id").asText(),
        "POST /api/experiments/experiments", "/api/experiments/experiments", 403, "denied", null));
  }

  @Test
  void aReadDenialIsAuditedToo() throws SQLException {
    JsonNode editor = createToken("audited-editor", "editor");
    String id = freshId("read-denied");
    TestClient.Response r = anonymous.withToken(editor.get("token").asText())
        .send("GET", "/api/auth/tokens", null, requestId(id));
    assertThat(r.status()).isEqualTo(403);
    Row row = onlyRow(r);
    assertThat(row.actor()).isEqualTo("token:" + editor.get("token_id").asText());
    assertThat(row.action()).isEqualTo("GET /api/auth/tokens");
    assertThat(row.outcome()).isEqualTo("denied");
  }

  @Test
  void successfulReadsAreNotAudited() throws SQLException {
    String id = freshId("read");
    TestClient.Response r = admin.send("GET", "/api/experiments/experiments", null, requestId(id));
    assertThat(r.status()).isEqualTo(200);
    assertThat(rows(id)).isEmpty();
    String health = freshId("health");
    assertThat(anonymous.send("GET", "/healthz", null, requestId(health)).status()).isEqualTo(200);
    assertThat(rows(health)).isEmpty();
  }

  @Test
  void auditRowsCannotBeUpdated() throws SQLException {
    TestClient.Response r = admin.post("/api/experiments/experiments", "{\"name\":\"immutable-update\"}");
    String requestId = r.header("X-Request-Id");
    try (Connection c = connect(); Statement s = c.createStatement()) {
      assertThatThrownBy(() -> s.executeUpdate("UPDATE audit_events SET actor = 'someone-else' WHERE request_id = '"
          + requestId + "'"))
          .isInstanceOfSatisfying(SQLException.class, e -> {
            assertThat(e.getSQLState()).isEqualTo("P0001");
            assertThat(e.getMessage()).contains("audit_events is append-only");
          });
    }
    assertThat(rows(requestId)).extracting(Row::actor).containsExactly("admin");
  }

  @Test
  void auditRowsCannotBeDeleted() throws SQLException {
    TestClient.Response r = admin.post("/api/experiments/experiments", "{\"name\":\"immutable-delete\"}");
    String requestId = r.header("X-Request-Id");
    try (Connection c = connect(); Statement s = c.createStatement()) {
      assertThatThrownBy(() -> s.executeUpdate("DELETE FROM audit_events"))
          .isInstanceOfSatisfying(SQLException.class, e -> {
            assertThat(e.getSQLState()).isEqualTo("P0001");
            assertThat(e.getMessage()).contains("audit_events is append-only");
          });
    }
    assertThat(rows(requestId)).hasSize(1);
  }
}
