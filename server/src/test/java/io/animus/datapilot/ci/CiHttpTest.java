package io.animus.datapilot.ci;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import io.animus.datapilot.common.Hashing;
import io.animus.datapilot.testing.RawHttp;
import io.animus.datapilot.testing.TestClient;
import io.animus.datapilot.testing.TestServer;
import io.animus.sdk.NewRun;
import io.animus.sdk.Run;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.slf4j.LoggerFactory;

/**
 * docs/protocol.md §7 over real HTTP, with requests built exactly as the published SDK's
 * {@code post_ci_webhook} / {@code post_ci_report} build them: compact JSON with sorted keys and
 * non-ASCII escaped, the two HMAC headers, and its bearer token, which CI endpoints ignore.
 */
@Timeout(180)
class CiHttpTest {
  private static final String SECRET = "ci-http-test-secret-0f9e8d7c";
  private static final String ADMIN = "admin-token-for-ci-http-tests";
  private static final String WEBHOOK = "/api/experiments/ci/webhook";
  private static final String REPORT = "/api/experiments/ci/report";
  private static final String IMAGES = "/api/experiments/model-images";
  private static final String RUNS = "/api/experiments/experiment-runs/";
  private static final int MIB = 1 << 20;
  private static final String RFC3339_Z = "\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d(\\.\\d{1,6})?Z";
  private static final String UUID_V4 = "[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}";
  /** Token mode with the CI secret: the SDK's bearer (unknown here) must be ignored on CI routes. */
  static TestServer server;
  static TestClient admin;

  @BeforeAll
  static void start() {
    server = TestServer.start(Map.of("DATAPILOT_AUTH_MODE", "token", "DATAPILOT_ADMIN_TOKEN", ADMIN,
        "ANIMUS_CI_WEBHOOK_SECRET", "  " + SECRET + "  "));
    admin = server.client().withToken(ADMIN);
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  // ---- building requests as the SDK does ----------------------------------------------------------

  /** A literal JSON number, written as given. */
  record Num(String literal) {}

  /** {@code json.dumps(value, sort_keys=True, separators=(",", ":"))} for the shapes used here. */
  static String py(Object value) {
    StringBuilder out = new StringBuilder();
    py(value, out);
    return out.toString();
  }

  private static void py(Object value, StringBuilder out) {
    if (value == null) {
      out.append("null");
    } else if (value instanceof Map<?, ?> map) {
      TreeMap<String, Object> sorted = new TreeMap<>();
      map.forEach((k, v) -> sorted.put((String) k, v));
      out.append('{');
      boolean first = true;
      for (Map.Entry<String, Object> e : sorted.entrySet()) {
        out.append(first ? "" : ",");
        first = false;
        py(e.getKey(), out);
        out.append(':');
        py(e.getValue(), out);
      }
      out.append('}');
    } else if (value instanceof List<?> list) {
      out.append('[');
      for (int i = 0; i < list.size(); i++) {
        out.append(i == 0 ? "" : ",");
        py(list.get(i), out);
      }
      out.append(']');
    } else if (value instanceof String s) {
      out.append('"');
      for (char c : s.toCharArray()) {
        if (c == '"' || c == '\\') {
          out.append('\\').append(c);
        } else if (c == '\n') {
          out.append("\\n");
        } else if (c < 0x20 || c > 0x7e) {
          out.append(String.format("\\u%04x", (int) c));
        } else {
          out.append(c);
        }
      }
      out.append('"');
    } else if (value instanceof Num n) {
      out.append(n.literal());
    } else {
      out.append(value);
    }
  }

  static String now(long offsetSeconds) {
    return Long.toString(Instant.now().getEpochSecond() + offsetSeconds);
  }

  static String sign(String ts, byte[] body) {
    return CiSignature.sign(SECRET, ts, "POST", body);
  }

  /** The SDK's header set, in its order, plus the CI headers (either may be null to leave it out). */
  static List<String[]> sdkHeaders(String ts, String sig, String bearer, String requestId) {
    List<String[]> headers = new ArrayList<>();
    headers.add(new String[] {"Accept", "application/json"});
    headers.add(new String[] {"Content-Type", "application/json"});
    headers.add(new String[] {"X-Request-Id", requestId});
    if (bearer != null) {
      headers.add(new String[] {"Authorization", "Bearer " + bearer});
    }
    if (ts != null) {
      headers.add(new String[] {"X-Animus-CI-Ts", ts});
    }
    if (sig != null) {
      headers.add(new String[] {"X-Animus-CI-Sig", sig});
    }
    return headers;
  }

  static TestClient.Response send(TestServer target, String path, byte[] body, String ts, String sig,
                                  String requestId) {
    TestClient.Response r = new RawHttp(target.baseUrl()).send("POST", path,
        sdkHeaders(ts, sig, "sdk-token-" + UUID.randomUUID(), requestId), body);
    assertThat(r.text()).doesNotContain(SECRET);
    return r;
  }

  static String requestId() {
    return UUID.randomUUID().toString().replace("-", "");
  }

  /** Signs and posts {@code body} as the SDK would, with the current time. */
  static TestClient.Response post(String path, String body) {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    String ts = now(0);
    return send(server, path, bytes, ts, sign(ts, bytes), requestId());
  }

  static TestClient.Response post(String path, Object payload) {
    return post(path, py(payload));
  }

  static void assertError(TestClient.Response r, int status, String code) {
    assertThat(r.status()).as(r.text()).isEqualTo(status);
    assertThat(r.error()).as(r.text()).isEqualTo(code);
    assertThat(r.json().get("request_id").asText()).isNotBlank();
  }

  /** A running run of a new experiment, made through the Java SDK with the admin token. */
  static String run() {
    String experimentId = admin.sdk().createExperiment("ci-" + UUID.randomUUID(), null, null).experimentId();
    Run r = admin.sdk().createRun(experimentId, NewRun.withStatus("running"));
    assertThat(r.status()).isEqualTo("running");
    return r.runId();
  }

  static String digest() {
    return "sha256:" + Hashing.sha256Hex(UUID.randomUUID().toString());
  }

  static List<String> fieldNames(JsonNode node) {
    List<String> names = new ArrayList<>();
    for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
      names.add(it.next());
    }
    return names;
  }

