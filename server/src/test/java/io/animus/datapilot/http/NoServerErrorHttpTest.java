package io.animus.datapilot.http;

import io.animus.datapilot.kernel.ErrorCode;
import io.animus.datapilot.kernel.PageToken;
import io.animus.datapilot.kernel.Json;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.animus.datapilot.testing.RawAnswer;
import io.animus.datapilot.testing.TestServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Throws malformed input at every registered route and checks that nothing is answered with a
 * 5xx and that every error is the JSON error body (docs/protocol.md §1.4: validation is always 4xx).
 */
class NoServerErrorHttpTest {
  private static final String ADMIN_TOKEN = "fuzz-admin-secret-0123456789";
  private static final Set<String> CODES =
      Arrays.stream(ErrorCode.values()).map(ErrorCode::wire).collect(Collectors.toSet());
  private static final AtomicInteger COUNTER = new AtomicInteger();

  static TestServer dev;
  static TestServer token;
  static String experimentId;
  static String runId;
  static String tokenId;
  static String datasetId;
  static String versionId;
  static String artifactId;
  static final String DIGEST = "sha256:" + "ab".repeat(32);

  private final List<String> problems = new ArrayList<>();
  private int checked;

  /** A route as registered, with its path parameters written {@code {name}}. */
  record Route(String method, String template) {
    String path() {
      return withIds(template, experimentId, runId, tokenId, datasetId, versionId, artifactId, DIGEST);
    }

    boolean hasId() {
      return template.contains("{");
    }
  }

  static String withIds(String template, String experiment, String run, String token, String dataset,
                        String version, String artifact, String digest) {
    return template.replace("{experiment_id}", experiment).replace("{run_id}", run).replace("{token_id}", token)
        .replace("{dataset_id}", dataset).replace("{version_id}", version).replace("{artifact_id}", artifact)
        .replace("{image_digest}", digest);
  }

  private static final String RUN = "/api/experiments/experiment-runs/{run_id}";

  static final List<Route> ROUTES = List.of(
      new Route("GET", "/healthz"),
      new Route("GET", "/readyz"),
      new Route("GET", "/metrics"),
      new Route("GET", "/"),
      new Route("POST", "/api/auth/tokens"),
      new Route("GET", "/api/auth/tokens"),
      new Route("DELETE", "/api/auth/tokens/{token_id}"),
      new Route("GET", "/api/auth/me"),
      new Route("POST", "/api/experiments/experiments"),
      new Route("GET", "/api/experiments/experiments"),
      new Route("GET", "/api/experiments/experiments/{experiment_id}"),
      new Route("POST", "/api/experiments/experiments/{experiment_id}/runs"),
      new Route("GET", "/api/experiments/experiments/{experiment_id}/runs"),
      new Route("GET", "/api/experiments/experiment-runs"),
      new Route("GET", "/api/experiments/experiment-runs/{run_id}"),
      new Route("GET", "/api/experiments/experiment-runs/{run_id}/states"),
      new Route("GET", "/api/experiments/projects"),
      // telemetry (the live stream is left out: it stays open by design)
      new Route("POST", RUN + "/metrics"),
      new Route("GET", RUN + "/metrics"),
      new Route("POST", RUN + "/metrics:batch"),
      new Route("GET", RUN + "/metrics/series"),
      new Route("POST", RUN + "/events"),
      new Route("GET", RUN + "/events"),
      new Route("POST", RUN + "/events:batch"),
      new Route("POST", RUN + "/status"),
      new Route("POST", RUN + "/heartbeat"),
      // CI
      new Route("POST", "/api/experiments/ci/webhook"),
      new Route("POST", "/api/experiments/ci/report"),
      new Route("GET", RUN + "/ci-contexts"),
      new Route("GET", "/api/experiments/model-images"),
      new Route("GET", "/api/experiments/model-images/{image_digest}"),
      // artifacts and datasets
      new Route("POST", RUN + "/artifacts"),
      new Route("GET", RUN + "/artifacts"),
      new Route("GET", RUN + "/artifacts/{artifact_id}"),
      new Route("GET", RUN + "/artifacts/{artifact_id}/download"),
      new Route("POST", "/api/dataset-registry/datasets"),
      new Route("GET", "/api/dataset-registry/datasets"),
      new Route("GET", "/api/dataset-registry/datasets/{dataset_id}"),
      new Route("POST", "/api/dataset-registry/datasets/{dataset_id}/versions/upload"),
      new Route("GET", "/api/dataset-registry/datasets/{dataset_id}/versions"),
      new Route("GET", "/api/dataset-registry/dataset-versions/{version_id}"),
      new Route("GET", "/api/dataset-registry/dataset-versions/{version_id}/download"),
      new Route("POST", "/api/dataset-registry/dataset-versions/{version_id}/quality-evaluations"),
      new Route("GET", "/api/dataset-registry/dataset-versions/{version_id}/quality-evaluations"));

  /** The JSON-body routes: a valid body and every field the route reads. */
  record BodyRoute(String template, Map<String, String> base, List<String> fields) {}

