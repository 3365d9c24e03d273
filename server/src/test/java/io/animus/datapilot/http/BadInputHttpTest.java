package io.animus.datapilot.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.animus.datapilot.ci.CiSignature;
import io.animus.datapilot.testing.Multipart;
import io.animus.datapilot.testing.RawHttp;
import io.animus.datapilot.testing.StoredState;
import io.animus.datapilot.testing.TestClient;
import io.animus.datapilot.testing.TestServer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Each input here once answered 500 (or was stored altered): now a 4xx naming the field, with
 * nothing stored. Every refusal is checked against a snapshot of all tables and the blob files.
 */
class BadInputHttpTest {
  private static final String SECRET = "bad-input-ci-secret";
  static TestServer server;
  static TestClient client;
  static String experimentId;
  static String runId;
  static String datasetId;

  @BeforeAll
  static void start() {
    server = TestServer.start(Map.of("ANIMUS_CI_WEBHOOK_SECRET", SECRET));
    client = server.client();
    experimentId = client.post("/api/experiments/experiments", "{\"name\":\"bad-input\"}").json()
        .get("experiment_id").asText();
    runId = client.post("/api/experiments/experiments/" + experimentId + "/runs", "{\"status\":\"running\"}").json()
        .get("run_id").asText();
    datasetId = client.post("/api/dataset-registry/datasets", "{\"name\":\"bad-input\"}").json()
        .get("dataset_id").asText();
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  private static String run(String suffix) {
    return "/api/experiments/experiment-runs/" + runId + suffix;
  }

  /** Sends the request and checks: the status and code, a JSON error body, and nothing stored. */
  private static JsonNode refused(int status, String code, java.util.function.Supplier<TestClient.Response> send) {
    Map<String, Long> before = StoredState.of(server);
    TestClient.Response r = send.get();
    assertThat(r.status()).as(r.text()).isEqualTo(status);
    assertThat(r.header("Content-Type")).startsWith("application/json");
    JsonNode body = r.json();
    assertThat(body.path("error").asText()).as(r.text()).isEqualTo(code);
    assertThat(StoredState.of(server)).as("stored state after %s", r.text()).isEqualTo(before);
    return body;
  }

  private static TestClient.Response postJson(String path, String json) {
    return client.post(path, json);
  }

  @Test
  void halfASurrogatePairAsABatchMetricNameIsRefusedAndCreatesNoSeries() {
    JsonNode body = refused(400, "invalid_json",
        () -> postJson(run("/metrics:batch"), "{\"points\":[{\"step\":1,\"name\":\"\\ud800\",\"value\":1}]}"));
    assertThat(body.path("message").asText()).contains("\"points\"").contains("surrogate");
    assertThat(body.path("details").path("field").asText()).isEqualTo("points[0].name");
    refused(400, "invalid_json",
        () -> postJson(run("/metrics:batch"), "{\"points\":[{\"step\":1,\"name\":\"ok\",\"value\":1},"
            + "{\"step\":1,\"name\":\"x\\udc00y\",\"value\":1}]}"));
    refused(400, "invalid_json", () -> postJson(run("/metrics"), "{\"metrics\":{\"\\ud83d\":1},\"step\":1}"));
    // a whole pair is an ordinary character and is kept as such
    assertThat(postJson(run("/metrics:batch"), "{\"points\":[{\"step\":1,\"name\":\"\\ud83d\\ude00\",\"value\":1}]}")
        .status()).isEqualTo(201);
    assertThat(client.get(run("/metrics")).json().toString()).contains("\ud83d\ude00");
  }

  @Test
  void halvesOfSurrogatePairsAnywhereInJsonAreRefusedNamingTheField() {
    JsonNode name = refused(400, "invalid_json",
        () -> postJson("/api/experiments/experiments", "{\"name\":\"a\\ud800b\"}"));
    assertThat(name.path("message").asText()).startsWith("field \"name\" must not contain half of a UTF-16");
    JsonNode params = refused(400, "invalid_json", () -> postJson("/api/experiments/experiments/" + experimentId
        + "/runs", "{\"params\":{\"deep\":[1,{\"k\":\"\\udfff\"}]},\"status\":\"running\"}"));
    assertThat(params.path("details").path("field").asText()).isEqualTo("params.deep[1].k");
    // in a key, Jackson itself refuses it (a syntax error), which is the same answer
    refused(400, "invalid_json", () -> postJson("/api/experiments/experiments/" + experimentId
        + "/runs", "{\"params\":{\"\\udbff\":1},\"status\":\"running\"}"));
    refused(400, "invalid_json", () -> postJson(run("/events"), "{\"message\":\"lost \\ud800\"}"));
    refused(400, "invalid_json", () -> postJson(run("/events:batch"), "{\"events\":[{\"message\":\"\\udc00\"}]}"));
    refused(400, "invalid_json", () -> postJson("/api/auth/tokens", "{\"name\":\"\\ud800\",\"role\":\"viewer\"}"));
  }

  private static TestClient.Response signed(String path, String json) {
    byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
    String ts = Long.toString(Instant.now().getEpochSecond());
    return new RawHttp(server.baseUrl()).send("POST", path, List.of(
        new String[] {"Content-Type", "application/json"}, new String[] {"X-Animus-CI-Ts", ts},
        new String[] {"X-Animus-CI-Sig", CiSignature.sign(SECRET, ts, "POST", bytes)}), bytes);
  }

  @Test
  void aNulOrHalfASurrogatePairInSignedCiFieldsIsRefusedNamingTheField() {
    String digest = "sha256:" + "cd".repeat(32);
    JsonNode repo = refused(400, "invalid_json", () -> signed("/api/experiments/ci/report",
        "{\"commit_sha\":\"abc\",\"image_digest\":\"" + digest + "\",\"pipeline_id\":\"p\",\"repo\":\"a\\u0000b\"}"));
    assertThat(repo.path("message").asText()).isEqualTo("field \"repo\" must not contain the character U+0000");
    refused(400, "invalid_json", () -> signed("/api/experiments/ci/report",
        "{\"commit_sha\":\"abc\",\"image_digest\":\"" + digest + "\",\"pipeline_id\":\"p\\ud800\",\"repo\":\"r\"}"));
    JsonNode webhook = refused(400, "invalid_json", () -> signed("/api/experiments/ci/webhook",
        "{\"provider\":\"gh\\u0000\",\"run_id\":\"" + runId + "\"}"));
    assertThat(webhook.path("details").path("field").asText()).isEqualTo("provider");
    // elsewhere in the payload they are escapes of its canonical text (a json column), kept as hashed
    TestClient.Response kept = signed("/api/experiments/ci/webhook",
        "{\"build\":[\"\\udc00\"],\"n\\u0000\":1,\"run_id\":\"" + runId + "\"}");
    assertThat(kept.status()).as(kept.text()).isEqualTo(201);
    assertThat(kept.text()).contains("\"payload\":{\"build\":[\"\\udc00\"],\"n\\u0000\":1,");
  }

  @Test
  void aNulInTheModelImageFiltersIsRefusedNamingTheParameter() {
    JsonNode body = refused(400, "invalid_json", () -> client.get("/api/experiments/model-images?repo=a%00b"));
    assertThat(body.path("message").asText()).contains("\"repo\"");
    refused(400, "invalid_json", () -> client.get("/api/experiments/model-images?commit_sha=%00"));
    assertThat(client.get("/api/experiments/model-images?repo=ab").status()).isEqualTo(200);
  }

  private static TestClient.Response upload(String path, Multipart form) {
    return client.sendBytes("POST", path, form.build(), Map.of("Content-Type", form.contentType()));
  }

  @Test
  void aNulInMultipartTextFieldsIsRefusedAndLeavesNoBlob() {
    byte[] file = "some bytes".getBytes(StandardCharsets.UTF_8);
    JsonNode name = refused(400, "invalid_name", () -> upload(run("/artifacts"), Multipart.sdk()
        .field("kind", "file").field("name", "a\u0000b").file("file", "f.txt", "text/plain", file)));
    assertThat(name.path("message").asText()).isEqualTo("field \"name\" must not contain the character U+0000");
    // the file first, the field after it: the stored file must be removed again
    refused(400, "invalid_name", () -> upload(run("/artifacts"), Multipart.sdk()
        .field("kind", "file").file("file", "f.txt", "text/plain", file).field("name", "\u0000")));
    refused(400, "invalid_quality_rule_id", () -> upload("/api/dataset-registry/datasets/" + datasetId
        + "/versions/upload", Multipart.sdk().file("file", "d.csv", "text/csv", file).field("quality_rule_id",
        "rule\u0000")));
    refused(400, "invalid_metadata", () -> upload(run("/artifacts"), Multipart.sdk()
        .field("kind", "file").field("metadata", "{\"k\":\"\\u0000\"}").file("file", "f.txt", "text/plain", file)));
    refused(400, "invalid_multipart", () -> upload(run("/artifacts"), Multipart.sdk()
        .field("kind", "file").file("file", "f.txt", "text/pl\u0000ain", file)));
    // bytes that are not UTF-8 are not silently replaced
    refused(400, "invalid_name", () -> {
      java.io.ByteArrayOutputStream form = new java.io.ByteArrayOutputStream();
      form.writeBytes(("--b0undary\r\nContent-Disposition: form-data; name=\"kind\"\r\n\r\nfile\r\n"
          + "--b0undary\r\nContent-Disposition: form-data; name=\"name\"\r\n\r\nna").getBytes(StandardCharsets.UTF_8));
      form.write(0xff);
      form.writeBytes(("\r\n--b0undary\r\nContent-Disposition: form-data; name=\"file\"; filename=\"f.txt\"\r\n\r\n"
          + "bytes\r\n--b0undary--\r\n").getBytes(StandardCharsets.UTF_8));
      return client.sendBytes("POST", run("/artifacts"), form.toByteArray(),
          Map.of("Content-Type", "multipart/form-data; boundary=b0undary"));
    });
  }

  @Test
  void anUnsupportedHttpVersionIsAClientErrorSayingSo() {
    TestClient.Response r = new RawHttp(server.baseUrl()).exchange(
        "GET / HTTP/9.9\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1), false);
    assertThat(r.status()).as(r.text()).isEqualTo(400);
    assertThat(r.header("Content-Type")).startsWith("application/json");
    assertThat(r.json().path("error").asText()).isEqualTo("invalid_json");
    assertThat(r.json().path("message").asText()).contains("HTTP version");
  }

  @Test
  void anInstantThatRoundsIntoYear10000IsRefusedAndTheLastMicrosecondIsKept() {
    String runs = "/api/experiments/experiments/" + experimentId + "/runs";
    JsonNode body = refused(400, "invalid_timestamp",
        () -> postJson(runs, "{\"started_at\":\"9999-12-31T23:59:59.999999999Z\",\"status\":\"running\"}"));
    assertThat(body.path("message").asText()).contains("started_at");
    refused(400, "invalid_timestamp", () -> postJson(run("/metrics:batch"),
        "{\"points\":[{\"name\":\"t\",\"step\":1,\"timestamp\":\"9999-12-31T23:59:59.9999995Z\",\"value\":1}]}"));
    refused(400, "invalid_timestamp", () -> postJson(run("/events"),
        "{\"message\":\"m\",\"occurred_at\":\"9999-12-31T23:59:59.9999999Z\"}"));
    TestClient.Response last = postJson(runs,
        "{\"started_at\":\"9999-12-31T23:59:59.999999Z\",\"status\":\"running\"}");
    assertThat(last.status()).as(last.text()).isEqualTo(201);
    String id = last.json().get("run_id").asText();
    assertThat(last.json().get("started_at").asText()).isEqualTo("9999-12-31T23:59:59.999999Z");
    assertThat(client.get("/api/experiments/experiment-runs/" + id).json().get("started_at").asText())
        .isEqualTo("9999-12-31T23:59:59.999999Z");
    // below the edge, a sub-microsecond fraction is rounded as the database rounds it, and answered so
    TestClient.Response rounded = postJson(runs,
        "{\"started_at\":\"2026-01-05T10:11:12.1234567Z\",\"status\":\"running\"}");
    assertThat(rounded.json().get("started_at").asText()).isEqualTo("2026-01-05T10:11:12.123457Z");
    assertThat(client.get("/api/experiments/experiment-runs/" + rounded.json().get("run_id").asText()).json()
        .get("started_at").asText()).isEqualTo("2026-01-05T10:11:12.123457Z");
  }
}