  /** The audit row of a request: error, reason and the whole details text. */
  static Map<String, String> audit(TestServer target, String requestId) throws Exception {
    for (int attempt = 0; attempt < 50; attempt++) {
      try (Connection c = DriverManager.getConnection(target.databaseUrl(), "postgres", "");
           PreparedStatement s = c.prepareStatement("SELECT actor, status, outcome, details->>'error' AS error, "
               + "details->>'reason' AS reason, details::text AS details FROM audit_events WHERE request_id = ?")) {
        s.setString(1, requestId);
        try (ResultSet rs = s.executeQuery()) {
          if (rs.next()) {
            Map<String, String> row = new LinkedHashMap<>();
            row.put("actor", rs.getString("actor"));
            row.put("status", Integer.toString(rs.getInt("status")));
            row.put("outcome", rs.getString("outcome"));
            row.put("error", rs.getString("error"));
            row.put("reason", rs.getString("reason"));
            row.put("details", rs.getString("details"));
            return row;
          }
        }
      }
      Thread.sleep(100);
    }
    throw new AssertionError("no audit row for request " + requestId);
  }

  static void assertAudited(TestServer target, String requestId, int status, String error) throws Exception {
    Map<String, String> row = audit(target, requestId);
    assertThat(row.get("status")).as(row.toString()).isEqualTo(Integer.toString(status));
    assertThat(row.get("error")).as(row.toString()).isEqualTo(error);
    assertThat(row.get("reason")).as(row.toString()).isNotBlank();
    assertThat(row.get("actor")).as(row.toString()).isEqualTo("ci");
    assertThat(row.get("details")).doesNotContain(SECRET);
  }

  // ---- webhook ----------------------------------------------------------------------------------------

  @Test
  void aWebhookBuiltLikeTheSdkIsStoredAndAnswers201WithTheFieldsOfSection72() {
    String runId = run();
    Map<String, Object> payload = new LinkedHashMap<>();
    payload.put("run_id", runId);
    payload.put("provider", "github_actions");
    payload.put("context", Map.of("sha", "abc", "actor", "Jos\u00e9 \uD83D\uDE80", "ref", "refs/heads/main"));
    payload.put("numbers", List.of(new Num("1.0"), new Num("1e5"), new Num("-0"), 3));
    String body = py(payload);
    assertThat(body).contains("\\u00e9").contains("\\ud83d\\ude80").startsWith("{\"context\":");
    var r = post(WEBHOOK, body);
    assertThat(r.status()).as(r.text()).isEqualTo(201);
    JsonNode c = r.json();
    assertThat(fieldNames(c)).containsExactlyInAnyOrder("context_id", "payload", "payload_sha256", "provider",
        "received_at", "received_by", "run_id");
    assertThat(c.get("context_id").asText()).matches(UUID_V4);
    assertThat(c.get("run_id").asText()).isEqualTo(runId);
    assertThat(c.get("provider").asText()).isEqualTo("github_actions");
    assertThat(c.get("received_by").asText()).isEqualTo("ci");
    assertThat(c.get("received_at").asText()).matches(RFC3339_Z);
    // The SDK's body is already canonical, so the payload hash is the hash of the raw body.
    assertThat(c.get("payload_sha256").asText()).isEqualTo(Hashing.sha256Hex(body.getBytes(StandardCharsets.UTF_8)));
    // The payload is returned as stored: the canonical text, numbers and escapes exactly as sent.
    assertThat(r.text()).contains("\"payload\":" + body + ",");
    assertThat(c.get("payload").get("context").get("actor").asText()).isEqualTo("Jos\u00e9 \uD83D\uDE80");
  }

  @Test
  void theBearerTheSdkSendsIsIgnoredEvenAMalformedRunToken() {
    String runId = run();
    for (String bearer : List.of("dp_unknownunknownunknownunknownunknownunknownun", "animus_run_v1.garbage",
        "animus_run_v1.x.y", ADMIN)) {
      byte[] body = py(Map.of("run_id", runId, "provider", "gitlab", "bearer", bearer)).getBytes(StandardCharsets.UTF_8);
      String ts = now(0);
      var r = new RawHttp(server.baseUrl()).send("POST", WEBHOOK, sdkHeaders(ts, sign(ts, body), bearer, requestId()),
          body);
      assertThat(r.status()).as(bearer + " " + r.text()).isEqualTo(201);
      assertThat(r.json().get("provider").asText()).isEqualTo("gitlab");
    }
    // Without any Authorization header at all, too (token mode).
    byte[] body = py(Map.of("run_id", runId, "provider", "none")).getBytes(StandardCharsets.UTF_8);
    String ts = now(0);
    List<String[]> headers = List.of(new String[] {"Content-Type", "application/json"},
        new String[] {"X-Animus-CI-Ts", ts}, new String[] {"X-Animus-CI-Sig", sign(ts, body)});
    assertThat(new RawHttp(server.baseUrl()).send("POST", WEBHOOK, headers, body).status()).isEqualTo(201);
  }

