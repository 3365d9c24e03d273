package io.animus.datapilot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.animus.datapilot.testing.RawHttp;
import io.animus.datapilot.testing.TestClient;
import io.animus.datapilot.testing.TestServer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;
import java.util.TreeMap;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Requests byte for byte as the published Python SDK (animus-datalab 1.0.0, standard-library
 * HTTP) sends them, docs/protocol.md §11: compact JSON with sorted keys and non-ASCII escaped as
 * {@code \\uXXXX}, {@code Accept: application/json}, a fresh {@code uuid4().hex} request id, no
 * {@code X-Project-Id}; and only the fields the SDK reads are relied on.
 */
class PublishedSdkShapeTest {
  private static final String UUID_V4 = "[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}";
  static TestServer server;
  static RawHttp sdk;

  @BeforeAll
  static void start() {
    server = TestServer.start();
    sdk = new RawHttp(server.baseUrl());
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  @Test
  void theSdkBodyEncodingIsModelledExactly() {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("name", "Caf\u00e9 \u5b9e\u9a8c \ud83d\ude80 \"q\"\\");
    body.put("metadata", Map.of("team", "ml", "project", "fraud", "tags", List.of("a", 1, true)));
    body.put("description", "");
    assertThat(dumps(body)).isEqualTo("{\"description\":\"\",\"metadata\":{\"project\":\"fraud\",\"tags\":[\"a\",1,"
        + "true],\"team\":\"ml\"},\"name\":\"Caf\\u00e9 \\u5b9e\\u9a8c \\ud83d\\ude80 \\\"q\\\"\\\\\"}");
    assertThat(dumps(Map.of("lr", 0.001, "none", NULL))).isEqualTo("{\"lr\":0.001,\"none\":null}");
    assertThatThrownBy(() -> dumps(Map.of("tiny", 1e-5))).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void createExperimentAnswersAnObjectWithExperimentId() {
    String requestId = uuid4Hex();
    var r = post("/api/experiments/experiments", requestId, Map.of("name", "sdk-baseline",
        "description", "Baseline training run", "metadata", Map.of("team", "ml", "project", "fraud")));
    assertThat(r.status()).as(r.text()).isEqualTo(201);
    assertThat(r.header("Content-Type")).startsWith("application/json");
    assertThat(r.header("X-Request-Id")).isEqualTo(requestId);
    JsonNode body = r.json();
    assertThat(body.isObject()).isTrue();
    assertThat(body.get("experiment_id").asText()).matches(UUID_V4);
    assertThat(body.get("name").asText()).isEqualTo("sdk-baseline");
    assertThat(body.get("project_id").asText()).isEqualTo("default");
    assertThat(body.get("metadata").toString()).isEqualTo("{\"project\":\"fraud\",\"team\":\"ml\"}");
  }

  @Test
  void nonAsciiNameEscapedByTheSdkRoundTrips() throws Exception {
    String name = "Caf\u00e9 \u5b9e\u9a8c \ud83d\ude80 r\u00e9sum\u00e9";
    var r = post("/api/experiments/experiments", uuid4Hex(), Map.of("name", name, "description", "",
        "metadata", Map.of("owner", "Jos\u00e9")));
    assertThat(r.status()).as(r.text()).isEqualTo(201);
    assertThat(r.json().get("name").asText()).isEqualTo(name);
    assertThat(r.json().has("description")).isFalse();
    assertThat(r.json().at("/metadata/owner").asText()).isEqualTo("Jos\u00e9");
    assertThat(StandardCharsets.UTF_8.newDecoder().decode(java.nio.ByteBuffer.wrap(r.bytes())).toString())
        .contains("\"name\":\"Caf\u00e9 ");
    String id = r.json().get("experiment_id").asText();

    var listed = get("/api/experiments/experiments?limit=100", uuid4Hex());
    assertThat(listed.status()).isEqualTo(200);
    List<String> names = new ArrayList<>();
    listed.json().get("experiments").forEach(e -> {
      if (e.get("experiment_id").asText().equals(id)) {
        names.add(e.get("name").asText());
      }
    });
    assertThat(names).containsExactly(name);
  }

  @Test
  void listExperimentsWithLimitAndRawNameAnswersAnObjectWithExperiments() {
    assertThat(post("/api/experiments/experiments", uuid4Hex(),
        Map.of("name", "sdk-list_1.0", "description", "", "metadata", Map.of())).status()).isEqualTo(201);
    assertThat(post("/api/experiments/experiments", uuid4Hex(),
        Map.of("name", "sdk-list_2.0", "description", "", "metadata", Map.of())).status()).isEqualTo(201);

    var r = get("/api/experiments/experiments?limit=10&name=sdk-list_1.0", uuid4Hex());
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.json().isObject()).isTrue();
    assertThat(r.json().get("experiments")).hasSize(1);
    assertThat(r.json().at("/experiments/0/name").asText()).isEqualTo("sdk-list_1.0");

    var limited = get("/api/experiments/experiments?limit=1", uuid4Hex());
    assertThat(limited.json().get("experiments")).hasSize(1);
  }

  @Test
  void createRunWithGitFieldsAnswersRunIdAndGetRunReturnsIt() {
    String experimentId = createExperiment("sdk-runs");
    Map<String, Object> params = Map.of("lr", 0.001, "epochs", 3, "use_amp", true, "layers", List.of(64, 32),
        "optimizer", "adam");
    Map<String, Object> request = Map.of("status", "running", "params", params,
        "metrics", Map.of("accuracy", 0.91), "git_repo", "github.com/acme/train", "git_commit", "deadbeef",
        "git_ref", "refs/heads/main", "started_at", "2026-01-05T10:11:12.123456Z");
    var created = post("/api/experiments/experiments/" + experimentId + "/runs", uuid4Hex(), request);
    assertThat(created.status()).as(created.text()).isEqualTo(201);
    JsonNode run = created.json();
    assertThat(run.isObject()).isTrue();
    String runId = run.get("run_id").asText();
    assertThat(runId).matches(UUID_V4);

    var fetched = get("/api/experiments/experiment-runs/" + runId, uuid4Hex());
    assertThat(fetched.status()).isEqualTo(200);
    JsonNode got = fetched.json();
    assertThat(got).isEqualTo(run);
    assertThat(got.get("experiment_id").asText()).isEqualTo(experimentId);
    assertThat(got.get("status").asText()).isEqualTo("running");
    assertThat(got.get("started_at").asText()).isEqualTo("2026-01-05T10:11:12.123456Z");
    assertThat(got.get("git_repo").asText()).isEqualTo("github.com/acme/train");
    assertThat(got.get("git_commit").asText()).isEqualTo("deadbeef");
    assertThat(got.get("git_ref").asText()).isEqualTo("refs/heads/main");
    assertThat(got.get("params").toString())
        .isEqualTo("{\"epochs\":3,\"layers\":[64,32],\"lr\":0.001,\"optimizer\":\"adam\",\"use_amp\":true}");
    assertThat(got.get("metrics").toString()).isEqualTo("{\"accuracy\":0.91}");
  }

  @Test
  void createRunAsTheReadmeShowsItWithEmptyParamsAndMetrics() {
    String experimentId = createExperiment("sdk-readme");
    var created = post("/api/experiments/experiments/" + experimentId + "/runs", uuid4Hex(),
        Map.of("status", "succeeded", "params", Map.of(), "metrics", Map.of()));
    assertThat(created.status()).as(created.text()).isEqualTo(201);
    JsonNode run = created.json();
    assertThat(run.get("status").asText()).isEqualTo("succeeded");
    assertThat(run.get("params").toString()).isEqualTo("{}");
    assertThat(run.get("metrics").toString()).isEqualTo("{}");
    assertThat(run.has("ended_at")).isTrue();
    var fetched = get("/api/experiments/experiment-runs/" + run.get("run_id").asText(), uuid4Hex());
    assertThat(fetched.json()).isEqualTo(run);
  }

  @Test
  void errorsCarryTheCodeAndTheRequestIdTheSdkSent() {
    String requestId = uuid4Hex();
    var missing = get("/api/experiments/experiment-runs/" + UUID.randomUUID(), requestId);
    assertThat(missing.status()).isEqualTo(404);
    assertThat(missing.json().get("error").asText()).isEqualTo("not_found");
    assertThat(missing.json().get("request_id").asText()).isEqualTo(requestId);

    String second = uuid4Hex();
    var invalid = post("/api/experiments/experiments", second, Map.of("name", "", "description", "",
        "metadata", Map.of()));
    assertThat(invalid.status()).isEqualTo(400);
    assertThat(invalid.json().get("error").asText()).isEqualTo("name_required");
    assertThat(invalid.json().get("request_id").asText()).isEqualTo(second);
  }

  // ---- the SDK's side of the wire ---------------------------------------------------------------

  private static String createExperiment(String name) {
    var r = post("/api/experiments/experiments", uuid4Hex(), Map.of("name", name + "-" + UUID.randomUUID(),
        "description", "", "metadata", Map.of()));
    assertThat(r.status()).as(r.text()).isEqualTo(201);
    return r.json().get("experiment_id").asText();
  }

  private static TestClient.Response post(String path, String requestId, Map<String, Object> payload) {
    byte[] body = dumps(payload).getBytes(StandardCharsets.US_ASCII);
    return sdk.send("POST", path, List.of(
        new String[] {"Accept-Encoding", "identity"},
        new String[] {"Content-Length", Integer.toString(body.length)},
        new String[] {"Accept", "application/json"},
        new String[] {"Content-Type", "application/json"},
        new String[] {"X-Request-Id", requestId},
        new String[] {"User-Agent", "Python-urllib/3.11"}), body);
  }

  private static TestClient.Response get(String pathAndQuery, String requestId) {
    return sdk.send("GET", pathAndQuery, List.of(
        new String[] {"Accept-Encoding", "identity"},
        new String[] {"Accept", "application/json"},
        new String[] {"X-Request-Id", requestId},
        new String[] {"User-Agent", "Python-urllib/3.11"}), null);
  }

  private static String uuid4Hex() {
    return UUID.randomUUID().toString().replace("-", "");
  }

  /** Python's JSON null, since {@code Map.of} refuses Java null. */
  private static final Object NULL = new Object();

  /**
   * {@code json.dumps(value, sort_keys=True, separators=(",", ":"))} with Python's default
   * {@code ensure_ascii=True}: everything outside {@code ' '..'~'} escaped as lower-case
   * {@code \\uXXXX} (UTF-16 units, so astral characters become surrogate pairs).
   */
  static String dumps(Object value) {
    if (value == null || value == NULL) {
      return "null";
    }
    if (value instanceof String s) {
      return quote(s);
    }
    if (value instanceof Boolean || value instanceof Integer || value instanceof Long) {
      return value.toString();
    }
    if (value instanceof Double d) {
      String text = d.toString();
      if (text.contains("E") || d.isNaN() || d.isInfinite()) {
        throw new IllegalArgumentException("Python's repr of " + d + " is not modelled here");
      }
      return text;
    }
    if (value instanceof Map<?, ?> map) {
      StringJoiner out = new StringJoiner(",", "{", "}");
      new TreeMap<>(map).forEach((k, v) -> out.add(quote((String) k) + ":" + dumps(v)));
      return out.toString();
    }
    if (value instanceof List<?> list) {
      StringJoiner out = new StringJoiner(",", "[", "]");
      list.forEach(v -> out.add(dumps(v)));
      return out.toString();
    }
    throw new IllegalArgumentException("not a JSON value: " + value);
  }

  private static String quote(String s) {
    StringBuilder out = new StringBuilder("\"");
    for (char c : s.toCharArray()) {
      switch (c) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        case '\t' -> out.append("\\t");
        case '\b' -> out.append("\\b");
        case '\f' -> out.append("\\f");
        default -> {
          if (c < 0x20 || c > 0x7e) {
            out.append(String.format("\\u%04x", (int) c));
          } else {
            out.append(c);
          }
        }
      }
    }
    return out.append('"').toString();
  }
}
