package io.animus.sdk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The exact wire behaviour of docs/protocol.md §11, checked against a recording fake gateway. */
class WireFormatTest {
  record Seen(String method, String path, String query, Map<String, List<String>> headers, String body) {}

  record Answer(int status, String body, Map<String, String> headers) {
    static Answer json(int status, String body) {
      return new Answer(status, body, Map.of());
    }
  }

  private HttpServer server;
  private final List<Seen> seen = new CopyOnWriteArrayList<>();

  private String start(Function<Seen, Answer> handler) throws IOException {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext("/", (HttpExchange ex) -> {
      String body = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
      Seen s = new Seen(ex.getRequestMethod(), ex.getRequestURI().getRawPath(), ex.getRequestURI().getRawQuery(),
          Map.copyOf(ex.getRequestHeaders()), body);
      seen.add(s);
      Answer a = handler.apply(s);
      a.headers().forEach((k, v) -> ex.getResponseHeaders().add(k, v));
      ex.getResponseHeaders().add("Content-Type", "application/json");
      byte[] out = a.body().getBytes(StandardCharsets.UTF_8);
      ex.sendResponseHeaders(a.status(), out.length == 0 ? -1 : out.length);
      if (out.length > 0) {
        ex.getResponseBody().write(out);
      }
      ex.close();
    });
    server.start();
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  @AfterEach
  void stop() {
    if (server != null) {
      server.stop(0);
    }
  }

  private static String header(Seen s, String name) {
    return s.headers().entrySet().stream().filter(e -> e.getKey().equalsIgnoreCase(name))
        .map(e -> e.getValue().get(0)).findFirst().orElse(null);
  }

  @Test
  void requestsCarryAcceptRequestIdBearerAndCompactSortedJson() throws IOException {
    String url = start(s -> Answer.json(201, "{\"experiment_id\":\"e1\"}"));
    ExperimentsClient client = ExperimentsClient.builder().gatewayUrl(url).authToken("tok-1").build();
    Experiment exp = client.createExperiment("b\u00e9", "d", Map.of("z", 1, "a", List.of(2.5)));
    client.createExperiment("c", null, null);
    assertThat(exp.experimentId()).isEqualTo("e1");
    Seen first = seen.get(0);
    assertThat(first.method()).isEqualTo("POST");
    assertThat(first.path()).isEqualTo("/api/experiments/experiments");
    assertThat(header(first, "Accept")).isEqualTo("application/json");
    assertThat(header(first, "Authorization")).isEqualTo("Bearer tok-1");
    assertThat(header(first, "Content-Type")).isEqualTo("application/json");
    assertThat(header(first, "X-Project-Id")).isNull();
    assertThat(header(first, "X-Request-Id")).matches("[0-9a-f]{32}");
    assertThat(header(first, "X-Request-Id")).isNotEqualTo(header(seen.get(1), "X-Request-Id"));
    assertThat(first.body()).isEqualTo("{\"description\":\"d\",\"metadata\":{\"a\":[2.5],\"z\":1},\"name\":\"b\\u00E9\"}");
    assertThat(seen.get(1).body()).isEqualTo("{\"description\":\"\",\"metadata\":{},\"name\":\"c\"}");
  }

  @Test
  void listQueriesAndCiHeaders() throws IOException {
    String url = start(s -> Answer.json(200, "{}"));
    ExperimentsClient client = ExperimentsClient.builder().gatewayUrl(url).ciSecret("test-secret").build();
    client.listExperiments(100, "a b");
    client.listRunArtifacts("r1", null);
    JsonNode signed = client.postCi("/ci/webhook",
        Map.of("run_id", "run-123", "provider", "github_actions", "context", Map.of("sha", "abc")), 1734200000L);
    assertThat(signed.isObject()).isTrue();
    assertThat(seen.get(0).query()).isEqualTo("limit=100&name=a+b");
    assertThat(seen.get(1).path()).isEqualTo("/api/experiments/experiment-runs/r1/artifacts");
    assertThat(seen.get(1).query()).isEqualTo("limit=200");
    Seen ci = seen.get(2);
    assertThat(ci.path()).isEqualTo("/api/experiments/ci/webhook");
    assertThat(ci.body()).isEqualTo("{\"context\":{\"sha\":\"abc\"},\"provider\":\"github_actions\",\"run_id\":\"run-123\"}");
    assertThat(header(ci, "X-Animus-CI-Ts")).isEqualTo("1734200000");
    assertThat(header(ci, "X-Animus-CI-Sig")).isEqualTo("W8DZwxZW8jKJeHNF-6yDAZ1JgEH1JNiSrsipBOSvfJY");
  }

  @Test
  void errorsMapToStatusCodeRequestIdAndBody() throws IOException {
    String url = start(s -> switch (s.path()) {
      case "/api/experiments/experiment-runs/missing" -> Answer.json(404,
          "{\"error\":\"not_found\",\"message\":\"run not found\",\"request_id\":\"srv-1\"}");
      case "/api/experiments/experiment-runs/plain" -> new Answer(500, "oops", Map.of("X-Request-Id", "hdr-2"));
      default -> Answer.json(200, "not json");
    });
    ExperimentsClient client = ExperimentsClient.builder().gatewayUrl(url).build();
    assertThatThrownBy(() -> client.getRun("missing")).isInstanceOfSatisfying(AnimusApiException.class, e -> {
      assertThat(e.status()).isEqualTo(404);
      assertThat(e.code()).isEqualTo("not_found");
      assertThat(e.requestId()).isEqualTo("srv-1");
      assertThat(e.serverMessage()).isEqualTo("run not found");
      assertThat(e.bodyObject()).containsEntry("error", "not_found");
      assertThat(e.body()).isInstanceOf(Map.class);
      assertThat(e.retryable()).isFalse();
    });
    assertThatThrownBy(() -> client.getRun("plain")).isInstanceOfSatisfying(AnimusApiException.class, e -> {
      assertThat(e.status()).isEqualTo(500);
      assertThat(e.code()).isEqualTo("request_failed");
      assertThat(e.requestId()).isEqualTo("hdr-2");
      assertThat(e.retryable()).isTrue();
    });
    assertThatThrownBy(() -> client.getRun("other")).isInstanceOfSatisfying(AnimusApiException.class,
        e -> assertThat(e.code()).isEqualTo("invalid_json_response"));
  }

  @Test
  void transportFailuresAreADistinctExceptionWithTheCause() throws IOException {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    ExperimentsClient client = ExperimentsClient.builder().gatewayUrl("http://127.0.0.1:" + port)
        .timeout(Duration.ofSeconds(2)).build();
    assertThatThrownBy(() -> client.getRun("r")).isInstanceOfSatisfying(AnimusTransportException.class, e -> {
      assertThat(e.status()).isZero();
      assertThat(e.code()).isEqualTo("network_error");
      assertThat(e.getCause()).isInstanceOf(IOException.class);
      assertThat(e.requestId()).matches("[0-9a-f]{32}");
    });
  }

  @Test
  void loggerRetries503WithFreshRequestIdsAndKeepsClientEventIds() throws IOException {
    java.util.concurrent.atomic.AtomicInteger calls = new java.util.concurrent.atomic.AtomicInteger();
    String url = start(s -> calls.incrementAndGet() <= 2 ? new Answer(503, "{\"error\":\"unavailable\"}",
        Map.of("Retry-After", "0")) : Answer.json(201, "{\"inserted\":1}"));
    RunTelemetryLogger logger = RunTelemetryLogger.builder().gatewayUrl(url).runId("run-1").authToken("rt")
        .retryBase(Duration.ofMillis(10)).build();
    assertThat(logger.logEvent("warning", "hello", Map.of("k", "v"))).isTrue();
    assertThat(logger.flush(Duration.ofSeconds(20))).isTrue();
    logger.close(Duration.ofSeconds(5));
    assertThat(seen).hasSize(3);
    assertThat(seen).extracting(Seen::path).containsOnly("/api/experiments/experiment-runs/run-1/events:batch");
    assertThat(seen).extracting(s -> header(s, "X-Request-Id")).doesNotHaveDuplicates();
    assertThat(seen).extracting(Seen::body).containsOnly(seen.get(0).body());
    assertThat(header(seen.get(0), "Authorization")).isEqualTo("Bearer rt");
    assertThat(seen.get(0).body()).matches(
        "\\{\"events\":\\[\\{\"client_event_id\":\"[0-9a-f]{16}-1\",\"level\":\"warn\",\"message\":\"hello\","
            + "\"metadata\":\\{\"k\":\"v\"},\"occurred_at\":\"[0-9T:.-]+Z\"}]}");
    assertThat(logger.stats().retries()).isEqualTo(2);
    assertThat(logger.stats().eventsSent()).isEqualTo(1);
  }

  @Test
  void loggerFallsBackToSingleEndpointsOnRouteNotFoundAndDropsOnlyTheBadIndex() throws IOException {
    String url = start(s -> {
      if (s.path().endsWith("metrics:batch") || s.path().endsWith("events:batch")) {
        return Answer.json(404, "{\"error\":\"route_not_found\"}");
      }
      if (s.path().endsWith("/events") && s.body().contains("\"bad\"")) {
        return Answer.json(400, "{\"error\":\"message_required\"}");
      }
      return Answer.json(201, "{}");
    });
    RunTelemetryLogger logger = RunTelemetryLogger.builder().gatewayUrl(url).runId("r2").build();
    logger.logMetric(3, "loss", Double.NaN);
    logger.logMetric(3, "acc", Double.POSITIVE_INFINITY);
    logger.logEvent("info", "bad");
    logger.logEvent("info", "good");
    assertThat(logger.flush(Duration.ofSeconds(20))).isTrue();
    logger.close();
    assertThat(seen).extracting(Seen::path).contains("/api/experiments/experiment-runs/r2/metrics",
        "/api/experiments/experiment-runs/r2/events");
    Seen single = seen.stream().filter(s -> s.path().endsWith("/metrics")).findFirst().orElseThrow();
    assertThat(single.body()).isEqualTo("{\"metrics\":{\"acc\":Infinity,\"loss\":NaN},\"step\":3}");
    assertThat(logger.stats().pointsSent()).isEqualTo(2);
    assertThat(logger.stats().eventsSent()).isEqualTo(1);
    assertThat(logger.stats().dropped()).isEqualTo(1);
    assertThat(logger.lastError().code()).isEqualTo("message_required");
  }

  @Test
  void a400NamingAnIndexDropsOnlyThatPoint() throws IOException {
    java.util.concurrent.atomic.AtomicInteger calls = new java.util.concurrent.atomic.AtomicInteger();
    String url = start(s -> calls.incrementAndGet() == 1
        ? Answer.json(400, "{\"error\":\"invalid_metric_value\",\"details\":{\"index\":1}}")
        : Answer.json(201, "{}"));
    // One request in flight, so that a, b and c travel together (with 2, b would have a lane of its own).
    RunTelemetryLogger logger = RunTelemetryLogger.builder().gatewayUrl(url).runId("r3").parallelRequests(1).build();
    logger.logMetrics(0, new java.util.TreeMap<>(Map.of("a", 1, "b", 2, "c", 3)));
    assertThat(logger.flush(Duration.ofSeconds(20))).isTrue();
    logger.close();
    assertThat(seen).hasSize(2);
    assertThat(seen.get(1).body()).contains("\"name\":\"a\"").contains("\"name\":\"c\"").doesNotContain("\"name\":\"b\"");
    assertThat(logger.stats().pointsSent()).isEqualTo(2);
    assertThat(logger.stats().dropped()).isEqualTo(1);
  }

  @Test
  void multipartUploadHasTheExactShapeAndContentLength(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
      throws IOException {
    String url = start(s -> Answer.json(201, "{\"artifact\":{\"artifact_id\":\"a1\"}}"));
    java.nio.file.Path file = dir.resolve("model.json");
    java.nio.file.Files.writeString(file, "{\"w\":1}");
    ExperimentsClient client = ExperimentsClient.builder().gatewayUrl(url).build();
    Artifact answer = client.uploadRunArtifact("r1", "model", file, "model", Map.of("format", "json"));
    assertThat(answer.artifactId()).isEqualTo("a1");
    Seen up = seen.get(0);
    String type = header(up, "Content-Type");
    assertThat(type).matches("multipart/form-data; boundary=----animus-[0-9a-f]{32}");
    String boundary = type.substring(type.indexOf("boundary=") + 9);
    assertThat(header(up, "Transfer-Encoding")).isNull();
    assertThat(header(up, "Content-Length")).isEqualTo(String.valueOf(up.body().getBytes(StandardCharsets.UTF_8).length));
    assertThat(up.body()).isEqualTo("--" + boundary + "\r\n"
        + "Content-Disposition: form-data; name=\"kind\"\r\n\r\nmodel\r\n"
        + "--" + boundary + "\r\n"
        + "Content-Disposition: form-data; name=\"name\"\r\n\r\nmodel\r\n"
        + "--" + boundary + "\r\n"
        + "Content-Disposition: form-data; name=\"metadata\"\r\n\r\n{\"format\":\"json\"}\r\n"
        + "--" + boundary + "\r\n"
        + "Content-Disposition: form-data; name=\"file\"; filename=\"model.json\"\r\n"
        + "Content-Type: application/json\r\n\r\n{\"w\":1}\r\n"
        + "--" + boundary + "--\r\n");
  }
}