  static final List<BodyRoute> BODY_ROUTES = List.of(
      new BodyRoute("/api/auth/tokens", Map.of("name", "\"fuzz-token\"", "role", "\"viewer\""),
          List.of("name", "role", "expires_at")),
      new BodyRoute("/api/experiments/experiments", Map.of("name", "\"fuzz-experiment\""),
          List.of("name", "description", "metadata")),
      new BodyRoute("/api/experiments/experiments/{experiment_id}/runs", Map.of("status", "\"running\""),
          List.of("status", "dataset_version_id", "started_at", "ended_at", "git_repo", "git_commit", "git_ref",
              "params", "metrics", "artifacts_prefix")),
      new BodyRoute(RUN + "/metrics", Map.of("metrics", "{\"loss\":1.0}"), List.of("step", "metrics", "metadata")),
      new BodyRoute(RUN + "/metrics:batch", Map.of("points", "[{\"name\":\"loss\",\"step\":1,\"value\":1}]"),
          List.of("points")),
      new BodyRoute(RUN + "/events", Map.of("message", "\"fuzz\""),
          List.of("level", "message", "metadata", "occurred_at")),
      new BodyRoute(RUN + "/events:batch", Map.of("events", "[{\"message\":\"fuzz\"}]"), List.of("events")),
      new BodyRoute(RUN + "/status", Map.of("status", "\"running\""), List.of("status", "message")),
      new BodyRoute("/api/dataset-registry/datasets", Map.of("name", "\"fuzz-experiment\""),
          List.of("name", "description", "metadata")),
      new BodyRoute("/api/dataset-registry/dataset-versions/{version_id}/quality-evaluations",
          Map.of("status", "\"pass\""), List.of("status", "summary")));

  @BeforeAll
  static void start() {
    // With a CI secret the CI endpoints answer their 4xx checks (without one, 503 is what §10 prescribes).
    dev = TestServer.start(Map.of("ANIMUS_CI_WEBHOOK_SECRET", "fuzz-ci-secret"));
    token = TestServer.start(Map.of("DATAPILOT_AUTH_MODE", "token", "DATAPILOT_ADMIN_TOKEN", ADMIN_TOKEN,
        "ANIMUS_CI_WEBHOOK_SECRET", "fuzz-ci-secret"));
    var client = dev.client();
    var experiment = client.post("/api/experiments/experiments", "{\"name\":\"fuzz-target\"}");
    experimentId = experiment.json().get("experiment_id").asText();
    var run = client.post("/api/experiments/experiments/" + experimentId + "/runs",
        "{\"params\":{\"lr\":0.1},\"status\":\"running\"}");
    runId = run.json().get("run_id").asText();
    var created = client.post("/api/auth/tokens", "{\"name\":\"fuzz-target\",\"role\":\"viewer\"}");
    tokenId = created.json().get("token_id").asText();
    datasetId = client.post("/api/dataset-registry/datasets", "{\"name\":\"fuzz-target\"}").json()
        .get("dataset_id").asText();
    versionId = upload(client, "/api/dataset-registry/datasets/" + datasetId + "/versions/upload", "")
        .get("version_id").asText();
    artifactId = upload(client, "/api/experiments/experiment-runs/" + runId + "/artifacts", "kind")
        .get("artifact").get("artifact_id").asText();
  }

  /** A small multipart upload: one file and, when named, a {@code kind=file} field. */
  private static com.fasterxml.jackson.databind.JsonNode upload(io.animus.datapilot.testing.TestClient client,
                                                                String path, String kindField) {
    String boundary = "----animus-fuzz";
    String form = (kindField.isEmpty() ? "" : "--" + boundary + "\r\nContent-Disposition: form-data; name=\""
        + kindField + "\"\r\n\r\nfile\r\n")
        + "--" + boundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"fuzz.txt\"\r\n"
        + "Content-Type: text/plain\r\n\r\nfuzz bytes\r\n--" + boundary + "--\r\n";
    var answer = client.sendBytes("POST", path, form.getBytes(StandardCharsets.UTF_8),
        Map.of("Content-Type", "multipart/form-data; boundary=" + boundary));
    assertThat(answer.status()).as(answer.text()).isEqualTo(201);
    return answer.json();
  }

  @AfterAll
  static void stop() {
    dev.close();
    token.close();
  }

  @BeforeEach
  void reset() {
    problems.clear();
    checked = 0;
  }

  @AfterEach
  void report() {
    assertThat(problems).as("%d of %d requests answered badly", problems.size(), checked).isEmpty();
  }

  // ---------------------------------------------------------------------------------------------
  // A raw HTTP/1.1 client: java.net.http refuses malformed targets and headers, which we want to send.

