package io.animus.datapilot.http;

import io.animus.datapilot.kernel.ErrorCode;
import io.animus.datapilot.kernel.Json;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.animus.datapilot.testing.RawHttp;
import io.animus.datapilot.testing.TestClient;
import io.animus.datapilot.testing.ServerExtension;
import io.animus.datapilot.testing.TestServer;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Routing, request ids, errors, body limits and health (docs/protocol.md §1.1, §1.4, §1.5, §1.7, §9). */
class ProtocolHttpTest {
  private static final String EXPERIMENTS = "/api/experiments/experiments";
  private static final String HEX32 = "[0-9a-f]{32}";
  private static final int MIB = 1 << 20;
  static TestServer server;
  static TestClient client;

  @RegisterExtension
  static final ServerExtension SERVER = ServerExtension.started(s -> {
    server = s;
    client = s.client();
  });

  // ---- routing ---------------------------------------------------------------------------------

  @Test
  void unknownPathsAnswer404RouteNotFound() {
    List<String> paths = List.of("/api/experiments/nope", "/experiments", "/api/experiments/experiments/",
        "/api/experiments/healthz", "/api/healthz", "/healthz/", "/api", "/api/", "/nope",
        "/api/experiments/experiment-runs/" + UUID.randomUUID() + "/", "/api//experiments/experiments",
        "/api/experiments/experiments/" + UUID.randomUUID() + "/runs/extra");
    for (String path : paths) {
      var r = client.get(path);
      assertThat(r.status()).as(path).isEqualTo(404);
      assertErrorBody(r, "route_not_found");
    }
    var post = client.post("/experiments", "{\"name\":\"x\"}");
    assertThat(post.status()).isEqualTo(404);
    assertThat(post.error()).isEqualTo("route_not_found");
  }

  @Test
  void missingResourceAndMissingRouteAreDistinguishable() {
    var resource = client.get(EXPERIMENTS + "/" + UUID.randomUUID());
    assertThat(resource.status()).isEqualTo(404);
    assertThat(resource.error()).isEqualTo("not_found");
    var route = client.get(EXPERIMENTS + "/" + UUID.randomUUID() + "/nothing");
    assertThat(route.status()).isEqualTo(404);
    assertThat(route.error()).isEqualTo("route_not_found");
  }

  @Test
  void wrongMethodAnswers405MethodNotAllowedWithAllow() {
    var delete = client.delete(EXPERIMENTS);
    assertThat(delete.status()).isEqualTo(405);
    assertErrorBody(delete, "method_not_allowed");
    assertThat(allow(delete)).containsExactlyInAnyOrder("GET", "HEAD", "OPTIONS", "POST");

    var put = client.send("PUT", EXPERIMENTS + "/" + UUID.randomUUID(), "{}",
        Map.of("Content-Type", "application/json"));
    assertThat(put.status()).isEqualTo(405);
    assertThat(put.error()).isEqualTo("method_not_allowed");
    assertThat(allow(put)).containsExactlyInAnyOrder("GET", "HEAD", "OPTIONS");

    var postHealth = client.post("/healthz", "{}");
    assertThat(postHealth.status()).isEqualTo(405);
    assertThat(allow(postHealth)).containsExactlyInAnyOrder("GET", "HEAD", "OPTIONS");
  }

  @Test
  void optionsOnAKnownPathAnswers204WithAllow() {
    var r = client.send("OPTIONS", EXPERIMENTS, null, Map.of());
    assertThat(r.status()).isEqualTo(204);
    assertThat(allow(r)).containsExactlyInAnyOrder("GET", "HEAD", "OPTIONS", "POST");
    assertThat(r.bytes()).isEmpty();

    var run = client.send("OPTIONS", "/api/experiments/experiment-runs/" + UUID.randomUUID(), null, Map.of());
    assertThat(run.status()).isEqualTo(204);
    assertThat(allow(run)).containsExactlyInAnyOrder("GET", "HEAD", "OPTIONS", "PATCH");

    var unknown = client.send("OPTIONS", "/api/experiments/nope", null, Map.of());
    assertThat(unknown.status()).isEqualTo(404);
    assertThat(unknown.error()).isEqualTo("route_not_found");
  }