  @Test
  void aReplayedWebhookAnswers200DuplicateWithTheSameContextId() {
    String runId = run();
    String body = py(Map.of("run_id", runId, "provider", "github_actions", "context", Map.of("sha", "abc")));
    var first = post(WEBHOOK, body);
    assertThat(first.status()).isEqualTo(201);
    String contextId = first.json().get("context_id").asText();

    var replay = post(WEBHOOK, body);
    assertThat(replay.status()).as(replay.text()).isEqualTo(200);
    JsonNode d = replay.json();
    assertThat(fieldNames(d)).containsExactlyInAnyOrder("context_id", "payload_sha256", "provider", "run_id",
        "status");
    assertThat(d.get("status").asText()).isEqualTo("duplicate");
    assertThat(d.get("context_id").asText()).isEqualTo(contextId);
    assertThat(d.get("payload_sha256").asText()).isEqualTo(first.json().get("payload_sha256").asText());
    assertThat(d.get("provider").asText()).isEqualTo("github_actions");
    assertThat(d.get("run_id").asText()).isEqualTo(runId);

    // The same payload written differently (key order, spaces) is the same canonical payload.
    String reordered = "{ \"run_id\": \"" + runId + "\", \"context\": {\"sha\": \"abc\"}, \"provider\": "
        + "\"github_actions\" }";
    var again = post(WEBHOOK, reordered);
    assertThat(again.status()).as(again.text()).isEqualTo(200);
    assertThat(again.json().get("context_id").asText()).isEqualTo(contextId);

    var list = admin.get(RUNS + runId + "/ci-contexts").json().get("contexts");
    assertThat(list).hasSize(1);
  }

  @Test
  void ciContextsListsARunsContextsNewestFirstWithPaging() {
    String runId = run();
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      var r = post(WEBHOOK, Map.of("run_id", runId, "n", i));
      assertThat(r.status()).isEqualTo(201);
      ids.add(r.json().get("context_id").asText());
    }
    post(WEBHOOK, Map.of("run_id", run(), "n", 0));
    var all = admin.get(RUNS + runId + "/ci-contexts");
    assertThat(all.status()).isEqualTo(200);
    JsonNode contexts = all.json().get("contexts");
    assertThat(contexts).hasSize(3);
    assertThat(all.json().has("next_page_token")).isFalse();
    assertThat(contexts.get(0).get("context_id").asText()).isEqualTo(ids.get(2));
    assertThat(contexts.get(2).get("context_id").asText()).isEqualTo(ids.get(0));
    JsonNode first = contexts.get(2);
    assertThat(fieldNames(first)).containsExactlyInAnyOrder("context_id", "run_id", "provider", "payload",
        "payload_sha256", "received_at", "received_by");
    assertThat(first.get("provider").asText()).isEqualTo("");
    assertThat(first.get("payload").toString()).isEqualTo("{\"n\":0,\"run_id\":\"" + runId + "\"}");
    assertThat(first.get("received_by").asText()).isEqualTo("ci");

    var page1 = admin.get(RUNS + runId + "/ci-contexts?limit=2").json();
    assertThat(page1.get("contexts")).hasSize(2);
    String next = page1.get("next_page_token").asText();
    var page2 = admin.get(RUNS + runId + "/ci-contexts?limit=2&page_token=" + next).json();
    assertThat(page2.get("contexts")).hasSize(1);
    assertThat(page2.get("contexts").get(0).get("context_id").asText()).isEqualTo(ids.get(0));
    assertThat(page2.has("next_page_token")).isFalse();

