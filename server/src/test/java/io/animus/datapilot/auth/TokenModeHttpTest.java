package io.animus.datapilot.auth;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.animus.datapilot.testing.TestClient;
import io.animus.datapilot.testing.TestServer;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class TokenModeHttpTest {
  private static final String ADMIN_TOKEN = "admin-secret-for-tests-0123456789";
  private static final String UUID_V4 = "[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}";
  private static final String RFC3339 = "\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d(\\.\\d{1,6})?Z";
  private static final String RUN_TOKEN = "animus_run_v1.eyJydW5faWQiOiJydW4tMTIzIiwiZGF0YXNldF92ZXJzaW9uX2lkIjoiZHYtMSIs"
      + "ImlhdCI6MTczNDIwMDAwMCwiZXhwIjoxNzM0MjAzNjAwfQ.LCXMnsHyV1hdFWBrxZmW-uz0sldr5e3Sa4V06tndAC8";
  static TestServer server;
  static TestServer devServer;
  static TestClient anonymous;
  static TestClient admin;

  @BeforeAll
  static void start() {
    server = TestServer.start(Map.of("DATAPILOT_AUTH_MODE", "token", "DATAPILOT_ADMIN_TOKEN", ADMIN_TOKEN));
    devServer = TestServer.start(Map.of("DATAPILOT_AUTH_MODE", "dev"));
    anonymous = server.client();
    admin = anonymous.withToken(ADMIN_TOKEN);
  }

  @AfterAll
  static void stop() {
    server.close();
    devServer.close();
  }

  private static JsonNode createToken(String name, String role) {
    TestClient.Response r = admin.post("/api/auth/tokens", "{\"name\":\"" + name + "\",\"role\":\"" + role + "\"}");
    assertThat(r.status()).as(r.text()).isEqualTo(201);
    return r.json();
  }

  private static List<String> fieldNames(JsonNode node) {
    List<String> names = new ArrayList<>();
    for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
      names.add(it.next());
    }
    return names;
  }

  private static void assertError(TestClient.Response r, int status, String code) {
    assertThat(r.status()).as(r.text()).isEqualTo(status);
    assertThat(r.error()).isEqualTo(code);
    assertThat(r.json().path("request_id").asText()).isEqualTo(r.header("X-Request-Id"));
  }

  @Test
  void aCallWithoutCredentialIsUnauthorizedWithABearerChallenge() {
    TestClient.Response r = anonymous.get("/api/experiments/experiments");
    assertError(r, 401, "unauthorized");
    assertThat(r.header("WWW-Authenticate")).isEqualTo("Bearer");
    assertThat(r.json().path("message").asText()).doesNotContain(ADMIN_TOKEN);
  }

  @Test
  void aNonBearerAuthorizationCountsAsNoCredential() {
    TestClient.Response r = anonymous.send("GET", "/api/auth/me", null, Map.of("Authorization", "Basic YWRtaW46YWRtaW4="));
    assertError(r, 401, "unauthorized");
    assertThat(r.header("WWW-Authenticate")).isEqualTo("Bearer");
  }

  @Test
  void anUnknownApiTokenIsInvalid() {
    String unknown = "dp_" + "A".repeat(43);
    TestClient.Response r = anonymous.withToken(unknown).get("/api/experiments/experiments");
    assertError(r, 401, "invalid_token");
    assertThat(r.text()).doesNotContain(unknown);
  }

  @Test
  void aBearerThatIsNeitherAdminNorKnownIsInvalid() {
    assertError(anonymous.withToken("not-a-datapilot-token").get("/api/auth/me"), 401, "invalid_token");
    assertError(anonymous.withToken(ADMIN_TOKEN + "x").get("/api/auth/me"), 401, "invalid_token");
  }

  @Test
  void adminCreatesTokensOfEveryRoleWithTheirFields() {
    for (String role : List.of("viewer", "editor", "admin")) {
      Instant before = Instant.now().truncatedTo(ChronoUnit.SECONDS);
      TestClient.Response r = admin.post("/api/auth/tokens", "{\"name\":\" ci " + role + " \",\"role\":\"" + role + "\"}");
      assertThat(r.status()).as(r.text()).isEqualTo(201);
      assertThat(r.header("Content-Type")).startsWith("application/json");
      JsonNode body = r.json();
      assertThat(fieldNames(body))
          .containsExactly("token_id", "name", "role", "token_prefix", "created_at", "created_by", "token");
      assertThat(body.get("token_id").asText()).matches(UUID_V4);
      assertThat(body.get("name").asText()).isEqualTo("ci " + role);
      assertThat(body.get("role").asText()).isEqualTo(role);
      String token = body.get("token").asText();
      assertThat(token).matches("dp_[A-Za-z0-9_-]{43}");
      assertThat(body.get("token_prefix").asText()).isEqualTo(token.substring(0, 7));
      assertThat(body.get("created_by").asText()).isEqualTo("admin");
      assertThat(body.get("created_at").asText()).matches(RFC3339);
      assertThat(Instant.parse(body.get("created_at").asText())).isAfterOrEqualTo(before);
    }
  }

  @Test
  void tokensAreDistinctSecrets() {
    String a = createToken("distinct-a", "viewer").get("token").asText();
    String b = createToken("distinct-b", "viewer").get("token").asText();
    assertThat(a).isNotEqualTo(b);
  }

  @Test
  void aTokenWithAnExpiryShowsIt() {
    String expires = Instant.now().plus(1, ChronoUnit.DAYS).truncatedTo(ChronoUnit.SECONDS).toString();
    TestClient.Response r = admin.post("/api/auth/tokens",
        "{\"expires_at\":\"" + expires + "\",\"name\":\"expiring\",\"role\":\"viewer\"}");
    assertThat(r.status()).as(r.text()).isEqualTo(201);
    assertThat(fieldNames(r.json())).containsExactly("token_id", "name", "role", "token_prefix", "created_at",
        "created_by", "expires_at", "token");
    assertThat(r.json().get("expires_at").asText()).isEqualTo(expires);
    assertThat(anonymous.withToken(r.json().get("token").asText()).get("/api/auth/me").status()).isEqualTo(200);
  }

  @Test
  void anExpiryWithAnOffsetIsStoredInUtc() {
    String expires = Instant.now().plus(2, ChronoUnit.DAYS).truncatedTo(ChronoUnit.SECONDS)
        .atOffset(java.time.ZoneOffset.ofHours(2)).toString();
    TestClient.Response r = admin.post("/api/auth/tokens",
        "{\"expires_at\":\"" + expires + "\",\"name\":\"offset\",\"role\":\"viewer\"}");
    assertThat(r.status()).as(r.text()).isEqualTo(201);
    assertThat(r.json().get("expires_at").asText())
        .isEqualTo(java.time.OffsetDateTime.parse(expires).toInstant().toString());
  }

  @Test
  void anUnknownRoleIsRefused() {
    assertError(admin.post("/api/auth/tokens", "{\"name\":\"x\",\"role\":\"owner\"}"), 400, "invalid_role");
    assertError(admin.post("/api/auth/tokens", "{\"name\":\"x\"}"), 400, "invalid_role");
  }

  @Test
  void aMissingOrBlankNameIsRefused() {
    assertError(admin.post("/api/auth/tokens", "{\"role\":\"viewer\"}"), 400, "name_required");
    assertError(admin.post("/api/auth/tokens", "{\"name\":\"   \",\"role\":\"viewer\"}"), 400, "name_required");
  }

  @Test
  void aNameLongerThan255CharactersIsRefused() {
    assertError(admin.post("/api/auth/tokens", "{\"name\":\"" + "n".repeat(256) + "\",\"role\":\"viewer\"}"),
        400, "invalid_name");
    assertThat(admin.post("/api/auth/tokens", "{\"name\":\"" + "n".repeat(255) + "\",\"role\":\"viewer\"}")
        .status()).isEqualTo(201);
  }

  @Test
  void anUnparsableExpiryIsRefused() {
    assertError(admin.post("/api/auth/tokens", "{\"expires_at\":\"tomorrow\",\"name\":\"x\",\"role\":\"viewer\"}"),
        400, "invalid_timestamp");
  }

  @Test
  void anExpiryInThePastIsRefused() {
    String past = Instant.now().minus(1, ChronoUnit.HOURS).toString();
    TestClient.Response r = admin.post("/api/auth/tokens",
        "{\"expires_at\":\"" + past + "\",\"name\":\"already-expired\",\"role\":\"viewer\"}");
    assertError(r, 400, "invalid_timestamp");
    assertThat(r.json().path("message").asText()).contains("expires_at");
  }

  @Test
  void anUnknownFieldIsInvalidJson() {
    TestClient.Response r = admin.post("/api/auth/tokens", "{\"name\":\"x\",\"role\":\"viewer\",\"scope\":\"all\"}");
    assertError(r, 400, "invalid_json");
    assertThat(r.json().path("message").asText()).contains("scope");
  }

  @Test
  void aTokenStopsWorkingOnceItExpires() throws InterruptedException {
    // the one wait this suite allows: a token that expires 1.8 s after it is issued
    Instant expires = Instant.now().plusMillis(1800);
    TestClient.Response r = admin.post("/api/auth/tokens",
        "{\"expires_at\":\"" + expires + "\",\"name\":\"short-lived\",\"role\":\"viewer\"}");
    assertThat(r.status()).as(r.text()).isEqualTo(201);
    TestClient client = anonymous.withToken(r.json().get("token").asText());
    long wait = java.time.Duration.between(Instant.now(), expires).toMillis() + 100;
    if (wait > 0) {
      Thread.sleep(Math.min(wait, 2000));
    }
    assertError(client.get("/api/auth/me"), 401, "invalid_token");
  }

  @Test
  void aViewerMayReadButNotCreate() {
    TestClient viewer = anonymous.withToken(createToken("reader", "viewer").get("token").asText());
    TestClient.Response list = viewer.get("/api/experiments/experiments");
    assertThat(list.status()).isEqualTo(200);
    assertThat(list.json().has("experiments")).isTrue();
    assertThat(viewer.get("/api/experiments/experiment-runs").status()).isEqualTo(200);
    assertThat(viewer.get("/api/experiments/projects").status()).isEqualTo(200);
    TestClient.Response create = viewer.post("/api/experiments/experiments", "{\"name\":\"viewer-made\"}");
    assertError(create, 403, "forbidden");
    assertThat(admin.get("/api/experiments/experiments?name=viewer-made").json().get("experiments").size())
        .isZero();
  }

  @Test
  void anEditorCreatesExperimentsAsItsTokenSubject() {
    JsonNode editorToken = createToken("writer", "editor");
    TestClient editor = anonymous.withToken(editorToken.get("token").asText());
    TestClient.Response r = editor.post("/api/experiments/experiments", "{\"name\":\"editor-made\"}");
    assertThat(r.status()).as(r.text()).isEqualTo(201);
    assertThat(r.json().get("created_by").asText()).isEqualTo("token:" + editorToken.get("token_id").asText());
    TestClient.Response run = editor.post("/api/experiments/experiments/" + r.json().get("experiment_id").asText()
        + "/runs", "{\"metrics\":{},\"params\":{},\"status\":\"running\"}");
    assertThat(run.status()).as(run.text()).isEqualTo(201);
  }

  @Test
  void anEditorMayNotAdministerTokens() {
    TestClient editor = anonymous.withToken(createToken("no-admin", "editor").get("token").asText());
    assertError(editor.get("/api/auth/tokens"), 403, "forbidden");
    assertError(editor.post("/api/auth/tokens", "{\"name\":\"escalate\",\"role\":\"admin\"}"), 403, "forbidden");
    JsonNode victim = createToken("victim", "viewer");
    assertError(editor.delete("/api/auth/tokens/" + victim.get("token_id").asText()), 403, "forbidden");
    assertThat(anonymous.withToken(victim.get("token").asText()).get("/api/auth/me").status()).isEqualTo(200);
  }

  @Test
  void anAdminApiTokenMayIssueTokensInItsOwnName() {
    JsonNode adminToken = createToken("second-admin", "admin");
    TestClient second = anonymous.withToken(adminToken.get("token").asText());
    TestClient.Response r = second.post("/api/auth/tokens", "{\"name\":\"issued-by-token\",\"role\":\"viewer\"}");
    assertThat(r.status()).as(r.text()).isEqualTo(201);
    assertThat(r.json().get("created_by").asText()).isEqualTo("token:" + adminToken.get("token_id").asText());
  }

  @Test
  void listingTokensNeverShowsTheSecret() {
    JsonNode created = createToken("listed", "editor");
    TestClient.Response r = admin.get("/api/auth/tokens");
    assertThat(r.status()).isEqualTo(200);
    assertThat(fieldNames(r.json())).containsExactly("tokens");
    assertThat(r.text()).doesNotContain(created.get("token").asText()).doesNotContain("token_sha256");
    JsonNode listed = null;
    for (JsonNode t : r.json().get("tokens")) {
      assertThat(t.has("token")).isFalse();
      if (t.get("token_id").asText().equals(created.get("token_id").asText())) {
        listed = t;
      }
    }
    assertThat(listed).isNotNull();
    JsonNode expected = created.deepCopy();
    ((com.fasterxml.jackson.databind.node.ObjectNode) expected).remove("token");
    assertThat(listed).isEqualTo(expected);
  }

  @Test
  void aUsedTokenShowsWhenItWasLastUsed() {
    JsonNode created = createToken("used", "viewer");
    Instant before = Instant.now().truncatedTo(ChronoUnit.SECONDS);
    assertThat(anonymous.withToken(created.get("token").asText()).get("/api/auth/me").status()).isEqualTo(200);
    JsonNode listed = findListed(created.get("token_id").asText());
    assertThat(listed.get("last_used_at").asText()).matches(RFC3339);
    assertThat(Instant.parse(listed.get("last_used_at").asText())).isAfterOrEqualTo(before);
  }

  private static JsonNode findListed(String tokenId) {
    for (JsonNode t : admin.get("/api/auth/tokens?limit=500").json().get("tokens")) {
      if (t.get("token_id").asText().equals(tokenId)) {
        return t;
      }
    }
    return null;
  }

  @Test
  void tokensArePagedNewestFirstWithLimitOne() {
    createToken("page-a", "viewer");
    createToken("page-b", "viewer");
    createToken("page-c", "viewer");
    List<String> all = new ArrayList<>();
    admin.get("/api/auth/tokens?limit=500").json().get("tokens").forEach(t -> all.add(t.get("token_id").asText()));
    assertThat(all.size()).isGreaterThanOrEqualTo(3);

    List<String> paged = new ArrayList<>();
    String next = null;
    int pages = 0;
    do {
      TestClient.Response r = admin.get("/api/auth/tokens?limit=1" + (next == null ? "" : "&page_token=" + next));
      assertThat(r.status()).as(r.text()).isEqualTo(200);
      JsonNode body = r.json();
      assertThat(body.get("tokens").size()).isEqualTo(1);
      paged.add(body.get("tokens").get(0).get("token_id").asText());
      next = body.has("next_page_token") ? body.get("next_page_token").asText() : null;
      pages++;
    } while (next != null && pages <= all.size());
    assertThat(paged).isEqualTo(all);
    assertThat(pages).isEqualTo(all.size());

    assertThat(nameOf(all.get(0))).isEqualTo("page-c");
    assertThat(nameOf(all.get(1))).isEqualTo("page-b");
    assertThat(nameOf(all.get(2))).isEqualTo("page-a");
  }

  private static String nameOf(String tokenId) {
    return findListed(tokenId).get("name").asText();
  }

  @Test
  void aMalformedPageTokenIsRefused() {
    assertError(admin.get("/api/auth/tokens?page_token=garbage"), 400, "invalid_page_token");
    admin.post("/api/experiments/experiments", "{\"name\":\"pt-1\"}");
    admin.post("/api/experiments/experiments", "{\"name\":\"pt-2\"}");
    String experimentsToken = admin.get("/api/experiments/experiments?limit=1").json().get("next_page_token").asText();
    assertError(admin.get("/api/auth/tokens?page_token=" + experimentsToken), 400, "invalid_page_token");
  }

  @Test
  void deletingATokenRevokesItImmediately() {
    JsonNode created = createToken("to-revoke", "editor");
    TestClient holder = anonymous.withToken(created.get("token").asText());
    assertThat(holder.get("/api/auth/me").status()).isEqualTo(200);

    TestClient.Response deleted = admin.delete("/api/auth/tokens/" + created.get("token_id").asText());
    assertThat(deleted.status()).isEqualTo(204);
    assertThat(deleted.bytes()).isEmpty();

    assertError(holder.get("/api/auth/me"), 401, "invalid_token");
    assertError(holder.post("/api/experiments/experiments", "{\"name\":\"after-revoke\"}"), 401, "invalid_token");
    assertThat(findListed(created.get("token_id").asText())).isNull();

    assertError(admin.delete("/api/auth/tokens/" + created.get("token_id").asText()), 404, "not_found");
  }

  @Test
  void deletingAnUnknownOrMalformedTokenIdIsNotFound() {
    assertError(admin.delete("/api/auth/tokens/0b6f3c1e-1111-4222-8333-444455556666"), 404, "not_found");
    assertError(admin.delete("/api/auth/tokens/not-a-uuid"), 404, "not_found");
    assertError(admin.delete("/api/auth/tokens/0B6F3C1E-1111-4222-8333-444455556666"), 404, "not_found");
  }

  @Test
  void meDescribesTheAdminToken() {
    TestClient.Response r = admin.get("/api/auth/me");
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.text()).isEqualTo("{\"subject\":\"admin\",\"role\":\"admin\",\"auth\":\"api_token\"}");
  }

  @Test
  void meDescribesAnApiToken() {
    JsonNode created = createToken("whoami", "viewer");
    TestClient.Response r = anonymous.withToken(created.get("token").asText()).get("/api/auth/me");
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.text()).isEqualTo("{\"subject\":\"token:" + created.get("token_id").asText()
        + "\",\"role\":\"viewer\",\"auth\":\"api_token\"}");
  }

  @Test
  void meDescribesTheDevUserInDevMode() {
    TestClient.Response r = devServer.client().get("/api/auth/me");
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.text()).isEqualTo("{\"subject\":\"dev-user\",\"role\":\"admin\",\"auth\":\"dev\"}");
  }

  @Test
  void devModeIgnoresAnApiTokenBearer() {
    TestClient.Response r = devServer.client().withToken("dp_" + "B".repeat(43)).get("/api/auth/me");
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.json().get("subject").asText()).isEqualTo("dev-user");
    assertThat(r.json().get("auth").asText()).isEqualTo("dev");
  }

  @Test
  void anInvalidRunTokenIsUnauthorizedInTokenMode() {
    TestClient.Response r = anonymous.withToken(RUN_TOKEN).get("/api/auth/me");
    assertError(r, 401, "unauthorized");
    assertThat(r.header("WWW-Authenticate")).isEqualTo("Bearer");
    assertError(anonymous.withToken("animus_run_v1.x.y").get("/api/experiments/experiment-runs"), 401,
        "unauthorized");
  }

  @Test
  void anInvalidRunTokenIsUnauthorizedInDevMode() {
    TestClient.Response r = devServer.client().withToken(RUN_TOKEN).get("/api/auth/me");
    assertError(r, 401, "unauthorized");
    assertThat(r.header("WWW-Authenticate")).isEqualTo("Bearer");
    assertError(devServer.client().withToken("animus_run_v1.").post("/api/experiments/experiments",
        "{\"name\":\"run-token-made\"}"), 401, "unauthorized");
    assertThat(devServer.client().get("/api/experiments/experiments?name=run-token-made").json()
        .get("experiments").size()).isZero();
  }

  @Test
  void healthAndReadinessNeedNoCredential() {
    TestClient.Response health = anonymous.get("/healthz");
    assertThat(health.status()).isEqualTo(200);
    assertThat(health.json().get("status").asText()).isEqualTo("ok");
    TestClient.Response ready = anonymous.get("/readyz");
    assertThat(ready.status()).isEqualTo(200);
    assertThat(ready.json().get("status").asText()).isEqualTo("ready");
  }

  @Test
  void exemptRoutesIgnoreABadBearer() {
    for (String bad : List.of("dp_unknown", "animus_run_v1.a.b")) {
      TestClient client = anonymous.withToken(bad);
      assertThat(client.get("/healthz").status()).as("healthz with %s", bad).isEqualTo(200);
      assertThat(client.get("/readyz").status()).as("readyz with %s", bad).isEqualTo(200);
      assertThat(client.get("/metrics").status()).as("metrics with %s", bad).isEqualTo(200);
    }
  }

  @Test
  void metricsFromLoopbackNeedNoCredential() {
    TestClient.Response r = anonymous.get("/metrics");
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.header("Content-Type")).startsWith("text/plain");
    assertThat(r.text()).contains("datapilot_http_requests_total");
  }

  @Test
  void unknownRoutesAreStillRouteNotFoundWithoutCredential() {
    assertError(anonymous.get("/api/experiments/nothing-here"), 404, "route_not_found");
  }
}