  @Test
  void headOnAGetRouteGivesTheSameStatusAndHeadersWithoutBody() {
    var created = client.post(EXPERIMENTS, "{\"name\":\"head-target\"}");
    assertThat(created.status()).isEqualTo(201);
    List<String> paths = List.of(created.header("Location"), EXPERIMENTS, EXPERIMENTS + "/" + UUID.randomUUID(),
        "/healthz", "/api/experiments/projects");
    for (String path : paths) {
      Map<String, String> sameId = Map.of("X-Request-Id", "head-check-" + Math.abs(path.hashCode()));
      var get = client.send("GET", path, null, sameId);
      var head = client.send("HEAD", path, null, sameId);
      assertThat(head.status()).as(path).isEqualTo(get.status());
      assertThat(get.bytes()).as(path).isNotEmpty();
      assertThat(head.bytes()).as(path).isEmpty();
      assertThat(head.header("Content-Length")).as(path).isEqualTo(Integer.toString(get.bytes().length));
      assertThat(head.header("Content-Length")).as(path).isEqualTo(get.header("Content-Length"));
      assertThat(head.header("Content-Type")).as(path).isEqualTo(get.header("Content-Type"));
      assertThat(head.header("X-Request-Id")).as(path).isEqualTo(get.header("X-Request-Id"));
    }
    var unknownRoute = client.send("HEAD", "/api/experiments/nope", null, Map.of());
    assertThat(unknownRoute.status()).isEqualTo(404);
    assertThat(unknownRoute.bytes()).isEmpty();
  }

  @Test
  void rootRedirectsToTheConsole() {
    var r = client.get("/");
    assertThat(r.status()).isEqualTo(302);
    assertThat(r.header("Location")).isEqualTo("/console/");
    var head = client.send("HEAD", "/", null, Map.of());
    assertThat(head.status()).isEqualTo(302);
    assertThat(head.header("Location")).isEqualTo("/console/");
  }

  // ---- request ids -----------------------------------------------------------------------------

  @Test
  void givenRequestIdIsEchoedTrimmedInHeaderAndErrorBody() {
    var r = client.send("GET", EXPERIMENTS + "/" + UUID.randomUUID(), null,
        Map.of("X-Request-Id", "  req-42 from/test:ok  "));
    assertThat(r.status()).isEqualTo(404);
    assertThat(r.header("X-Request-Id")).isEqualTo("req-42 from/test:ok");
    assertThat(r.json().get("request_id").asText()).isEqualTo("req-42 from/test:ok");

    var ok = client.send("GET", "/healthz", null, Map.of("X-Request-Id", "a"));
    assertThat(ok.header("X-Request-Id")).isEqualTo("a");
  }

  @Test
  void requestIdOf128CharactersIsKeptAndLongerOnesAreReplaced() {
    String longest = "r".repeat(128);
    var kept = client.send("GET", "/api/experiments/nope", null, Map.of("X-Request-Id", longest));
    assertThat(kept.header("X-Request-Id")).isEqualTo(longest);
    assertThat(kept.json().get("request_id").asText()).isEqualTo(longest);

    var replaced = client.send("GET", "/api/experiments/nope", null, Map.of("X-Request-Id", "r".repeat(129)));
    assertThat(replaced.header("X-Request-Id")).matches(HEX32);
    assertThat(replaced.json().get("request_id").asText()).isEqualTo(replaced.header("X-Request-Id"));
  }

  @Test
  void missingOrUnusableRequestIdIsGeneratedAs32LowerHex() {
    var absent = client.get("/api/experiments/nope");
    String generated = absent.header("X-Request-Id");
    assertThat(generated).matches(HEX32);
    assertThat(absent.json().get("request_id").asText()).isEqualTo(generated);
    assertThat(client.get("/api/experiments/nope").header("X-Request-Id")).matches(HEX32).isNotEqualTo(generated);

    var blank = client.send("GET", "/healthz", null, Map.of("X-Request-Id", "   "));
    assertThat(blank.header("X-Request-Id")).matches(HEX32);
    var nonAscii = new RawHttp(server.baseUrl()).send("GET", "/healthz",
        List.<String[]>of(new String[] {"X-Request-Id", "caf\u00e9"}), null);
    assertThat(nonAscii.status()).isEqualTo(200);
    assertThat(nonAscii.header("X-Request-Id")).matches(HEX32);
    var success = client.get("/healthz");
    assertThat(success.header("X-Request-Id")).matches(HEX32);
  }

  // ---- errors ----------------------------------------------------------------------------------

