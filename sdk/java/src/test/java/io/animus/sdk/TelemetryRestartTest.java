package io.animus.sdk;

import static org.assertj.core.api.Assertions.assertThat;

import io.animus.datapilot.App;
import io.animus.datapilot.config.ConfigLoader;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Telemetry logged while the server is stopped and started again arrives complete and exactly once. */
class TelemetryRestartTest {
  private static App start(Path dir, int port) {
    return App.start(new ConfigLoader(Map.of("DATAPILOT_LISTEN", "127.0.0.1:" + port,
        "DATAPILOT_DATA_DIR", dir.toString()), Map.of()).load());
  }

  @Test
  @Timeout(300)
  void pointsAndEventsSurviveAServerRestartExactlyOnce() throws Exception {
    Path dir = Files.createTempDirectory("animus-sdk-restart");
    int port;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
    App app = start(dir, port);
    String url = "http://127.0.0.1:" + port;
    ExperimentsClient client = ExperimentsClient.builder().gatewayUrl(url).build();
    String exp = client.createExperiment("restart", "", null).experimentId();
    String run = client.createRun(exp, NewRun.withStatus("running")).runId();
    int points = 200_000;
    int events = 2_000;
    try {
      try (RunTelemetryLogger logger = RunTelemetryLogger.builder().gatewayUrl(url).runId(run)
          .timeout(Duration.ofSeconds(5)).maxRetries(30).retryMax(Duration.ofSeconds(1)).build()) {
        for (int step = 0; step < points; step++) {
          while (!logger.logMetric(step, "loss", step)) {
            Thread.sleep(1);
          }
          if (step % (points / events) == 0) {
            while (!logger.logEvent("info", "event " + step)) {
              Thread.sleep(1);
            }
          }
          if (step == points / 2) {
            app.close();
            app = start(dir, port);
          }
        }
        assertThat(logger.flush(Duration.ofSeconds(200))).isTrue();
        assertThat(logger.stats().dropped()).isZero();
        // The sender really met the stopped server (refused connections or cut requests) and retried.
        assertThat(logger.stats().retries()).isPositive();
      }
      MetricSeries series = client.getMetricSeries(run, "loss", 10);
      assertThat(series.totalPoints()).isEqualTo(points);
      long seen = 0;
      Long before = null;
      while (true) {
        EventPage page = client.listRunEvents(run, 1000, before);
        seen += page.events().size();
        if (page.events().size() < 1000) {
          break;
        }
        before = page.nextBeforeEventId();
      }
      assertThat(seen).isEqualTo(events);
    } finally {
      app.close();
    }
  }
}
