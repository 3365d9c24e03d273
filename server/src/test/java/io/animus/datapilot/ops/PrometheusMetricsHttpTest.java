package io.animus.datapilot.ops;

import static org.assertj.core.api.Assertions.assertThat;

import io.animus.datapilot.testing.TestClient;
import io.animus.datapilot.testing.ServerExtension;
import io.animus.datapilot.testing.TestServer;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class PrometheusMetricsHttpTest {
  static TestServer server;
  static TestClient client;

  @RegisterExtension
  static final ServerExtension SERVER = ServerExtension.started(s -> {
    server = s;
    client = s.client();
  });

  /** A scrape: every sample line, keyed by its series ({@code name{labels}}), and the raw text. */
  record Scrape(Map<String, Double> samples, String text) {
    double value(String series) {
      return samples.getOrDefault(series, 0.0);
    }
  }

  private static Scrape scrape() {
    TestClient.Response r = client.get("/metrics");
    assertThat(r.status()).isEqualTo(200);
    Map<String, Double> samples = new LinkedHashMap<>();
    for (String line : r.text().split("\n")) {
      if (line.isBlank() || line.startsWith("#")) {
        continue;
      }
      int space = line.lastIndexOf(' ');
      samples.put(line.substring(0, space), Double.parseDouble(line.substring(space + 1)));
    }
    return new Scrape(samples, r.text());
  }

  private static String createExperiment(String name) {
    TestClient.Response r = client.post("/api/experiments/experiments", "{\"name\":\"" + name + "\"}");
    assertThat(r.status()).as(r.text()).isEqualTo(201);
    return r.json().get("experiment_id").asText();
  }

  private static void createRun(String experimentId, String status) {
    TestClient.Response r = client.post("/api/experiments/experiments/" + experimentId + "/runs",
        "{\"status\":\"" + status + "\"}");
    assertThat(r.status()).as(r.text()).isEqualTo(201);
  }

  @Test
  void metricsArePrometheusText004() {
    TestClient.Response r = client.get("/metrics");
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.header("Content-Type")).startsWith("text/plain").contains("version=0.0.4");
    assertThat(r.text()).contains("# TYPE datapilot_http_requests_total counter")
        .contains("# TYPE datapilot_metric_samples_inserted_total counter")
        .contains("# TYPE datapilot_runs gauge")
        .contains("# TYPE datapilot_sse_connections gauge")
        .contains("# TYPE datapilot_http_request_duration_seconds ");
  }

  @Test
  void requestsAreCountedByMethodRouteAndStatus() {
    Scrape before = scrape();
    for (int i = 0; i < 3; i++) {
      assertThat(client.get("/healthz").status()).isEqualTo(200);
    }
    assertThat(client.get("/api/experiments/experiments/not-a-uuid").status()).isEqualTo(404);
    assertThat(client.post("/api/experiments/experiments", "{\"name\":\"\"}").status()).isEqualTo(400);
    Scrape after = scrape();

    String health = "datapilot_http_requests_total{method=\"GET\",route=\"/healthz\",status=\"200\"}";
    assertThat(after.value(health) - before.value(health)).isEqualTo(3.0);
    String notFound = "datapilot_http_requests_total{method=\"GET\","
        + "route=\"/api/experiments/experiments/{experiment_id}\",status=\"404\"}";
    assertThat(after.value(notFound) - before.value(notFound)).isEqualTo(1.0);
    String rejected = "datapilot_http_requests_total{method=\"POST\",route=\"/api/experiments/experiments\","
        + "status=\"400\"}";
    assertThat(after.value(rejected) - before.value(rejected)).isEqualTo(1.0);
  }

  @Test
  void unknownPathsShareOneUnmatchedRouteLabel() {
    Scrape before = scrape();
    assertThat(client.get("/no/such/path/" + System.nanoTime()).status()).isEqualTo(404);
    assertThat(client.get("/another/unknown/path").status()).isEqualTo(404);
    Scrape after = scrape();
    String unmatched = "datapilot_http_requests_total{method=\"GET\",route=\"unmatched\",status=\"404\"}";
    assertThat(after.value(unmatched) - before.value(unmatched)).isEqualTo(2.0);
    assertThat(after.text()).doesNotContain("/no/such/path").doesNotContain("/another/unknown/path");
  }

  @Test
  void requestDurationsAreRecordedPerMethodAndRoute() {
    Scrape before = scrape();
    client.get("/readyz");
    client.get("/readyz");
    Scrape after = scrape();
    String count = "datapilot_http_request_duration_seconds_count{method=\"GET\",route=\"/readyz\"}";
    String sum = "datapilot_http_request_duration_seconds_sum{method=\"GET\",route=\"/readyz\"}";
    assertThat(after.value(count) - before.value(count)).isEqualTo(2.0);
    assertThat(after.samples()).containsKey(sum);
    assertThat(after.value(sum)).isGreaterThan(before.value(sum));
  }

  @Test
  void metricSamplesInsertedStartsAtZero() {
    assertThat(scrape().samples()).containsEntry("datapilot_metric_samples_inserted_total", 0.0);
  }

  @Test
  void sseConnectionsIsZeroWithoutStreams() {
    assertThat(scrape().samples()).containsEntry("datapilot_sse_connections", 0.0);
  }

  @Test
  void everyRunStatusHasAGauge() {
    Scrape s = scrape();
    for (String status : List.of("pending", "running", "succeeded", "failed", "canceled")) {
      assertThat(s.samples()).containsKey("datapilot_runs{status=\"" + status + "\"}");
    }
  }

  @Test
  void theRunsGaugeReflectsCreatedRuns() {
    Scrape before = scrape();
    String experimentId = createExperiment("metrics-runs");
    createRun(experimentId, "running");
    createRun(experimentId, "running");
    createRun(experimentId, "pending");
    createRun(experimentId, "succeeded");
    createRun(experimentId, "failed");
    createRun(experimentId, "failed");
    createRun(experimentId, "failed");
    Scrape after = scrape();
    Map<String, Double> expectedDelta = Map.of("pending", 1.0, "running", 2.0, "succeeded", 1.0, "failed", 3.0,
        "canceled", 0.0);
    expectedDelta.forEach((status, delta) -> {
      String series = "datapilot_runs{status=\"" + status + "\"}";
      assertThat(after.value(series) - before.value(series)).as(status).isEqualTo(delta);
    });
  }

  @Test
  void headOnMetricsAnswersWithoutABody() {
    TestClient.Response r = client.send("HEAD", "/metrics", null, Map.of());
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.bytes()).isEmpty();
  }
}