  @Test
  void everyErrorIsJsonWithErrorMessageAndRequestId() {
    assertErrorBody(client.get("/nope"), "route_not_found");
    assertErrorBody(client.delete(EXPERIMENTS), "method_not_allowed");
    assertErrorBody(client.get(EXPERIMENTS + "/" + UUID.randomUUID()), "not_found");
    assertErrorBody(client.post(EXPERIMENTS, "{"), "invalid_json");
    assertErrorBody(client.post(EXPERIMENTS, "{}"), "name_required");
    assertErrorBody(client.send("GET", EXPERIMENTS, null, Map.of("X-Project-Id", "!")), "invalid_project_id");
    assertErrorBody(client.get(EXPERIMENTS + "?page_token=zzz"), "invalid_page_token");
    assertErrorBody(client.post(EXPERIMENTS, "{\"name\":\"" + "x".repeat(MIB) + "\"}"), "payload_too_large");
  }

  @Test
  void errorsRaisedByJettyItselfAreJsonWithARequestIdToo() {
    RawHttp raw = new RawHttp(server.baseUrl());
    var badEscape = raw.send("GET", EXPERIMENTS + "/%ZZ", List.of(), null);
    var hugeHeader = raw.send("GET", "/healthz", List.<String[]>of(new String[] {"X-Big", "x".repeat(20_000)}), null);
    var garbage = raw.exchange("GARBAGE\r\n\r\n".getBytes(StandardCharsets.US_ASCII), false);
    assertThat(badEscape.status()).isEqualTo(400);
    assertThat(hugeHeader.status()).isEqualTo(431);
    assertThat(garbage.status()).isEqualTo(400);
    for (TestClient.Response r : List.of(badEscape, hugeHeader, garbage)) {
      assertThat(r.header("Content-Type")).as(r.text()).startsWith("application/json");
      JsonNode body = r.json();
      assertThat(body.get("error").asText()).as(r.text()).isNotBlank();
      assertThat(body.get("message").asText()).as(r.text()).isNotBlank();
      assertThat(body.get("request_id").asText()).as(r.text()).isEqualTo(r.header("X-Request-Id")).matches(HEX32);
    }
  }

  @Test
  void encodedOrOddIdSegmentsAreMalformedIdsAnswering404NotFound() {
    RawHttp raw = new RawHttp(server.baseUrl());
    for (String id : List.of("a%2Fb", "%2e%2e", "a%20b", "a;b")) {
      var r = raw.send("GET", EXPERIMENTS + "/" + id, List.of(), null);
      assertThat(r.status()).as(id).isEqualTo(404);
      assertThat(r.error()).as(id).isEqualTo("not_found");
    }
  }

  @Test
  void jsonBodyOver1MiBAnswers413WithMaxBytesAndCreatesNothing() {
    String project = "big-" + UUID.randomUUID().toString().substring(0, 8);
    Map<String, String> headers = Map.of("X-Project-Id", project);
    byte[] body = padded("{\"name\":\"too-big\",\"metadata\":{\"pad\":\"", "\"}}", MIB + 1);
    var r = client.sendBytes("POST", EXPERIMENTS, body, Map.of("X-Project-Id", project,
        "Content-Type", "application/json"));
    assertThat(r.status()).isEqualTo(413);
    assertErrorBody(r, "payload_too_large");
    assertThat(r.json().at("/details/max_bytes").asLong()).isEqualTo(1048576L);
    // the unread body stays on the connection, so the answer tells the client not to reuse it
    assertThat(r.header("Connection")).isEqualTo("close");

    var list = client.send("GET", EXPERIMENTS, null, headers);
    assertThat(list.json().get("experiments")).isEmpty();
  }

