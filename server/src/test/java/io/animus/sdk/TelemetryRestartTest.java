package io.animus.sdk;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.animus.datapilot.testing.TestServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * One logger's 1,000,000 points (and 2,000 events) arrive complete and exactly once while the server is stopped
 * and started again (same data directory and database, same port) in the middle of the run.
 */
class TelemetryRestartTest {
  private static final int NAMES = 10;
  private static final int STEPS = 100_000;
  private static final int EVENTS = 2_000;

  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  private String url;

  private static Map<String, String> listen(int port) {
    return Map.of("DATAPILOT_LISTEN", "127.0.0.1:" + port);
  }

  private static double valueOf(int name, long step) {
    return name + step / 1e6;
  }

  @Test
  @Timeout(300)
  void aMillionPointsSurviveAServerRestartExactlyOnce() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
    AtomicReference<TestServer> app = new AtomicReference<>(TestServer.start(listen(port)));
    url = "http://127.0.0.1:" + port;
    String exp = call("POST", "/api/experiments/experiments", "{\"name\":\"restart\"}").path("experiment_id")
        .asText();
    String run = call("POST", "/api/experiments/experiments/" + exp + "/runs", "{\"status\":\"running\"}")
        .path("run_id").asText();
    String[] names = new String[NAMES];
    for (int n = 0; n < NAMES; n++) {
      names[n] = "restart/metric_" + n;
    }
    long refused = 0;
    try {
      RunTelemetryLogger.Stats stats;
      try (RunTelemetryLogger logger = RunTelemetryLogger.builder().gatewayUrl(url).runId(run)
          .timeout(Duration.ofSeconds(5)).maxRetries(400).retryBase(Duration.ofMillis(50))
          .retryMax(Duration.ofMillis(500)).batchMaxPoints(10_000).build()) {
        Thread restarter = null;
        for (int step = 0; step < STEPS; step++) {
          for (int n = 0; n < NAMES; n++) {
            while (!logger.logMetric(step, names[n], valueOf(n, step))) {
              refused++;
              Thread.sleep(1);
            }
          }
          if (step % (STEPS / EVENTS) == 0) {
            while (!logger.logEvent("info", "event " + step)) {
              refused++;
              Thread.sleep(1);
            }
          }
          if (step == STEPS / 2) {
            // Stop and start the server while the caller keeps logging into the queue.
            // Same database and data directory, same port (restart closes the old server first).
            restarter = new Thread(() -> app.set(app.get().restart(listen(port))));
            restarter.start();
          }
        }
        restarter.join();
        assertThat(logger.flush(Duration.ofSeconds(200))).isTrue();
        stats = logger.stats();
      }
      assertThat(stats.dropped()).isZero();
      assertThat(stats.pointsSent()).isEqualTo((long) NAMES * STEPS);
      assertThat(stats.eventsSent()).isEqualTo(EVENTS);
      assertThat(stats.rejected()).isEqualTo(refused);
      // The sender really met the stopped server (refused connections or cut requests) and retried.
      assertThat(stats.retries()).isPositive();

      for (int n = 0; n < NAMES; n++) {
        assertExactSteps(run, names[n], n);
      }
      Set<String> messages = new HashSet<>();
      long seen = 0;
      String cursor = "";
      while (true) {
        JsonNode page = call("GET", "/api/experiments/experiment-runs/" + run + "/events?limit=1000" + cursor, null);
        for (JsonNode e : page.path("events")) {
          seen++;
          messages.add(e.path("message").asText());
        }
        if (page.path("events").size() < 1000) {
          break;
        }
        cursor = "&before_event_id=" + page.path("next_before_event_id").asLong();
      }
      assertThat(seen).isEqualTo(EVENTS);
      assertThat(messages).hasSize(EVENTS).contains("event 0", "event " + (STEPS - STEPS / EVENTS));
    } finally {
      app.get().close();
    }
  }

  /**
   * The series holds exactly the steps 0..STEPS-1, each once, with the logged values: read as 10,000 buckets of
   * consecutive samples, each bucket's count equals its step range (steps are unique per series), the ranges
   * join up, and each bucket's last value is the one logged at its last step.
   */
  private void assertExactSteps(String run, String name, int n) throws Exception {
    JsonNode series = call("GET", "/api/experiments/experiment-runs/" + run + "/metrics/series?name="
        + URLEncoder.encode(name, StandardCharsets.UTF_8) + "&max_points=10000", null);
    assertThat(series.path("total_points").asLong()).as(name).isEqualTo(STEPS);
    long next = 0;
    long counted = 0;
    for (JsonNode b : series.path("buckets")) {
      long min = b.path("step_min").asLong();
      long max = b.path("step_max").asLong();
      assertThat(min).as(name + " bucket start").isEqualTo(next);
      assertThat(b.path("count").asLong()).as(name + " bucket " + min).isEqualTo(max - min + 1);
      assertThat(b.path("last").asDouble()).as(name + " value at " + max).isEqualTo(valueOf(n, max));
      counted += b.path("count").asLong();
      next = max + 1;
    }
    assertThat(next).as(name + " last step").isEqualTo(STEPS);
    assertThat(counted).isEqualTo(STEPS);
  }

  private JsonNode call(String method, String path, String json) throws IOException, InterruptedException {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url + path)).timeout(Duration.ofSeconds(60));
    if (json != null) {
      b.header("Content-Type", "application/json");
    }
    b.method(method, json == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(json));
    HttpResponse<byte[]> resp = http.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
    assertThat(resp.statusCode()).as(method + " " + path).isBetween(200, 201);
    return Json.MAPPER.readTree(resp.body());
  }
}
