package io.animus.datapilot.auth;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.animus.datapilot.testing.TestClient;
import io.animus.datapilot.testing.TestServer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Run tokens over real HTTP (docs/protocol.md §2.3, §2.4): identity, every scope row, denials, lifetime, secret. */
@Timeout(120)
class RunTokenHttpTest {
  private static final String ADMIN = "admin-token-for-run-token-tests";
  private static final String CI_SECRET = "ci-secret-for-run-token-tests";
  private static final String EXPERIMENTS = "/api/experiments/experiments";
  private static final String RUNS = "/api/experiments/experiment-runs/";
  /** Dev mode, and a grace of one second so that expiry after termination can be observed. */
  static TestServer dev;
  /** Token mode with the default grace (10 minutes). */
  static TestServer token;

  @BeforeAll
  static void start() {
    dev = TestServer.start(Map.of("DATAPILOT_RUN_TOKEN_GRACE", "1s", "ANIMUS_CI_WEBHOOK_SECRET", CI_SECRET));
    token = TestServer.start(Map.of("DATAPILOT_AUTH_MODE", "token", "DATAPILOT_ADMIN_TOKEN", ADMIN,
        "ANIMUS_CI_WEBHOOK_SECRET", CI_SECRET));
  }

  @AfterAll
  static void stop() {
    dev.close();
    token.close();
  }

  private static List<TestServer> bothModes() {
    return List.of(dev, token);
  }

  private static String mode(TestServer server) {
    return server == dev ? "dev" : "token";
  }

  /** A client with full rights: no credential in dev mode, the admin token in token mode. */
  private static TestClient admin(TestServer server) {
    return server == dev ? server.client() : server.client().withToken(ADMIN);
  }

  private static String experiment(TestServer server) {
    var r = admin(server).post(EXPERIMENTS, "{\"name\":\"rt-" + UUID.randomUUID() + "\"}");
    assertThat(r.status()).as(r.text()).isEqualTo(201);
    return r.json().get("experiment_id").asText();
  }

  private static String run(TestServer server, String experimentId) {
    var r = admin(server).post(EXPERIMENTS + "/" + experimentId + "/runs", "{\"status\":\"running\"}");
    assertThat(r.status()).as(r.text()).isEqualTo(201);
    return r.json().get("run_id").asText();
  }

  private static String run(TestServer server) {
    return run(server, experiment(server));
  }

  private static String issue(TestServer server, String runId, String dv) {
    long now = Instant.now().getEpochSecond();
    return server.app().runTokens().issue(new RunTokens.Claims(runId, dv, now, now + 3600));
  }

  private static void assertError(TestClient.Response r, int status, String code) {
    assertThat(r.status()).as(r.text()).isEqualTo(status);
    assertThat(r.error()).as(r.text()).isEqualTo(code);
  }

  /** The audit row of a request (written before its answer completes; polled briefly to be safe). */
  private static Map<String, String> audit(TestServer server, String requestId) throws Exception {
    for (int attempt = 0; attempt < 50; attempt++) {
      try (Connection c = DriverManager.getConnection(server.databaseUrl(), "postgres", "");
           PreparedStatement s = c.prepareStatement("SELECT actor, status, outcome, details->>'error' AS error, "
               + "details->>'reason' AS reason, details::text AS details FROM audit_events WHERE request_id = ?")) {
        s.setString(1, requestId);
        try (ResultSet rs = s.executeQuery()) {
          if (rs.next()) {
            return Map.of("actor", rs.getString("actor"), "status", Integer.toString(rs.getInt("status")),
                "outcome", rs.getString("outcome"), "error", String.valueOf(rs.getString("error")),
                "reason", String.valueOf(rs.getString("reason")), "details", rs.getString("details"));
          }
        }
      }
      Thread.sleep(100);
    }
    throw new AssertionError("no audit row for request " + requestId);
  }

  // ---- identity ----------------------------------------------------------------------------------