  private static RawAnswer send(TestServer server, String method, String target, Map<String, String> headers,
                          byte[] body) {
    String port = server.baseUrl().substring(server.baseUrl().lastIndexOf(':') + 1);
    StringBuilder head = new StringBuilder();
    head.append(method).append(' ').append(target).append(" HTTP/1.1\r\n");
    head.append("Host: 127.0.0.1:").append(port).append("\r\n");
    head.append("Connection: close\r\n");
    headers.forEach((k, v) -> head.append(k).append(": ").append(v).append("\r\n"));
    boolean framed = headers.containsKey("Content-Length") || headers.containsKey("Transfer-Encoding");
    if (body != null && !framed) {
      head.append("Content-Length: ").append(body.length).append("\r\n");
    }
    head.append("\r\n");
    try (Socket socket = new Socket("127.0.0.1", Integer.parseInt(port))) {
      socket.setSoTimeout(30_000);
      OutputStream out = socket.getOutputStream();
      out.write(head.toString().getBytes(StandardCharsets.ISO_8859_1));
      if (body != null) {
        try {
          out.write(body);
        } catch (IOException e) {
          // the server may answer (413, 431) and close before reading everything
        }
      }
      out.flush();
      return RawAnswer.read(socket.getInputStream());
    } catch (IOException e) {
      throw new UncheckedIOException(method + " " + target, e);
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Checking answers.

  private void check(String label, String method, RawAnswer r) {
    checked++;
    // docs/protocol.md §8.1: without DATAPILOT_EXECUTOR, runs:execute answers 501 by design.
    boolean executorDisabled = r.status() == 501
        && new String(r.body(), java.nio.charset.StandardCharsets.UTF_8).contains("\"training_executor_disabled\"");
    if (r.status() < 100 || (r.status() >= 500 && !executorDisabled)) {
      problems.add(label + " -> " + r.status() + " " + abbreviate(r.text()));
      return;
    }
    if (r.status() < 400 || method.equals("HEAD")) {
      return;
    }
    String contentType = r.headers().getOrDefault("content-type", "");
    if (!contentType.startsWith("application/json")) {
      problems.add(label + " -> " + r.status() + " with Content-Type " + contentType + ": " + abbreviate(r.text()));
      return;
    }
    JsonNode body;
    try {
      body = Json.mapper().readTree(r.body());
    } catch (IOException e) {
      problems.add(label + " -> " + r.status() + " body is not JSON: " + abbreviate(r.text()));
      return;
    }
    if (body == null || !CODES.contains(body.path("error").asText())) {
      problems.add(label + " -> " + r.status() + " without a known error code: " + abbreviate(r.text()));
      return;
    }
    if (body.path("request_id").asText().isEmpty() || body.path("message").asText().isEmpty()) {
      problems.add(label + " -> " + r.status() + " without request_id or message: " + abbreviate(r.text()));
    }
  }

  private static String abbreviate(String text) {
    return text.length() > 300 ? text.substring(0, 300) + "..." : text;
  }

  private void call(String method, String target, Map<String, String> headers, byte[] body) {
    call(dev, method, target, headers, body);
  }

  private void call(TestServer server, String method, String target, Map<String, String> headers, byte[] body) {
    RawAnswer r = send(server, method, target, headers, body);
    String shown = body == null ? "" : " body=" + abbreviate(new String(body, StandardCharsets.UTF_8));
    check(method + " " + abbreviate(target) + " " + headers.keySet() + shown, method, r);
  }

  private void postJson(String target, String json) {
    call("POST", target, Map.of("Content-Type", "application/json"), json.getBytes(StandardCharsets.UTF_8));
  }

  private static String unique() {
    return "fuzz-" + COUNTER.incrementAndGet();
  }

  // ---------------------------------------------------------------------------------------------
  // Inputs.

  private static String nested(String open, String close, int depth, String inner) {
    return open.repeat(depth) + inner + close.repeat(depth);
  }

  /** JSON values of every kind, including ones PostgreSQL or Jackson may choke on. */
  static List<String> awkwardValues() {
    return List.of(
        "null", "true", "false", "0", "-1", "1.5", "-0.0", "1e308", "1e309", "-1e309", "1e999999999",
        "-1e999999999", "1e-999999999", "1e99999999999", "1e-99999999999", "1e131072", "1e-16383", "0.1e-16384", "123456789012345678901234567890123456789", "9".repeat(999),
        "9".repeat(1500), "NaN", "Infinity", "-Infinity",
        "\"\"", "\" \"", "\"\\u0000\"", "\"a\\u0000b\"", "\"\\ud800\"", "\"x\\udc00\"", "\"\\uffff\"",
        "\"" + "x".repeat(100_000) + "\"", "\"\u00e9\u4e2d\ud83d\ude00\"", "\"../../etc/passwd\"", "\"a/../b\"",
        "\"'; DROP TABLE runs; --\"", "\"%00\"", "\"running\"", "\"RUNNING \"",
        "\"2026-01-05T10:11:12Z\"", "\"2026-13-45T99:99:99Z\"", "\"9999-12-31T23:59:59Z\"",
        "\"+999999999-12-31T23:59:59Z\"", "\"-999999999-01-01T00:00:00Z\"", "\"0000-01-01T00:00:00Z\"",
        "\"+10000-01-01T00:00:00Z\"", "\"-4714-11-23T00:00:00Z\"", "\"2026-01-05T10:11:12+25:00\"",
        "\"0b6f3c1e-1111-4222-8333-444455556666\"", "\"0B6F3C1E-1111-4222-8333-444455556666\"",
        "[]", "[1,\"a\",null]", "{}", "{\"a\":{\"b\":[1,{\"c\":null}]}}", "{\"\\u0000\":1}", "{\"k\":\"\\u0000\"}",
        "{\"k\":1e999999999}", "{\"k\":-1e-999999999}", "{\"k\":NaN}", "{\"k\":Infinity}", "{\"k\":\"\\ud800\"}",
        "{\"api_key\":{\"nested\":[{\"password\":1}]}}",
        nested("[", "]", 500, "1"), nested("[", "]", 999, ""), nested("[", "]", 5000, ""),
        nested("{\"a\":", "}", 900, "1"), nested("{\"a\":", "}", 5000, "1"));
  }

  private static String body(Map<String, String> base, String field, String value) {
    Map<String, String> fields = validFields(base);
    fields.put(field, value);
    return object(fields);
  }

  /** The base fields; experiment names made unique, so that a valid body is a 201 rather than a 409. */
  private static Map<String, String> validFields(Map<String, String> base) {
    Map<String, String> fields = new LinkedHashMap<>(base);
    fields.computeIfPresent("name", (k, v) -> v.equals("\"fuzz-experiment\"") ? "\"" + unique() + "\"" : v);
    return fields;
  }

  private static String object(Map<String, String> fields) {
    return fields.entrySet().stream().map(e -> "\"" + e.getKey() + "\":" + e.getValue())
        .collect(Collectors.joining(",", "{", "}"));
  }

  /** A valid body for a POST route, so that headers and not the body decide the answer. */
  private static byte[] validBody(Route route) {
    if (!route.method().equals("POST")) {
      return null;
    }
    for (BodyRoute b : BODY_ROUTES) {
      if (b.template().equals(route.template())) {
        return object(validFields(b.base())).getBytes(StandardCharsets.UTF_8);
      }
    }
    // multipart uploads, signed CI calls and heartbeats: a JSON object is as good as any body
    return "{}".getBytes(StandardCharsets.UTF_8);
  }

  private static Map<String, String> withJson(Map<String, String> headers, byte[] body) {
    Map<String, String> all = new LinkedHashMap<>(headers);
    if (body != null) {
      all.putIfAbsent("Content-Type", "application/json");
    }
    return all;
  }

  // ---------------------------------------------------------------------------------------------
  // Tests.

  @Test
  void everyFieldOfEveryJsonBodyWithAnyValueIsAnsweredBelow500() {
    for (BodyRoute route : BODY_ROUTES) {
      String target = withIds(route.template(), experimentId, runId, tokenId, datasetId, versionId, artifactId, DIGEST);
      for (String field : route.fields()) {
        for (String value : awkwardValues()) {
          postJson(target, body(route.base(), field, value));
        }
      }
    }
    // whatever was stored above can still be read back, listed and sorted
    for (String read : List.of("/api/experiments/experiments?limit=500",
        "/api/experiments/experiments/" + experimentId + "/runs?limit=500",
        "/api/experiments/experiments/" + experimentId + "/runs?order_by=param:k",
        "/api/experiments/experiments/" + experimentId + "/runs?order_by=param:k&order=asc",
        "/api/experiments/experiments/" + experimentId + "/runs?order_by=param:lr",
        "/api/experiments/experiment-runs?limit=500", "/api/auth/tokens?limit=500", "/api/experiments/projects")) {
      RawAnswer r = send(dev, "GET", read, Map.of(), null);
      checked++;
      if (r.status() != 200) {
        problems.add("GET " + read + " -> " + r.status() + " " + abbreviate(r.text()));
      }
    }
  }

  @Test
  void unknownAndDuplicatedFieldsAreAnsweredBelow500() {
    for (BodyRoute route : BODY_ROUTES) {
      String target = withIds(route.template(), experimentId, runId, tokenId, datasetId, versionId, artifactId, DIGEST);
      postJson(target, body(route.base(), "unexpected", "1"));
      postJson(target, body(route.base(), "", "1"));
      postJson(target, body(route.base(), "\\u0000", "1"));
      postJson(target, "{\"name\":\"a\",\"name\":\"b\",\"status\":\"running\",\"role\":\"viewer\"}");
    }
  }

  @Test
  void malformedWholeBodiesAreAnsweredBelow500() {
    List<byte[]> bodies = new ArrayList<>();
    for (String text : List.of("", " ", "null", "[]", "[{}]", "\"text\"", "123", "NaN", "true", "{", "}", "{}{}",
        "{} trailing", "{\"name\":\"a\",}", "{'name':'a'}", "{name:\"a\"}", "{\"name\":\"a\"", "\u00ef\u00bb\u00bf{}",
        "\ufeff{}", "{\"name\":\"a\"}\u0000", "{\"name\":\"a\"} // comment", "/* c */ {}",
        nested("[", "]", 100_000, ""), nested("{\"a\":", "}", 100_000, "1"), "{\"name\":" + "9".repeat(20000) + "}")) {
      bodies.add(text.getBytes(StandardCharsets.UTF_8));
    }
    bodies.add(new byte[] {(byte) 0xff, (byte) 0xfe, (byte) 0xfd});
    bodies.add(new byte[] {'{', '"', 'n', 'a', 'm', 'e', '"', ':', '"', (byte) 0xc3, (byte) 0x28, '"', '}'});
    bodies.add(new byte[] {'{', '"', 'n', 'a', 'm', 'e', '"', ':', '"', (byte) 0xed, (byte) 0xa0, (byte) 0x80, '"',
        '}'});
    bodies.add(new byte[] {0, 0, 0, '{', 0, 0, 0, '}'});
    bodies.add(new byte[] {0, 0, 0, '{', (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff});
    bodies.add(new byte[] {0, '{', 0, '}'});
    bodies.add(new byte[] {(byte) 0xfe, (byte) 0xff, 0, '{', (byte) 0xd8, 0, 0, '}'});
    bodies.add(new byte[] {(byte) 0xff, (byte) 0xfe, 0, 0, '{', 0, 0, 0});
    bodies.add(new byte[] {0, 0, 0, 0});
    bodies.add(new byte[(1 << 20) + 1]);
    byte[] bigJson = ("{\"name\":\"" + "x".repeat((1 << 20) + 10) + "\"}").getBytes(StandardCharsets.UTF_8);
    bodies.add(bigJson);
    for (BodyRoute route : BODY_ROUTES) {
      String target = withIds(route.template(), experimentId, runId, tokenId, datasetId, versionId, artifactId, DIGEST);
      for (byte[] b : bodies) {
        call("POST", target, Map.of("Content-Type", "application/json"), b);
      }
      call("POST", target, Map.of(), null);
      call("POST", target, Map.of("Content-Type", "text/plain"), "{}".getBytes(StandardCharsets.UTF_8));
      call("POST", target, Map.of("Content-Type", "application/json; charset=utf-16"),
          "{}".getBytes(StandardCharsets.UTF_16));
      call("POST", target, Map.of("Content-Type", "application/json", "Content-Length", "99999999999"),
          "{}".getBytes(StandardCharsets.UTF_8));
      call("POST", target, Map.of("Content-Type", "application/json", "Content-Length", "-1"), new byte[0]);
      call("POST", target, Map.of("Content-Type", "application/json", "Content-Length", "abc"), new byte[0]);
      call("POST", target, Map.of("Content-Type", "application/json", "Transfer-Encoding", "chunked"),
          "2\r\n{}\r\n0\r\n\r\n".getBytes(StandardCharsets.UTF_8));
      call("POST", target, Map.of("Content-Type", "application/json", "Transfer-Encoding", "chunked"),
          "zz\r\n{}\r\n0\r\n\r\n".getBytes(StandardCharsets.UTF_8));
      call("POST", target, Map.of("Content-Type", "application/json", "Transfer-Encoding", "gzip, chunked"),
          "2\r\n{}\r\n0\r\n\r\n".getBytes(StandardCharsets.UTF_8));
      call("POST", target, Map.of("Content-Type", "application/json", "Content-Encoding", "gzip"),
          "{}".getBytes(StandardCharsets.UTF_8));
      call("POST", target, Map.of("Content-Type", "multipart/form-data; boundary=x"),
          "--x\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nb\r\n--x--\r\n".getBytes(StandardCharsets.UTF_8));
    }
  }

  @Test
  void oddQueryParametersOnEveryGetRouteAreAnsweredBelow500() {
    List<String> queries = List.of("limit=-5", "limit=0", "limit=abc", "limit=99999999999999999999", "limit=",
        "limit=1.5", "limit=%00", "limit=1&limit=2", "page_token=%%%", "page_token=%", "page_token=abc",
        "page_token=" + "A".repeat(5000), "page_token=e30", "page_token=%00", "page_token=eyJmIjpudWxsfQ",
        "page_token=W10", "page_token=bnVsbA", "name=%00", "name=a%00b", "name=%ff%fe", "name=" + "n".repeat(5000),
        "q=%00", "q=a%00b", "q=%25", "q=_", "q=%5C", "status=%00", "status=bogus", "status=RUNNING", "active=maybe",
        "active=%00", "order_by=param:%00", "order_by=param:a%00b", "order_by=param:", "order_by=metric:%00", "order_by=metric:loss",
        "order_by=param:lr&order=asc", "order_by=param:lr&order=%00", "order_by=%00", "order=sideways",
        "order_by=started_at&order=ASC", "project_id=%00", "project_id=..%2F..", "project_id=" + "p".repeat(65),
        "project_id=", "project_id=%20", "project_id=a%0Ab", "include=latest_metrics", "include=%00",
        "name&q&status&limit", "=", "&&&", "a=%GG", "%=%", "%80=%80", "x=%C0%AF", "%00=%00");
    for (Route route : ROUTES) {
      if (!route.method().equals("GET")) {
        continue;
      }
      for (String query : queries) {
        call("GET", route.path() + "?" + query, Map.of(), null);
      }
    }
  }

  @Test
  void craftedPageTokensAreAnsweredBelow500() {
    List<String> lists = List.of("/api/auth/tokens", "/api/experiments/experiments",
        "/api/experiments/experiment-runs", "/api/experiments/experiments/" + experimentId + "/runs",
        "/api/experiments/experiments/" + experimentId + "/runs?order_by=param:lr",
        "/api/experiments/experiments/" + experimentId + "/runs?order_by=param:lr&order=asc",
        "/api/experiments/experiments/" + experimentId + "/runs?order_by=tags.team",
        "/api/experiments/experiments/" + experimentId + "/runs?order_by=metrics.acc",
        "/api/experiments/experiments/" + experimentId + "/runs?order_by=duration");
    List<String> fingerprints = List.of(
        PageToken.fingerprint("tokens"),
        PageToken.fingerprint("experiments", "default", null, null),
        PageToken.fingerprint("runs", "null", "default", null, "false", "false", "", "STARTED_AT", null, "false"),
        PageToken.fingerprint("runs", "[" + experimentId + "]", null, null, "false", "false", "", "STARTED_AT", null,
            "false"),
        PageToken.fingerprint("runs", "[" + experimentId + "]", null, null, "false", "false", "", "PARAM", "lr",
            "false"),
        PageToken.fingerprint("runs", "[" + experimentId + "]", null, null, "false", "false", "", "PARAM", "lr",
            "true"),
        PageToken.fingerprint("runs", "[" + experimentId + "]", null, null, "false", "false", "", "TAG", "team",
            "false"),
        PageToken.fingerprint("runs", "[" + experimentId + "]", null, null, "false", "false", "", "METRIC", "acc",
            "false"),
        PageToken.fingerprint("runs", "[" + experimentId + "]", null, null, "false", "false", "", "DURATION", null,
            "false"));
    List<List<String>> keys = List.of(
        Arrays.asList("not-a-time", "not-a-uuid"),
        Arrays.asList("2026-01-05T10:11:12Z", "not-a-uuid"),
        Arrays.asList("2026-01-05T10:11:12Z", "0b6f3c1e-1111-4222-8333-444455556666"),
        Arrays.asList("+999999999-12-31T23:59:59Z", "0b6f3c1e-1111-4222-8333-444455556666"),
        Arrays.asList(null, "0b6f3c1e-1111-4222-8333-444455556666"),
        Arrays.asList(null, null),
        Arrays.asList("{not json", "0b6f3c1e-1111-4222-8333-444455556666"),
        Arrays.asList("\u0000", "0b6f3c1e-1111-4222-8333-444455556666"),
        Arrays.asList("1e999999999", "0b6f3c1e-1111-4222-8333-444455556666"),
        Arrays.asList("0.5", "0B6F3C1E-1111-4222-8333-444455556666"));
    for (int i = 0; i < lists.size(); i++) {
      for (List<String> key : keys) {
        String token = PageToken.encode(fingerprints.get(i), key);
        String list = lists.get(i);
        call("GET", list + (list.contains("?") ? "&" : "?") + "page_token=" + token, Map.of(), null);
      }
    }
  }

  @Test
  void weirdPathIdsOnEveryRouteWithAnIdAreAnsweredBelow500() {
    List<String> ids = List.of("..", ".", "%2e%2e", "%2E", "%2F", "a%2Fb", "%00", "a%00", "%ZZ", "%", "x:y", ":",
        "0B6F3C1E-1111-4222-8333-444455556666", "0b6f3c1e-1111-4222-8333-44445555666", "0b6f3c1e11114222833344445555666",
        "0b6f3c1e-1111-4222-8333-444455556666%20", "%20", "'%20OR%201=1", "%C0%AF", "%ff", "\u00c3\u00a9", "~", "*",
        "x".repeat(10_000), "%E2%80%AE", "%5C..%5C", "null", "undefined", "-1", "0", "9".repeat(40));
    for (Route route : ROUTES) {
      if (!route.hasId()) {
        continue;
      }
      for (String id : ids) {
        String target = withIds(route.template(), id, id, id, id, id, id, id);
        byte[] body = route.method().equals("POST") ? "{\"status\":\"running\"}".getBytes(StandardCharsets.UTF_8)
            : null;
        call(route.method(), target, body == null ? Map.of() : Map.of("Content-Type", "application/json"), body);
      }
    }
  }

  @Test
  void oddPathsAreAnsweredBelow500() {
    List<String> targets = List.of("/api/experiments/experiments/", "//api/experiments/experiments",
        "/api/experiments//experiments", "/api/experiments/experiments/%2F..%2F", "/%", "/..", "/../healthz",
        "/api/../healthz", "/api/experiments/experiments/../../auth/me", "/healthz/", "/healthz?%", "/healthz#frag",
        "/api/experiments/experiments;jsessionid=1", "/api/experiments/experiments%3Bx", "/api", "/api/",
        "/api/experiments/healthz", "/experiments", "/" + "a/".repeat(2000), "/" + "a".repeat(7000),
        "/api/experiments/experiments/runs:execute", "/api/experiments/experiment-runs/" + runId + ":cancel",
        "/api/experiments/experiment-runs/" + runId + "/metrics", "/%u0041", "/\u00c3\u00a9",
        "http://127.0.0.1/healthz", "/api/experiments/experiments\\..\\x", "/api/experiments/experiments/%2e%2e/x");
    for (String target : targets) {
      for (String method : List.of("GET", "POST", "DELETE", "OPTIONS")) {
        call(method, target, Map.of(), null);
      }
    }
    call("OPTIONS", "*", Map.of(), null);
  }

  @Test
  void everyMethodOnEveryRouteIsAnsweredBelow500() {
    for (Route route : ROUTES) {
      for (String method : List.of("GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE", "PROPFIND",
          "FOO", "get")) {
        byte[] body = Set.of("POST", "PUT", "PATCH").contains(method) ? "{}".getBytes(StandardCharsets.UTF_8) : null;
        call(method, route.path(), body == null ? Map.of() : Map.of("Content-Type", "application/json"), body);
      }
      call("HEAD", route.path(), Map.of(), null);
    }
  }

  @Test
  void oddHeadersOnEveryRouteAreAnsweredBelow500() {
    List<Map<String, String>> headerSets = List.of(
        Map.of("X-Request-Id", "r".repeat(200)),
        Map.of("X-Request-Id", "   "),
        Map.of("X-Request-Id", "caf\u00e9"),
        Map.of("X-Project-Id", ""),
        Map.of("X-Project-Id", "../etc"),
        Map.of("X-Project-Id", "p".repeat(500)),
        Map.of("X-Project-Id", "\u00e9t\u00e9"),
        Map.of("Idempotency-Key", "k".repeat(300)),
        Map.of("Idempotency-Key", "caf\u00e9"),
        Map.of("Idempotency-Key", ""),
        Map.of("Authorization", ""),
        Map.of("Authorization", "Bearer"),
        Map.of("Authorization", "Bearer    "),
        Map.of("Authorization", "Bearer animus_run_v1."),
        Map.of("Authorization", "Bearer animus_run_v1.\u00e9.\u00e9"),
        Map.of("Authorization", "Bearer dp_" + "x".repeat(8000)),
        Map.of("Authorization", "Bearer \u00ff\u00fe"),
        Map.of("Authorization", "Basic " + "A".repeat(100)),
        Map.of("Accept", "text/html"),
        Map.of("Accept-Encoding", "gzip"),
        Map.of("Content-Type", "application/json; charset=nonsense"),
        Map.of("Last-Event-ID", "-1"),
        Map.of("X-Long", "v".repeat(20_000)),
        Map.of("X-Huge", "v".repeat(70_000)));
    for (Route route : ROUTES) {
      for (Map<String, String> headers : headerSets) {
        byte[] body = validBody(route);
        call(route.method(), route.path(), withJson(headers, body), body);
      }
      Map<String, String> many = new LinkedHashMap<>();
      for (int i = 0; i < 300; i++) {
        many.put("X-Many-" + i, "value-" + i);
      }
      byte[] body = validBody(route);
      call(route.method(), route.path(), withJson(many, body), body);
    }
  }

  @Test
  void oddAuthorizationInTokenModeIsAnsweredBelow500() {
    List<String> authorizations = List.of("Bearer", "Bearer ", "Bearer  x ", "bearer " + ADMIN_TOKEN,
        "BEARER " + ADMIN_TOKEN, "Bearer " + ADMIN_TOKEN + " extra", "Bearer dp_", "Bearer dp_" + "A".repeat(43),
        "Bearer animus_run_v1.", "Bearer animus_run_v1...", "Bearer animus_run_v1.e30.e30",
        "Bearer animus_run_v1." + "A".repeat(5000) + ".x", "Token " + ADMIN_TOKEN, "Bearer\t" + ADMIN_TOKEN,
        "Bearer " + "\u00e9".repeat(10));
    for (Route route : ROUTES) {
      for (String authorization : authorizations) {
        byte[] body = validBody(route);
        Map<String, String> headers = withJson(Map.of("Authorization", authorization), body);
        call(token, route.method(), route.path(), headers, body);
      }
      byte[] body = validBody(route);
      call(token, route.method(), route.path(), withJson(Map.of(), body), body);
    }
  }


  /**
   * Mutations of valid requests of every route (seeded, about 45 s): no unprescribed 5xx, no hang,
   * JSON errors with known codes, and nothing stored by a refused request. A longer run with any
   * seed: the bench program {@code FuzzSoak}. Its own server, so that its writes cannot disturb
   * the tests above.
   */
  @Test
  void mutationsOfValidRequestsOfEveryRouteAreAnsweredBelow500AndRefusalsStoreNothing() {
    try (TestServer own = TestServer.start(Map.of("ANIMUS_CI_WEBHOOK_SECRET", "fuzz-ci-secret"))) {
      var result = new io.animus.datapilot.testing.fuzz.MutationFuzzer(own, "fuzz-ci-secret", 14L,
          System.out::println).run(java.time.Duration.ofSeconds(Long.getLong("datapilot.fuzz.seconds", 45)));
      System.out.println("mutation fuzzer: " + result.summary());
      checked += (int) result.requests();
      problems.addAll(result.problems());
      // the problems themselves in the message: CI cuts long stdout, and the message is what it keeps
      assertThat(result.problemCount()).as("%d problems (the first %d listed, with their requests):%n%s%nrun: %s",
          result.problemCount(), result.problems().size(), String.join(System.lineSeparator(), result.problems()),
          result.summary()).isZero();
      // every route was exercised, and mutations also reached accepting code, not only the door
      assertThat(result.perRoute()).hasSizeGreaterThanOrEqualTo(48);
      assertThat(result.perRoute().entrySet()).allMatch(e -> e.getKey().equals("seed") || e.getValue() >= 2);
      assertThat(result.requests() - result.refused()).isGreaterThan(50);
      assertThat(result.checkedForStorage()).isGreaterThan(50);
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Exact answers for inputs that once gave a 5xx or a non-JSON error.

  private JsonNode error(RawAnswer r, int status, String code) {
    checked++;
    assertThat(r.status()).as(r.text()).isEqualTo(status);
    assertThat(r.headers().get("content-type")).startsWith("application/json");
    JsonNode body;
    try {
      body = Json.mapper().readTree(r.body());
    } catch (IOException e) {
      throw new AssertionError("not JSON: " + r.text(), e);
    }
    assertThat(body.path("error").asText()).isEqualTo(code);
    return body;
  }

  private RawAnswer post(String target, String json) {
    return send(dev, "POST", target, Map.of("Content-Type", "application/json"), json.getBytes(StandardCharsets.UTF_8));
  }

  private RawAnswer get(String target) {
    return send(dev, "GET", target, Map.of(), null);
  }

  @Test
  void aNulCharacterInAnyStringIsInvalidJsonNamingTheField() {
    assertThat(error(post("/api/experiments/experiments", "{\"name\":\"a\\u0000b\"}"), 400, "invalid_json")
        .path("message").asText()).isEqualTo("field \"name\" must not contain the character U+0000");
    assertThat(error(post("/api/experiments/experiments/" + experimentId + "/runs",
        "{\"params\":{\"deep\":[{\"k\\u0000\":1}]},\"status\":\"running\"}"), 400, "invalid_json")
        .path("message").asText()).contains("\"params\"");
    error(post("/api/auth/tokens", "{\"name\":\"\\u0000\",\"role\":\"viewer\"}"), 400, "invalid_json");
  }

  @Test
  void aNumberBeyondPostgresNumericIsInvalidJsonAndListsStaySortable() {
    String target = "/api/experiments/experiments/" + experimentId + "/runs";
    assertThat(error(post(target, "{\"params\":{\"huge\":1e999999999},\"status\":\"running\"}"), 400,
        "invalid_json").path("message").asText()).isEqualTo("field \"params\" holds a number outside the supported range");
    error(post(target, "{\"metrics\":{\"tiny\":1e-999999999},\"status\":\"running\"}"), 400, "invalid_json");
    error(post(target, "{\"params\":{\"huge\":1e99999999999},\"status\":\"running\"}"), 400, "invalid_json");
    RawAnswer accepted = post(target, "{\"params\":{\"huge\":1e131071,\"nan\":NaN},\"status\":\"running\"}");
    assertThat(accepted.status()).as(accepted.text()).isEqualTo(201);
    assertThat(get(target + "?order_by=param:huge").status()).isEqualTo(200);
  }

  @Test
  void aTimestampWithAYearBeyondFourDigitsIsInvalid() {
    String target = "/api/experiments/experiments/" + experimentId + "/runs";
    error(post(target, "{\"started_at\":\"+999999999-12-31T23:59:59Z\",\"status\":\"running\"}"), 400,
        "invalid_timestamp");
    error(post(target, "{\"ended_at\":\"+10000-01-01T00:00:00Z\",\"status\":\"running\"}"), 400,
        "invalid_timestamp");
    error(post("/api/auth/tokens", "{\"expires_at\":\"+999999999-12-31T23:59:59Z\",\"name\":\"x\",\"role\":\"viewer\"}"),
        400, "invalid_timestamp");
    RawAnswer edge = post(target, "{\"started_at\":\"9999-12-31T23:59:59+01:00\",\"status\":\"running\"}");
    assertThat(edge.status()).as(edge.text()).isEqualTo(201);
  }

  @Test
  void bodiesInAnUndecodableEncodingAreInvalidJson() {
    RawAnswer r = send(dev, "POST", "/api/experiments/experiments", Map.of("Content-Type", "application/json"),
        new byte[] {0, 0, 0, '{', (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff});
    error(r, 400, "invalid_json");
  }

  @Test
  void aNulInANameFilterMatchesNothing() throws IOException {
    RawAnswer r = get("/api/experiments/experiments?name=a%00b");
    assertThat(r.status()).isEqualTo(200);
    assertThat(Json.mapper().readTree(r.body()).toString()).isEqualTo("{\"experiments\":[]}");
    RawAnswer q = get("/api/experiments/experiments?q=fu%00zz");
    assertThat(q.status()).isEqualTo(200);
    assertThat(Json.mapper().readTree(q.body()).toString()).isEqualTo("{\"experiments\":[]}");
  }

  @Test
  void aNulInAnOrderByKeyIsAnInvalidOrdering() {
    error(get("/api/experiments/experiments/" + experimentId + "/runs?order_by=param:a%00b"), 400, "invalid_order_by");
    error(get("/api/experiments/experiments/" + experimentId + "/runs?order_by=metric:a%00b"), 400, "invalid_order_by");
  }

  @Test
  void forgedCursorsAreInvalidPageTokens() {
    String runs = "/api/experiments/experiments/" + experimentId + "/runs";
    String paramPrint = PageToken.fingerprint("runs", "[" + experimentId + "]", null, null, "false", "false", "",
        "PARAM", "lr", "false");
    for (String value : List.of("{not json", "NaN", "1e999999999", "\"\\u0000\"", "")) {
      String token = PageToken.encode(paramPrint, List.of(value, "0b6f3c1e-1111-4222-8333-444455556666"));
      error(get(runs + "?order_by=param:lr&page_token=" + token), 400, "invalid_page_token");
    }
    String experimentsPrint = PageToken.fingerprint("experiments", "default", null, null);
    String farFuture = PageToken.encode(experimentsPrint,
        List.of("+999999999-12-31T23:59:59Z", "0b6f3c1e-1111-4222-8333-444455556666"));
    error(get("/api/experiments/experiments?page_token=" + farFuture), 400, "invalid_page_token");
    String tokensFuture = PageToken.encode(PageToken.fingerprint("tokens"),
        List.of("+999999999-12-31T23:59:59Z", "0b6f3c1e-1111-4222-8333-444455556666"));
    error(get("/api/auth/tokens?page_token=" + tokensFuture), 400, "invalid_page_token");
  }

  @Test
  void aValidParamCursorStillPages() throws IOException {
    String target = "/api/experiments/experiments/" + experimentId + "/runs";
    for (int i = 0; i < 3; i++) {
      assertThat(post(target, "{\"params\":{\"rank\":" + i + "},\"status\":\"running\"}").status()).isEqualTo(201);
    }
    JsonNode first = Json.mapper().readTree(get(target + "?order_by=param:rank&limit=1").body());
    assertThat(first.get("runs").get(0).get("params").get("rank").asInt()).isEqualTo(2);
    JsonNode second = Json.mapper().readTree(get(target + "?order_by=param:rank&limit=1&page_token="
        + first.get("next_page_token").asText()).body());
    assertThat(second.get("runs").get(0).get("params").get("rank").asInt()).isEqualTo(1);
  }

  @Test
  void anUnknownMethodOnAKnownPathIsMethodNotAllowed() {
    for (String method : List.of("TRACE", "PROPFIND", "FOO")) {
      RawAnswer r = send(dev, method, "/api/experiments/experiments", Map.of(), null);
      error(r, 405, "method_not_allowed");
      assertThat(r.headers().get("allow")).isEqualTo("GET, HEAD, OPTIONS, POST");
    }
    error(send(dev, "PROPFIND", "/api/nothing", Map.of(), null), 404, "route_not_found");
  }

  @Test
  void jettyErrorsAreJsonForEveryMethod() {
    for (String method : List.of("GET", "POST", "DELETE", "OPTIONS", "PUT")) {
      RawAnswer tooLarge = send(dev, method, "/api/experiments/experiments", Map.of("X-Huge", "v".repeat(70_000)), null);
      assertThat(tooLarge.status()).as(method).isEqualTo(431);
      assertThat(tooLarge.headers().get("content-type")).as(method).startsWith("application/json");
      for (String target : List.of("/api/experiments/experiments/%ZZ", "/\u00c3\u00a9")) {
        RawAnswer badPath = send(dev, method, target, Map.of(), null);
        assertThat(badPath.status()).as("%s %s", method, target).isEqualTo(400);
        assertThat(badPath.headers().get("content-type")).as("%s %s", method, target).startsWith("application/json");
      }
    }
    // an encoded slash stays inside its segment, so it is just an id that does not exist
    error(get("/api/experiments/experiments/a%2Fb"), 404, "not_found");
    error(send(dev, "DELETE", "/api/experiments/experiments/a%2Fb", Map.of(), null), 405, "method_not_allowed");
  }

  @Test
  void aGzipAcceptingClientGetsLargeListsWithTheirExactLength() throws IOException {
    for (int i = 0; i < 20; i++) {
      post("/api/experiments/experiments", "{\"description\":\"" + "d".repeat(100) + "\",\"name\":\"" + unique() + "\"}");
    }
    RawAnswer r = send(dev, "GET", "/api/experiments/experiments?limit=500", Map.of("Accept-Encoding", "gzip"), null);
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.headers().get("content-length")).isEqualTo(Integer.toString(r.body().length));
    assertThat(Json.mapper().readTree(r.body()).get("experiments").size()).isGreaterThanOrEqualTo(20);
    RawAnswer head = send(dev, "HEAD", "/api/experiments/experiments?limit=500", Map.of("Accept-Encoding", "gzip"), null);
    assertThat(head.status()).isEqualTo(200);
    assertThat(head.headers().get("content-length")).isEqualTo(r.headers().get("content-length"));
  }
}