    assertError(admin.get(RUNS + UUID.randomUUID() + "/ci-contexts"), 404, "not_found");
    assertError(server.client().get(RUNS + runId + "/ci-contexts"), 401, "unauthorized");
  }

  @Test
  void aWebhookForAnUnknownRunIs404() throws Exception {
    for (String runId : List.of(UUID.randomUUID().toString(), "run-123")) {
      byte[] body = py(Map.of("run_id", runId)).getBytes(StandardCharsets.UTF_8);
      String ts = now(0);
      String id = requestId();
      assertError(send(server, WEBHOOK, body, ts, sign(ts, body), id), 404, "not_found");
      assertAudited(server, id, 404, "not_found");
    }
  }

  @Test
  void aWebhookWithoutARunIdIs400RunIdRequired() throws Exception {
    for (String body : List.of("{}", "{\"provider\":\"x\"}", "{\"run_id\":\"\"}", "{\"run_id\":\"   \"}",
        "{\"run_id\":5}", "{\"run_id\":null}", "{\"run_id\":[\"x\"]}")) {
      byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
      String ts = now(0);
      String id = requestId();
      assertError(send(server, WEBHOOK, bytes, ts, sign(ts, bytes), id), 400, "run_id_required");
      assertAudited(server, id, 400, "run_id_required");
    }
  }

  @Test
  void aCorrectlySignedBodyThatIsNotAJsonObjectIs400InvalidJson() throws Exception {
    for (String path : List.of(WEBHOOK, REPORT)) {
      for (String body : List.of("[]", "[{\"run_id\":\"x\"}]", "\"x\"", "1", "null", "{", "{} {}", "")) {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        String ts = now(0);
        String id = requestId();
        assertError(send(server, path, bytes, ts, sign(ts, bytes), id), 400, "invalid_json");
        assertAudited(server, id, 400, "invalid_json");
      }
    }
  }

  @Test
  void aPayloadWithANonFiniteNumberIsRefusedAsInvalidJsonNotAnInternalError() {
    // Python's json.dumps writes NaN for float('nan'); it is not JSON, and a client error must be 4xx.
    String runId = run();
    for (String literal : List.of("NaN", "Infinity", "-Infinity")) {
      var r = post(WEBHOOK, "{\"loss\":" + literal + ",\"run_id\":\"" + runId + "\"}");
      assertError(r, 400, "invalid_json");
    }
    assertThat(admin.get(RUNS + runId + "/ci-contexts").json().get("contexts")).isEmpty();
  }

  @Test
  void loneSurrogateEscapesAreKeptAsPythonWritesThem() {
    String runId = run();
    for (String lone : List.of("\\ud800", "\\udc00", "x\\ud83dy")) {
      String body = "{\"note\":\"" + lone + "\",\"run_id\":\"" + runId + "\"}";
      var r = post(WEBHOOK, body);
      assertThat(r.status()).as(r.text()).isEqualTo(201);
      assertThat(r.json().get("payload_sha256").asText())
          .isEqualTo(Hashing.sha256Hex(body.getBytes(StandardCharsets.UTF_8)));
      assertThat(r.text()).contains("\"payload\":" + body);
    }
  }

  // ---- headers, window and signature ------------------------------------------------------------------

  @Test
  void aMissingOrEmptyHeaderIs401CiSignatureRequired() throws Exception {
    String runId = run();
    byte[] body = py(Map.of("run_id", runId)).getBytes(StandardCharsets.UTF_8);
    String ts = now(0);
    String sig = sign(ts, body);
    for (String path : List.of(WEBHOOK, REPORT)) {
      for (String[] pair : List.of(new String[] {null, sig}, new String[] {ts, null}, new String[] {null, null},
          new String[] {"", sig}, new String[] {ts, ""})) {
        String id = requestId();
        assertError(send(server, path, body, pair[0], pair[1], id), 401, "ci_signature_required");
        assertAudited(server, id, 401, "ci_signature_required");
      }
    }
    assertThat(admin.get(RUNS + runId + "/ci-contexts").json().get("contexts")).isEmpty();
  }

  /**
   * Posts a fresh webhook signed at server time + {@code offset}, repeating until the request was
   * sent and answered within one clock second, so the server's "now" is known exactly.
   */
  static TestClient.Response atOffset(String runId, long offset) {
    for (int attempt = 0; attempt < 30; attempt++) {
      long before = Instant.now().getEpochSecond();
      byte[] body = py(Map.of("run_id", runId, "offset", offset, "attempt", UUID.randomUUID().toString()))
          .getBytes(StandardCharsets.UTF_8);
      String ts = Long.toString(before + offset);
      var r = send(server, WEBHOOK, body, ts, sign(ts, body), requestId());
      if (Instant.now().getEpochSecond() == before) {
        return r;
      }
    }
    throw new AssertionError("could not send a request within one clock second");
  }

  @Test
  void timestampsExactly300SecondsOffAreAcceptedAnd301SecondsOffRejected() {
    String runId = run();
    assertThat(atOffset(runId, -300).status()).isEqualTo(201);
    assertThat(atOffset(runId, 300).status()).isEqualTo(201);
    assertError(atOffset(runId, -301), 401, "ci_signature_invalid");
    assertError(atOffset(runId, 301), 401, "ci_signature_invalid");
    assertThat(admin.get(RUNS + runId + "/ci-contexts").json().get("contexts")).hasSize(2);
  }

  @Test
  void aTimestampThatIsNotAnIntegerIs401CiSignatureInvalid() throws Exception {
    String runId = run();
    byte[] body = py(Map.of("run_id", runId)).getBytes(StandardCharsets.UTF_8);
    String ts = now(0);
    for (String bad : List.of(ts + ".0", ts + "x", "abc", "1.7e9", "0x" + Long.toHexString(Long.parseLong(ts)),
        ts.substring(0, 5) + " " + ts.substring(5))) {
      String id = requestId();
      assertError(send(server, WEBHOOK, body, bad, sign(bad, body), id), 401, "ci_signature_invalid");
      assertAudited(server, id, 401, "ci_signature_invalid");
    }
  }

  @Test
  void aBadSignatureIs401AndNeitherTheSecretNorTheExpectedSignatureLeaksIntoAnswersAuditOrLogs() throws Exception {
    String runId = run();
    byte[] body = py(Map.of("run_id", runId, "provider", "github_actions")).getBytes(StandardCharsets.UTF_8);
    String ts = now(0);
    String expected = sign(ts, body);
    ListAppender<ILoggingEvent> logs = new ListAppender<>();
    Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    // Tests log at WARN; open up the server's own loggers (access log included) while this runs.
    Logger access = (Logger) LoggerFactory.getLogger("datapilot.access");
    Logger own = (Logger) LoggerFactory.getLogger("io.animus.datapilot");
    Level accessLevel = access.getLevel();
    Level ownLevel = own.getLevel();
    access.setLevel(Level.TRACE);
    own.setLevel(Level.TRACE);
    logs.start();
    root.addAppender(logs);
    try {
      List<String> wrong = List.of(expected + "=", expected.replace('-', '+').replace('_', '/') + "==",
          "A".repeat(43), CiSignature.sign("other-secret", ts, "POST", body), expected.substring(1),
          CiSignature.sign(SECRET, ts, "PUT", body), CiSignature.sign(SECRET, now(1000), "POST", body),
          expected.toLowerCase(Locale.ROOT));
      for (String sig : wrong) {
        if (sig.equals(expected)) {
          continue;
        }
        for (String path : List.of(WEBHOOK, REPORT)) {
          String id = requestId();
          var r = send(server, path, body, ts, sig, id);
          assertError(r, 401, "ci_signature_invalid");
          assertThat(r.text()).doesNotContain(expected).doesNotContain(SECRET);
          assertThat(String.join("\n", r.headers().toString())).doesNotContain(expected).doesNotContain(SECRET);
          assertAudited(server, id, 401, "ci_signature_invalid");
          assertThat(audit(server, id).get("details")).doesNotContain(expected);
        }
      }
    } finally {
      root.detachAppender(logs);
      logs.stop();
      access.setLevel(accessLevel);
      own.setLevel(ownLevel);
    }
    assertThat(logs.list).anySatisfy(e -> assertThat(e.getFormattedMessage()).contains(" 401 "));
    for (ILoggingEvent e : logs.list) {
      assertThat(e.getFormattedMessage()).doesNotContain(expected).doesNotContain(SECRET);
      assertThat(String.valueOf(e.getMDCPropertyMap())).doesNotContain(expected).doesNotContain(SECRET);
      if (e.getThrowableProxy() != null) {
        assertThat(e.getThrowableProxy().getMessage()).doesNotContain(expected).doesNotContain(SECRET);
      }
    }
    try (Connection c = DriverManager.getConnection(server.databaseUrl(), "postgres", "");
         PreparedStatement s = c.prepareStatement(
             "SELECT count(*) FROM audit_events WHERE details::text LIKE ? OR details::text LIKE ? OR path LIKE ?")) {
      s.setString(1, "%" + SECRET + "%");
      s.setString(2, "%" + expected + "%");
      s.setString(3, "%" + SECRET + "%");
      try (ResultSet rs = s.executeQuery()) {
        rs.next();
        assertThat(rs.getLong(1)).isZero();
      }
    }
    assertThat(admin.get(RUNS + runId + "/ci-contexts").json().get("contexts")).isEmpty();
  }

  @Test
  void changingAnyByteOfTheBodyTimestampOrSignatureOfASignedRequestGives401() {
    String runId = run();
    byte[] body = py(Map.of("run_id", runId, "provider", "github_actions", "context", Map.of("sha", "abc")))
        .getBytes(StandardCharsets.UTF_8);
    String ts = now(0);
    String sig = sign(ts, body);
    int checked = 0;
    for (int pos = 0; pos < body.length; pos++) {
      byte[] changed = body.clone();
      changed[pos] = (byte) (changed[pos] ^ 0x01);
      var r = send(server, WEBHOOK, changed, ts, sig, requestId());
      assertThat(r.status()).as("body byte " + pos + " " + r.text()).isEqualTo(401);
      checked++;
    }
    for (int pos = 0; pos < ts.length(); pos++) {
      char other = ts.charAt(pos) == '9' ? '0' : (char) (ts.charAt(pos) + 1);
      String changed = ts.substring(0, pos) + other + ts.substring(pos + 1);
      var r = send(server, WEBHOOK, body, changed, sig, requestId());
      assertError(r, 401, "ci_signature_invalid");
      checked++;
    }
    String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    for (int pos = 0; pos < sig.length(); pos++) {
      int index = alphabet.indexOf(sig.charAt(pos));
      // For the last character, a change of its 2 unused low bits keeps the decoded MAC: still refused.
      char other = alphabet.charAt(pos == sig.length() - 1 ? index ^ 1 : (index + 1) % 64);
      String changed = sig.substring(0, pos) + other + sig.substring(pos + 1);
      var r = send(server, WEBHOOK, body, ts, changed, requestId());
      assertError(r, 401, "ci_signature_invalid");
      checked++;
    }
    assertThat(checked).isEqualTo(body.length + ts.length() + sig.length());
    assertThat(admin.get(RUNS + runId + "/ci-contexts").json().get("contexts")).isEmpty();
    // The untouched request still works.
    assertThat(send(server, WEBHOOK, body, ts, sig, requestId()).status()).isEqualTo(201);
  }

  // ---- body limit ----------------------------------------------------------------------------------------

  static byte[] paddedTo(String runId, int size) {
    String head = "{\"filler\":\"";
    String tail = "\",\"run_id\":\"" + runId + "\"}";
    return (head + "x".repeat(size - head.length() - tail.length()) + tail).getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void aBodyOfExactly1MibIsAcceptedAndOneByteMoreIs413() throws Exception {
    String runId = run();
    byte[] exact = paddedTo(runId, MIB);
    assertThat(exact).hasSize(MIB);
    String ts = now(0);
    var ok = send(server, WEBHOOK, exact, ts, sign(ts, exact), requestId());
    assertThat(ok.status()).as(ok.text()).isEqualTo(201);

    for (String path : List.of(WEBHOOK, REPORT)) {
      byte[] over = paddedTo(runId, MIB + 1);
      String id = requestId();
      var r = send(server, path, over, ts, sign(ts, over), id);
      assertError(r, 413, "payload_too_large");
      assertAudited(server, id, 413, "payload_too_large");
      // The size is checked before the headers.
      assertError(send(server, path, over, null, null, requestId()), 413, "payload_too_large");
    }
  }

  static TestClient.Response chunked(byte[] body, String ts, String sig) {
    ByteArrayOutputStream request = new ByteArrayOutputStream();
    request.writeBytes(("POST " + WEBHOOK + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        + (ts == null ? "" : "X-Animus-CI-Ts: " + ts + "\r\n") + (sig == null ? "" : "X-Animus-CI-Sig: " + sig + "\r\n")
        + "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
    for (int off = 0; off < body.length; off += 65536) {
      int n = Math.min(65536, body.length - off);
      request.writeBytes((Integer.toHexString(n) + "\r\n").getBytes(StandardCharsets.US_ASCII));
      request.write(body, off, n);
      request.writeBytes("\r\n".getBytes(StandardCharsets.US_ASCII));
    }
    request.writeBytes("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
    return new RawHttp(server.baseUrl()).exchange(request.toByteArray(), false);
  }

  @Test
  void aChunkedBodyOver1MibIs413EvenBeforeTheHeadersAreChecked() {
    String runId = run();
    byte[] over = paddedTo(runId, MIB + 100);
    String ts = now(0);
    assertError(chunked(over, ts, sign(ts, over)), 413, "payload_too_large");
    assertError(chunked(over, null, null), 413, "payload_too_large");
    assertError(chunked(over, now(-3600), "x"), 413, "payload_too_large");
    assertThat(admin.get(RUNS + runId + "/ci-contexts").json().get("contexts")).isEmpty();
    // A chunked body within the limit is verified like any other.
    byte[] small = py(Map.of("run_id", runId)).getBytes(StandardCharsets.UTF_8);
    assertThat(chunked(small, ts, sign(ts, small)).status()).isEqualTo(201);
    assertError(chunked(small, null, null), 401, "ci_signature_required");
  }

  // ---- not configured --------------------------------------------------------------------------------------

  @Test
  void withoutTheSecretTheServerStartsAndCiAnswers503NamingTheSetting() throws Exception {
    try (TestServer plain = TestServer.start(Map.of("ANIMUS_CI_WEBHOOK_SECRET", "   "))) {
      assertThat(plain.client().get("/healthz").status()).isEqualTo(200);
      byte[] body = py(Map.of("run_id", UUID.randomUUID().toString())).getBytes(StandardCharsets.UTF_8);
      String ts = now(0);
      for (String path : List.of(WEBHOOK, REPORT)) {
        for (byte[] b : List.of(body, paddedTo("x", MIB + 1))) {
          for (String sig : new String[] {sign(ts, b), null}) {
            String id = requestId();
            var r = send(plain, path, b, sig == null ? null : ts, sig, id);
            assertError(r, 503, "ci_not_configured");
            assertThat(r.json().get("message").asText()).contains("ANIMUS_CI_WEBHOOK_SECRET");
            assertAudited(plain, id, 503, "ci_not_configured");
          }
        }
      }
      // The rest of the server works.
      assertThat(plain.client().post("/api/experiments/experiments", "{\"name\":\"still-works\"}").status())
          .isEqualTo(201);
    }
  }

  // ---- report ------------------------------------------------------------------------------------------

  static Map<String, Object> report(String digest, String repo, String commit) {
    Map<String, Object> payload = new LinkedHashMap<>();
    payload.put("image_digest", digest);
    payload.put("repo", repo);
    payload.put("commit_sha", commit);
    payload.put("pipeline_id", "build-123");
    payload.put("provider", "github_actions");
    return payload;
  }

  @Test
  void aReportRegistersTheImageWith201LocationAndTheFieldsOfSection73() {
    String hex = Hashing.sha256Hex(UUID.randomUUID().toString());
    Map<String, Object> payload = report("  SHA256:" + hex.toUpperCase(Locale.ROOT) + " \n", "ghcr.io/acme/train",
        "deadbeef");
    payload.put("extra", Map.of("run_url", "https://ci.example/1", "attempt", 2));
    var r = post(REPORT, payload);
    assertThat(r.status()).as(r.text()).isEqualTo(201);
    String digest = "sha256:" + hex;
    assertThat(r.header("Location")).isEqualTo(IMAGES + "/" + digest);
    JsonNode m = r.json();
    assertThat(fieldNames(m)).containsExactlyInAnyOrder("commit_sha", "image_digest", "payload_sha256",
        "pipeline_id", "provider", "received_at", "received_by", "repo", "status");
    assertThat(m.get("image_digest").asText()).isEqualTo(digest);
    assertThat(m.get("repo").asText()).isEqualTo("ghcr.io/acme/train");
    assertThat(m.get("commit_sha").asText()).isEqualTo("deadbeef");
    assertThat(m.get("pipeline_id").asText()).isEqualTo("build-123");
    assertThat(m.get("provider").asText()).isEqualTo("github_actions");
    assertThat(m.get("received_by").asText()).isEqualTo("ci");
    assertThat(m.get("received_at").asText()).matches(RFC3339_Z);
    assertThat(m.get("status").asText()).isEqualTo("created");
    // The normalised digest is written back before hashing.
    Map<String, Object> normalised = new LinkedHashMap<>(payload);
    normalised.put("image_digest", digest);
    assertThat(m.get("payload_sha256").asText()).isEqualTo(Hashing.sha256Hex(py(normalised)));

    var got = admin.get(r.header("Location"));
    assertThat(got.status()).as(got.text()).isEqualTo(200);
    JsonNode image = got.json();
    assertThat(fieldNames(image)).containsExactlyInAnyOrder("image_digest", "repo", "commit_sha", "pipeline_id",
        "provider", "received_at", "received_by", "payload");
    assertThat(image.get("image_digest").asText()).isEqualTo(digest);
    assertThat(got.text()).contains("\"payload\":" + py(normalised));
    assertThat(image.get("payload").get("extra").get("run_url").asText()).isEqualTo("https://ci.example/1");
    assertThat(image.get("received_at").asText()).isEqualTo(m.get("received_at").asText());
    var head = admin.send("HEAD", r.header("Location"), null, Map.of());
    assertThat(head.status()).isEqualTo(200);
  }

  @Test
  void anIdenticalReReportAnswers200DuplicateAndTheFirstReportWins() {
    String digest = digest();
    Map<String, Object> payload = report(digest, "ghcr.io/acme/dup", "c0ffee");
    var first = post(REPORT, payload);
    assertThat(first.status()).isEqualTo(201);
    var again = post(REPORT, payload);
    assertThat(again.status()).as(again.text()).isEqualTo(200);
    assertThat(fieldNames(again.json())).containsExactlyInAnyOrder("image_digest", "payload_sha256", "status");
    assertThat(again.json().get("status").asText()).isEqualTo("duplicate");
    assertThat(again.json().get("image_digest").asText()).isEqualTo(digest);
    assertThat(again.json().get("payload_sha256").asText()).isEqualTo(first.json().get("payload_sha256").asText());

    // Same repo and commit from another pipeline: still a duplicate, nothing changes.
    Map<String, Object> otherPipeline = report(digest.toUpperCase(Locale.ROOT).replace("SHA256", "sha256"),
        "ghcr.io/acme/dup", "c0ffee");
    otherPipeline.put("pipeline_id", "build-999");
    var dup = post(REPORT, otherPipeline);
    assertThat(dup.status()).as(dup.text()).isEqualTo(200);
    assertThat(dup.json().get("status").asText()).isEqualTo("duplicate");
    assertThat(admin.get(IMAGES + "/" + digest).json().get("pipeline_id").asText()).isEqualTo("build-123");
    assertThat(first.header("Location")).isEqualTo(IMAGES + "/" + digest);
  }

  @Test
  void aReportOfAKnownDigestWithAnotherRepoOrCommitIs409AndAudited() throws Exception {
    String digest = digest();
    assertThat(post(REPORT, report(digest, "ghcr.io/acme/first", "aaaa1111")).status()).isEqualTo(201);
    for (Map<String, Object> conflicting : List.of(report(digest, "ghcr.io/evil/other", "aaaa1111"),
        report(digest, "ghcr.io/acme/first", "bbbb2222"), report(digest, "ghcr.io/evil/other", "bbbb2222"))) {
      byte[] body = py(conflicting).getBytes(StandardCharsets.UTF_8);
      String ts = now(0);
      String id = requestId();
      var r = send(server, REPORT, body, ts, sign(ts, body), id);
      assertError(r, 409, "model_image_conflict");
      JsonNode details = r.json().get("details");
      assertThat(details.get("repo").asText()).isEqualTo("ghcr.io/acme/first");
      assertThat(details.get("commit_sha").asText()).isEqualTo("aaaa1111");
      assertAudited(server, id, 409, "model_image_conflict");
      assertThat(audit(server, id).get("outcome")).isEqualTo("rejected");
    }
    JsonNode image = admin.get(IMAGES + "/" + digest).json();
    assertThat(image.get("repo").asText()).isEqualTo("ghcr.io/acme/first");
    assertThat(image.get("commit_sha").asText()).isEqualTo("aaaa1111");
  }

  @Test
  void reportValidationErrorsUseTheirCodes() throws Exception {
    String hex = Hashing.sha256Hex("v");
    Map<String, String> cases = new LinkedHashMap<>();
    cases.put(py(Map.of("repo", "r", "commit_sha", "c", "pipeline_id", "p")), "image_digest_required");
    cases.put(py(Map.of("image_digest", "", "repo", "r", "commit_sha", "c", "pipeline_id", "p")),
        "image_digest_required");
    cases.put(py(Map.of("image_digest", "   ", "repo", "r", "commit_sha", "c", "pipeline_id", "p")),
        "image_digest_required");
    cases.put("{\"commit_sha\":\"c\",\"image_digest\":7,\"pipeline_id\":\"p\",\"repo\":\"r\"}",
        "image_digest_required");
    for (String bad : List.of(hex, "sha256:" + hex.substring(1), "sha256:" + hex + "0", "sha512:" + hex,
        "sha256:" + hex.substring(1) + "g", "sha256 :" + hex, "md5:abc", "sha256:")) {
      cases.put(py(Map.of("image_digest", bad, "repo", "r", "commit_sha", "c", "pipeline_id", "p")),
          "image_digest_invalid");
    }
    String digest = "sha256:" + hex;
    cases.put(py(Map.of("image_digest", digest, "commit_sha", "c", "pipeline_id", "p")), "repo_required");
    cases.put(py(Map.of("image_digest", digest, "repo", " ", "commit_sha", "c", "pipeline_id", "p")),
        "repo_required");
    cases.put(py(Map.of("image_digest", digest, "repo", "r", "pipeline_id", "p")), "commit_sha_required");
    cases.put(py(Map.of("image_digest", digest, "repo", "r", "commit_sha", "", "pipeline_id", "p")),
        "commit_sha_required");
    cases.put(py(Map.of("image_digest", digest, "repo", "r", "commit_sha", "c")), "pipeline_id_required");
    cases.put("{\"commit_sha\":\"c\",\"image_digest\":\"" + digest + "\",\"pipeline_id\":12,\"repo\":\"r\"}",
        "pipeline_id_required");
    for (Map.Entry<String, String> c : cases.entrySet()) {
      byte[] body = c.getKey().getBytes(StandardCharsets.UTF_8);
      String ts = now(0);
      String id = requestId();
      var r = send(server, REPORT, body, ts, sign(ts, body), id);
      assertThat(r.status()).as(c.getKey() + " " + r.text()).isEqualTo(400);
      assertThat(r.error()).as(c.getKey()).isEqualTo(c.getValue());
      assertAudited(server, id, 400, c.getValue());
    }
    assertError(admin.get(IMAGES + "/" + digest), 404, "not_found");
  }

  // ---- model images ------------------------------------------------------------------------------------

  @Test
  void modelImagesAreListedNewestFirstWithRepoAndCommitFiltersAndPaging() {
    String repo = "ghcr.io/acme/list-" + UUID.randomUUID();
    List<String> digests = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      String d = digest();
      Map<String, Object> payload = report(d, repo, i < 2 ? "commit-a" : "commit-b");
      if (i == 1) {
        payload.remove("provider");
      }
      assertThat(post(REPORT, payload).status()).isEqualTo(201);
      digests.add(d);
    }
    assertThat(post(REPORT, report(digest(), repo + "-other", "commit-a")).status()).isEqualTo(201);

    var all = admin.get(IMAGES + "?repo=" + repo);
    assertThat(all.status()).isEqualTo(200);
    JsonNode images = all.json().get("model_images");
    assertThat(images).hasSize(3);
    assertThat(images.get(0).get("image_digest").asText()).isEqualTo(digests.get(2));
    assertThat(images.get(1).get("image_digest").asText()).isEqualTo(digests.get(1));
    assertThat(images.get(2).get("image_digest").asText()).isEqualTo(digests.get(0));
    assertThat(fieldNames(images.get(0))).containsExactlyInAnyOrder("image_digest", "repo", "commit_sha",
        "pipeline_id", "provider", "received_at", "received_by");
    assertThat(fieldNames(images.get(1))).containsExactlyInAnyOrder("image_digest", "repo", "commit_sha",
        "pipeline_id", "received_at", "received_by");
    assertThat(all.json().has("next_page_token")).isFalse();

    var byCommit = admin.get(IMAGES + "?repo=" + repo + "&commit_sha=commit-a").json().get("model_images");
    assertThat(byCommit).hasSize(2);
    assertThat(byCommit.get(0).get("image_digest").asText()).isEqualTo(digests.get(1));
    var commitOnly = admin.get(IMAGES + "?commit_sha=commit-b").json().get("model_images");
    assertThat(commitOnly).anySatisfy(n -> assertThat(n.get("image_digest").asText()).isEqualTo(digests.get(2)));
    assertThat(commitOnly).allSatisfy(n -> assertThat(n.get("commit_sha").asText()).isEqualTo("commit-b"));

    JsonNode page1 = admin.get(IMAGES + "?repo=" + repo + "&limit=2").json();
    assertThat(page1.get("model_images")).hasSize(2);
    String next = page1.get("next_page_token").asText();
    JsonNode page2 = admin.get(IMAGES + "?repo=" + repo + "&limit=2&page_token=" + next).json();
    assertThat(page2.get("model_images")).hasSize(1);
    assertThat(page2.get("model_images").get(0).get("image_digest").asText()).isEqualTo(digests.get(0));
    assertThat(page2.has("next_page_token")).isFalse();
    assertError(admin.get(IMAGES + "?repo=" + repo + "-other&limit=2&page_token=" + next), 400,
        "invalid_page_token");
    assertError(admin.get(IMAGES + "?page_token=garbage"), 400, "invalid_page_token");
    assertError(server.client().get(IMAGES), 401, "unauthorized");
  }

  @Test
  void oneModelImageIsReadByItsDigestWithTheColonInThePath() {
    String digest = digest();
    assertThat(post(REPORT, report(digest, "ghcr.io/acme/one", "abc123")).status()).isEqualTo(201);
    var r = admin.get(IMAGES + "/" + digest);
    assertThat(r.status()).as(r.text()).isEqualTo(200);
    assertThat(r.json().get("commit_sha").asText()).isEqualTo("abc123");
    assertThat(r.json().get("payload").get("image_digest").asText()).isEqualTo(digest);

    for (String bad : List.of("sha256:xyz", "nope", "sha256:" + "a".repeat(63), "sha512:" + "a".repeat(64),
        digest + "0")) {
      assertError(admin.get(IMAGES + "/" + bad), 400, "image_digest_invalid");
    }
    assertError(admin.get(IMAGES + "/" + digest()), 404, "not_found");
    assertError(admin.get(IMAGES + "/" + digest + "/extra"), 404, "route_not_found");
    assertError(server.client().get(IMAGES + "/" + digest), 401, "unauthorized");
  }
}