  @Test
  void authMeWithARunTokenShowsTheRunIdentityInDevAndTokenMode() {
    for (TestServer server : bothModes()) {
      String runId = run(server);
      String dv = UUID.randomUUID().toString();
      var me = server.client().withToken(issue(server, runId, dv)).get("/api/auth/me");
      assertThat(me.status()).as(mode(server) + " " + me.text()).isEqualTo(200);
      JsonNode body = me.json();
      assertThat(body.get("subject").asText()).isEqualTo("run:" + runId + ":dv:" + dv);
      assertThat(body.get("role").asText()).isEqualTo("editor");
      assertThat(body.get("auth").asText()).isEqualTo("run_token");
      assertThat(body.get("run_id").asText()).isEqualTo(runId);
      assertThat(body.get("dataset_version_id").asText()).isEqualTo(dv);
      assertThat(fieldNames(body)).containsExactly("subject", "role", "auth", "run_id", "dataset_version_id");

      var noDv = server.client().withToken(issue(server, runId, null)).get("/api/auth/me").json();
      assertThat(noDv.get("subject").asText()).isEqualTo("run:" + runId);
      assertThat(fieldNames(noDv)).containsExactly("subject", "role", "auth", "run_id");
    }
    assertThat(dev.client().get("/api/auth/me").json().get("auth").asText()).isEqualTo("dev");
  }