  @Test
  void chunkedJsonBodyOver1MiBAnswers413AndCreatesNothing() throws Exception {
    String project = "chunked-" + UUID.randomUUID().toString().substring(0, 8);
    byte[] body = padded("{\"name\":\"too-big-chunked\",\"metadata\":{\"pad\":\"", "\"}}", 2 * MIB);
    HttpRequest request = HttpRequest.newBuilder(URI.create(server.baseUrl() + EXPERIMENTS))
        .header("Content-Type", "application/json")
        .header("X-Project-Id", project)
        .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(body)))
        .build();
    HttpResponse<byte[]> r = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()
        .send(request, HttpResponse.BodyHandlers.ofByteArray());
    assertThat(r.statusCode()).isEqualTo(413);
    JsonNode error = Json.mapper().readTree(r.body());
    assertThat(error.get("error").asText()).isEqualTo("payload_too_large");
    assertThat(error.at("/details/max_bytes").asLong()).isEqualTo(1048576L);

    var list = client.send("GET", EXPERIMENTS, null, Map.of("X-Project-Id", project));
    assertThat(list.json().get("experiments")).isEmpty();
  }

  @Test
  void jsonBodyOfExactly1MiBIsAccepted() {
    String project = "edge-" + UUID.randomUUID().toString().substring(0, 8);
    byte[] body = padded("{\"name\":\"exactly-one-mib\",\"metadata\":{\"pad\":\"", "\"}}", MIB);
    assertThat(body).hasSize(1048576);
    var r = client.sendBytes("POST", EXPERIMENTS, body, Map.of("X-Project-Id", project,
        "Content-Type", "application/json"));
    assertThat(r.status()).as(r.status() == 201 ? "" : r.text()).isEqualTo(201);
    assertThat(r.json().get("name").asText()).isEqualTo("exactly-one-mib");
  }

  // ---- health ----------------------------------------------------------------------------------

  @Test
  void healthzBodyIsExactlyAsSpecified() {
    for (int i = 0; i < 3; i++) {
      var r = client.get("/healthz");
      assertThat(r.status()).isEqualTo(200);
      assertThat(r.header("Content-Type")).startsWith("application/json");
      assertThat(r.text()).isEqualTo("{\"service\":\"datapilot\",\"status\":\"ok\"}");
    }
  }

  @Test
  void readyzReportsEachCheckAndReadyInTheSpecifiedShape() {
    var r = client.get("/readyz");
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.header("Content-Type")).startsWith("application/json");
    JsonNode body = r.json();
    assertThat(fieldNames(body)).containsExactly("checks", "service", "status");
    assertThat(body.get("service").asText()).isEqualTo("datapilot");
    assertThat(body.get("status").asText()).isEqualTo("ready");
    assertThat(body.get("checks").findValuesAsText("name")).contains("database");
    for (JsonNode check : body.get("checks")) {
      assertThat(fieldNames(check)).containsExactly("name", "status", "duration_ms");
      assertThat(check.get("status").asText()).isEqualTo("ok");
      assertThat(check.get("duration_ms").isIntegralNumber()).isTrue();
      assertThat(check.get("duration_ms").asLong()).isBetween(0L, 750L);
    }
    String normalised = r.text().replaceAll("\"duration_ms\":\\d+", "\"duration_ms\":0");
    assertThat(normalised).startsWith("{\"checks\":[{\"name\":\"database\",\"status\":\"ok\",\"duration_ms\":0}")
        .endsWith("],\"service\":\"datapilot\",\"status\":\"ready\"}");
  }

  @Test
  void healthEndpointsNeedNoApiPrefixAndAnswerHead() {
    var head = client.send("HEAD", "/readyz", null, Map.of());
    assertThat(head.status()).isEqualTo(200);
    assertThat(head.bytes()).isEmpty();
  }

  // ---- helpers ---------------------------------------------------------------------------------

  private static void assertErrorBody(TestClient.Response r, String code) {
    assertThat(r.header("Content-Type")).as(r.text()).startsWith("application/json");
    JsonNode body = r.json();
    assertThat(body.get("error").asText()).isEqualTo(code);
    assertThat(body.get("message").asText()).isNotBlank();
    assertThat(body.get("request_id").asText()).isEqualTo(r.header("X-Request-Id")).isNotBlank();
    assertThat(fieldNames(body).subList(0, 3)).containsExactly("error", "message", "request_id");
    assertThat(r.status()).isEqualTo(ErrorCode.valueOf(code.toUpperCase()).status());
  }

  private static Set<String> allow(TestClient.Response r) {
    assertThat(r.header("Allow")).as("Allow header").isNotNull();
    return Arrays.stream(r.header("Allow").split(",")).map(String::trim).collect(Collectors.toCollection(TreeSet::new));
  }

  private static byte[] padded(String head, String tail, int total) {
    int pad = total - head.length() - tail.length();
    return (head + "p".repeat(pad) + tail).getBytes(StandardCharsets.UTF_8);
  }

  private static List<String> fieldNames(JsonNode node) {
    List<String> names = new java.util.ArrayList<>();
    node.fieldNames().forEachRemaining(names::add);
    return names;
  }
}