  private static List<String> fieldNames(JsonNode node) {
    List<String> names = new ArrayList<>();
    for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
      names.add(it.next());
    }
    return names;
  }

  // ---- every row of the scope table ---------------------------------------------------------------

  @Test
  void everyReadRowOfTheScopeTableIsAllowedForTheTokensRun() {
    for (TestServer server : bothModes()) {
      String runId = run(server);
      TestClient job = server.client().withToken(issue(server, runId, UUID.randomUUID().toString()));
      String r = RUNS + runId;
      for (String path : List.of(r, r + "/metrics", r + "/metrics/series?name=x", r + "/events", r + "/states")) {
        var get = job.get(path);
        assertThat(get.status()).as(mode(server) + " GET " + path + " " + get.text()).isEqualTo(200);
        var head = job.send("HEAD", path, null, Map.of());
        assertThat(head.status()).as(mode(server) + " HEAD " + path).isEqualTo(200);
        var options = job.send("OPTIONS", path, null, Map.of());
        assertThat(options.status()).as(mode(server) + " OPTIONS " + path).isEqualTo(204);
      }
      assertThat(job.get(r).json().get("run_id").asText()).isEqualTo(runId);
      assertThat(job.get(r + "/states").json().get("states").get(0).get("status").asText()).isEqualTo("running");
      var stream = job.send("HEAD", r + "/stream", null, Map.of());
      assertThat(stream.status()).as(mode(server) + " HEAD stream").isEqualTo(200);
      assertThat(stream.header("Content-Type")).startsWith("text/event-stream");
      // Artifacts are in the table; where this build has no artifact routes they are route_not_found, never 403.
      for (String path : List.of(r + "/artifacts", r + "/artifacts/" + UUID.randomUUID(),
          r + "/artifacts/" + UUID.randomUUID() + "/download")) {
        var a = job.get(path);
        assertThat(a.status()).as(mode(server) + " " + path + " " + a.text()).isIn(200, 404);
        if (a.status() == 404) {
          assertThat(a.error()).isIn("route_not_found", "not_found");
        }
      }
    }
  }

  @Test
  void everyWriteRowOfTheScopeTableWorksWithTheToken() {
    for (TestServer server : bothModes()) {
      String runId = run(server);
      TestClient job = server.client().withToken(issue(server, runId, null));
      String r = RUNS + runId;
      var metric = job.post(r + "/metrics", "{\"metrics\":{\"loss\":1.5},\"step\":0}");
      assertThat(metric.status()).as(metric.text()).isEqualTo(201);
      var batch = job.post(r + "/metrics:batch", "{\"points\":[{\"step\":1,\"name\":\"loss\",\"value\":1.25}]}");
      assertThat(batch.status()).as(batch.text()).isEqualTo(201);
      var event = job.post(r + "/events", "{\"message\":\"status: starting\",\"metadata\":{\"status\":\"starting\"}}");
      assertThat(event.status()).as(event.text()).isEqualTo(201);
      assertThat(event.json().get("actor").asText()).isEqualTo("run:" + runId);
      var events = job.post(r + "/events:batch", "{\"events\":[{\"level\":\"info\",\"message\":\"one\"}]}");
      assertThat(events.status()).as(events.text()).isEqualTo(201);
      var heartbeat = job.post(r + "/heartbeat", "{}");
      assertThat(heartbeat.status()).as(heartbeat.text()).isEqualTo(200);
      assertThat(heartbeat.json().get("status").asText()).isEqualTo("running");
      var status = job.post(r + "/status", "{\"status\":\"succeeded\"}");
      assertThat(status.status()).as(status.text()).isEqualTo(200);

      var samples = job.get(r + "/metrics?name=loss").json().get("samples");
      assertThat(samples).hasSize(2);
      assertThat(samples.get(0).get("recorded_by").asText()).isEqualTo("run:" + runId);
      assertThat(admin(server).get(r).json().get("status").asText()).isEqualTo("succeeded");
    }
  }

  // ---- forbidden neighbours ------------------------------------------------------------------------

  @Test
  void callsOutsideTheTokensScopeAre403ForbiddenAndAudited() throws Exception {
    for (TestServer server : bothModes()) {
      String experimentId = experiment(server);
      String runId = run(server, experimentId);
      String otherRun = run(server, experimentId);
      String dv = UUID.randomUUID().toString();
      String subject = "run:" + runId + ":dv:" + dv;
      TestClient job = server.client().withToken(issue(server, runId, dv));
      String name = "should-not-exist-" + UUID.randomUUID();
      List<String[]> calls = List.of(
          new String[] {"GET", RUNS + otherRun, null},
          new String[] {"GET", RUNS + otherRun + "/metrics", null},
          new String[] {"GET", RUNS + otherRun + "/events", null},
          new String[] {"GET", RUNS + otherRun + "/states", null},
          new String[] {"HEAD", RUNS + otherRun + "/stream", null},
          new String[] {"POST", RUNS + otherRun + "/metrics", "{\"metrics\":{\"loss\":1},\"step\":0}"},
          new String[] {"POST", RUNS + otherRun + "/events", "{\"message\":\"x\"}"},
          new String[] {"POST", RUNS + otherRun + "/status", "{\"status\":\"failed\"}"},
          new String[] {"POST", RUNS + otherRun + "/heartbeat", "{}"},
          new String[] {"GET", RUNS + runId + "/ci-contexts", null},
          new String[] {"GET", "/api/experiments/experiment-runs", null},
          new String[] {"GET", EXPERIMENTS, null},
          new String[] {"GET", EXPERIMENTS + "/" + experimentId, null},
          new String[] {"GET", EXPERIMENTS + "/" + experimentId + "/runs", null},
          new String[] {"POST", EXPERIMENTS, "{\"name\":\"" + name + "\"}"},
          new String[] {"POST", EXPERIMENTS + "/" + experimentId + "/runs", "{\"status\":\"running\"}"},
          new String[] {"GET", "/api/experiments/model-images", null},
          new String[] {"GET", "/api/experiments/projects", null},
          new String[] {"GET", "/api/auth/tokens", null},
          new String[] {"POST", "/api/auth/tokens", "{\"name\":\"x\",\"role\":\"admin\"}"},
          new String[] {"DELETE", "/api/auth/tokens/" + UUID.randomUUID(), null});
      for (String[] call : calls) {
        String requestId = "rt-forbidden-" + UUID.randomUUID().toString().replace("-", "");
        var r = job.send(call[0], call[1], call[2],
            call[2] == null ? Map.of("X-Request-Id", requestId)
                : Map.of("X-Request-Id", requestId, "Content-Type", "application/json"));
        String what = mode(server) + " " + call[0] + " " + call[1];
        assertThat(r.status()).as(what + " " + r.text()).isEqualTo(403);
        if (!call[0].equals("HEAD")) {
          assertThat(r.error()).as(what).isEqualTo("forbidden");
        }
        Map<String, String> row = audit(server, requestId);
        assertThat(row.get("actor")).as(what).isEqualTo(subject);
        assertThat(row.get("status")).as(what).isEqualTo("403");
        assertThat(row.get("outcome")).as(what).isEqualTo("denied");
        assertThat(row.get("error")).as(what).isEqualTo("forbidden");
        assertThat(row.get("reason")).as(what).isNotBlank();
      }
      var list = admin(server).get(EXPERIMENTS + "?name=" + name);
      assertThat(list.json().get("experiments")).isEmpty();
      assertThat(admin(server).get(RUNS + otherRun).json().get("status").asText()).isEqualTo("running");
      assertThat(admin(server).get(RUNS + otherRun + "/events").json().get("events")).isEmpty();
    }
  }

  @Test
  void cancelAndOtherDatasetVersionsAreNeverReachableWithTheToken() {
    // Where this build has no such route the answer is route_not_found; it is never a success.
    for (TestServer server : bothModes()) {
      String runId = run(server);
      String dv = UUID.randomUUID().toString();
      TestClient job = server.client().withToken(issue(server, runId, dv));
      for (String[] call : List.of(new String[] {"POST", RUNS + runId + ":cancel"},
          new String[] {"GET", "/api/dataset-registry/dataset-versions/" + UUID.randomUUID()},
          new String[] {"GET", "/api/dataset-registry/dataset-versions/" + UUID.randomUUID() + "/download"},
          new String[] {"POST", EXPERIMENTS + "/runs:execute"})) {
        var r = job.send(call[0], call[1], call[0].equals("POST") ? "{}" : null,
            call[0].equals("POST") ? Map.of("Content-Type", "application/json") : Map.of());
        String what = mode(server) + " " + call[0] + " " + call[1];
        assertThat(r.status()).as(what + " " + r.text()).isIn(403, 404);
        assertThat(r.error()).as(what).isIn("forbidden", "route_not_found");
      }
      assertThat(admin(server).get(RUNS + runId).json().get("status").asText()).isEqualTo("running");
    }
  }

  @Test
  void aRunTokenDoesNotAuthenticateTheCiEndpoints() {
    for (TestServer server : bothModes()) {
      String runId = run(server);
      TestClient job = server.client().withToken(issue(server, runId, null));
      String digest = "sha256:" + "ab".repeat(32);
      String report = "{\"commit_sha\":\"deadbeef\",\"image_digest\":\"" + digest
          + "\",\"pipeline_id\":\"p1\",\"repo\":\"ghcr.io/acme/train\"}";
      assertError(job.post("/api/experiments/ci/report", report), 401, "ci_signature_required");
      assertError(job.post("/api/experiments/ci/webhook", "{\"run_id\":\"" + runId + "\"}"), 401,
          "ci_signature_required");
      long now = Instant.now().getEpochSecond();
      assertError(job.post("/api/experiments/ci/report", report,
          Map.of("X-Animus-CI-Ts", Long.toString(now), "X-Animus-CI-Sig", "A".repeat(43))), 401,
          "ci_signature_invalid");
      assertError(admin(server).get("/api/experiments/model-images/" + digest), 404, "not_found");
      assertThat(admin(server).get(RUNS + runId + "/ci-contexts").json().get("contexts")).isEmpty();
    }
  }

  // ---- invalid tokens ------------------------------------------------------------------------------

  @Test
  void tamperedTokensAre401UnauthorizedInDevAndTokenModeAndAudited() throws Exception {
    for (TestServer server : bothModes()) {
      String runId = run(server);
      String good = issue(server, runId, null);
      String[] parts = good.split("\\.");
      byte[] mac = Base64.getUrlDecoder().decode(parts[2]);
      List<String> bad = new ArrayList<>();
      bad.add(parts[0] + "." + flip(parts[1], 3) + "." + parts[2]);
      bad.add(parts[0] + "." + parts[1] + "." + flip(parts[2], 0));
      bad.add(parts[0] + "." + parts[1] + "." + flip(parts[2], parts[2].length() - 1));
      bad.add(good + "=");
      String standardAlphabet = Base64.getEncoder().withoutPadding().encodeToString(mac);
      if (!standardAlphabet.equals(parts[2])) { // identical when the MAC has no '-' or '_' to encode
        bad.add(parts[0] + "." + parts[1] + "." + standardAlphabet);
      }
      bad.add(parts[0] + "." + parts[1] + "." + Base64.getEncoder().encodeToString(mac));
      bad.add(good + ".x");
      bad.add(parts[0] + "." + parts[1]);
      bad.add("animus_run_v1.");
      bad.add("animus_run_v1.garbage");
      bad.add(parts[0] + "." + Base64.getUrlEncoder().withoutPadding().encodeToString(
          ("{\"run_id\":\"" + runId + "\",\"iat\":1,\"exp\":9999999999}").getBytes(StandardCharsets.UTF_8))
          + "." + parts[2]);
      for (String t : bad) {
        String requestId = "rt-bad-" + UUID.randomUUID().toString().replace("-", "");
        var r = server.client().withToken(t).send("GET", RUNS + runId, null, Map.of("X-Request-Id", requestId));
        assertError(r, 401, "unauthorized");
        assertThat(r.header("WWW-Authenticate")).isEqualTo("Bearer");
        assertThat(r.text()).doesNotContain(t);
        Map<String, String> row = audit(server, requestId);
        assertThat(row.get("status")).isEqualTo("401");
        assertThat(row.get("error")).isEqualTo("unauthorized");
        assertThat(row.get("details")).doesNotContain(parts[2]);
      }
      // The token itself still works: only the tampered copies were refused.
      assertThat(server.client().withToken(good).get(RUNS + runId).status()).isEqualTo(200);
    }
  }

  /** Replaces the character at {@code pos} by another base64url character. */
  private static String flip(String s, int pos) {
    char c = s.charAt(pos);
    char other = c == 'A' ? 'B' : 'A';
    return s.substring(0, pos) + other + s.substring(pos + 1);
  }

  @Test
  void aBearerWithAnotherPrefixIsNotARunToken() {
    String runId = run(token);
    String good = issue(token, runId, null);
    String v2 = "animus_run_v2." + good.substring("animus_run_v1.".length());
    // In token mode it is tried as an API token, which it is not.
    assertError(token.client().withToken(v2).get(RUNS + runId), 401, "invalid_token");
    // In dev mode an Authorization header that is not a run token is ignored.
    var me = dev.client().withToken(v2).get("/api/auth/me");
    assertThat(me.status()).isEqualTo(200);
    assertThat(me.json().get("auth").asText()).isEqualTo("dev");
  }

  @Test
  void expiredTokensUnknownRunsAndForeignSecretsAre401InBothModes() {
    for (TestServer server : bothModes()) {
      String runId = run(server);
      long now = Instant.now().getEpochSecond();
      RunTokens own = server.app().runTokens();
      RunTokens foreign = new RunTokens("some-other-secret".getBytes(StandardCharsets.UTF_8));
      for (String t : List.of(own.issue(new RunTokens.Claims(runId, null, now - 7200, now - 3600)),
          own.issue(new RunTokens.Claims(runId, null, now - 7200, now - 1)),
          own.issue(new RunTokens.Claims(runId, null, now - 7200, 0)),
          own.issue(new RunTokens.Claims(UUID.randomUUID().toString(), null, now, now + 3600)),
          own.issue(new RunTokens.Claims("run-123", null, now, now + 3600)),
          own.issue(new RunTokens.Claims(runId.toUpperCase(), null, now, now + 3600)),
          foreign.issue(new RunTokens.Claims(runId, null, now, now + 3600)))) {
        for (String path : List.of(RUNS + runId, "/api/auth/me")) {
          var r = server.client().withToken(t).get(path);
          assertError(r, 401, "unauthorized");
        }
      }
    }
  }

  // ---- lifetime ------------------------------------------------------------------------------------

  @Test
  void aTerminalRunsTokenStaysValidWithinTheGrace() {
    String runId = run(token);
    TestClient job = token.client().withToken(issue(token, runId, null));
    assertThat(job.post(RUNS + runId + "/status", "{\"status\":\"failed\"}").status()).isEqualTo(200);
    var after = job.get(RUNS + runId);
    assertThat(after.status()).as(after.text()).isEqualTo(200);
    assertThat(after.json().get("status").asText()).isEqualTo("failed");
    assertThat(job.post(RUNS + runId + "/events", "{\"message\":\"uploading final artifacts\"}").status())
        .isEqualTo(201);
  }

  @Test
  void aTerminalRunsTokenIsRejectedOnceTheGraceHasPassed() throws Exception {
    String runId = run(dev);
    TestClient job = dev.client().withToken(issue(dev, runId, null));
    assertThat(job.get(RUNS + runId).status()).isEqualTo(200);
    assertThat(job.post(RUNS + runId + "/status", "{\"status\":\"succeeded\"}").status()).isEqualTo(200);
    Thread.sleep(2_200);
    assertError(job.get(RUNS + runId), 401, "unauthorized");
    assertError(job.post(RUNS + runId + "/events", "{\"message\":\"late\"}"), 401, "unauthorized");
    assertError(job.get("/api/auth/me"), 401, "unauthorized");
    // The run itself is still there for everybody else.
    assertThat(dev.client().get(RUNS + runId).json().get("status").asText()).isEqualTo("succeeded");
  }

  // ---- the run-token secret ------------------------------------------------------------------------

  @Test
  void aGeneratedSecretIsPersistedInTheDataDirectoryAndReusedAfterARestart() throws Exception {
    TestServer server = TestServer.start(Map.of());
    try {
      Path file = server.app().config().dataDir().resolve("secrets").resolve("run-token-secret");
      assertThat(file).exists();
      String secret = Files.readString(file).trim();
      assertThat(secret).matches("[0-9a-f]{64}");
      String runId = run(server);
      String t = issue(server, runId, null);
      assertThat(server.client().withToken(t).get(RUNS + runId).status()).isEqualTo(200);

      server = server.restart(Map.of());
      assertThat(Files.readString(file).trim()).isEqualTo(secret);
      var after = server.client().withToken(t).get("/api/auth/me");
      assertThat(after.status()).as(after.text()).isEqualTo(200);
      assertThat(after.json().get("run_id").asText()).isEqualTo(runId);
      assertThat(server.client().withToken(t).post(RUNS + runId + "/heartbeat", "{}").status()).isEqualTo(200);

      // A configured secret takes precedence: old tokens stop working, tokens under that secret work.
      server = server.restart(Map.of("DATAPILOT_RUN_TOKEN_SECRET", "test-secret"));
      assertError(server.client().withToken(t).get(RUNS + runId), 401, "unauthorized");
      long now = Instant.now().getEpochSecond();
      String independent = signedIndependently("test-secret",
          "{\"run_id\":\"" + runId + "\",\"iat\":" + now + ",\"exp\":" + (now + 600) + "}");
      var me = server.client().withToken(independent).get("/api/auth/me");
      assertThat(me.status()).as(me.text()).isEqualTo(200);
      assertThat(me.json().get("subject").asText()).isEqualTo("run:" + runId);
      assertThat(Files.readString(file).trim()).isEqualTo(secret);
    } finally {
      server.close();
    }
  }

  /** A token built from §2.3 alone, without the server's code. */
  private static String signedIndependently(String secret, String claims) throws Exception {
    String b = Base64.getUrlEncoder().withoutPadding().encodeToString(claims.getBytes(StandardCharsets.UTF_8));
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
    String s = Base64.getUrlEncoder().withoutPadding()
        .encodeToString(mac.doFinal(("animus-run-token-v1\n" + b).getBytes(StandardCharsets.UTF_8)));
    return "animus_run_v1." + b + "." + s;
  }

  // ---- API tokens and run tokens side by side --------------------------------------------------------

  @Test
  void inTokenModeARequestWithoutCredentialIs401AndTheRunTokenIsWhatMakesTheDifference() {
    String runId = run(token);
    var anonymous = token.client().get(RUNS + runId);
    assertError(anonymous, 401, "unauthorized");
    assertThat(anonymous.header("WWW-Authenticate")).isEqualTo("Bearer");
    assertThat(token.client().withToken(issue(token, runId, null)).get(RUNS + runId).status()).isEqualTo(200);
  }
}
