package io.animus.sdk;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The telemetry logger against the real server, and against a gateway that never answers. */
class RunTelemetryLoggerTest {
  private final ExperimentsClient client = LiveServer.experiments();

  private String newRun() {
    String exp = client.createExperiment(LiveServer.unique("telemetry"), "", null).experimentId();
    return client.createRun(exp, NewRun.withStatus("running")).runId();
  }

  @Test
  @Timeout(300)
  void hundredThousandPointsArriveCompletely() {
    String run = newRun();
    int total = 100_000;
    long fullAnswers = 0;
    try (RunTelemetryLogger logger = RunTelemetryLogger.builder().gatewayUrl(LiveServer.url()).runId(run).build()) {
      for (int step = 0; step < total; step++) {
        while (!logger.logMetric(step, "loss", 1.0 / (step + 1))) {
          fullAnswers++;
          Thread.onSpinWait();
          Thread.yield();
        }
      }
      assertThat(logger.flush(Duration.ofSeconds(240))).isTrue();
      RunTelemetryLogger.Stats stats = logger.stats();
      assertThat(stats.pointsSent()).isEqualTo(total);
      assertThat(stats.dropped()).isZero();
      assertThat(stats.rejected()).isEqualTo(fullAnswers);
      assertThat(logger.lastError()).isNull();
    }
    MetricSeries series = client.getMetricSeries(run, "loss", 10);
    assertThat(series.totalPoints()).isEqualTo(total);
    List<MetricSeries.Bucket> buckets = series.buckets();
    assertThat(buckets.get(buckets.size() - 1).stepMax()).isEqualTo(total - 1);
  }

  @Test
  @Timeout(120)
  void nonFiniteValuesEventsAndHeartbeatsArrive() {
    String run = newRun();
    try (RunTelemetryLogger logger = RunTelemetryLogger.builder().gatewayUrl(LiveServer.url()).runId(run)
        .heartbeatInterval(Duration.ofMillis(100)).build()) {
      assertThat(logger.logMetric(0, "loss", Double.NaN)).isTrue();
      assertThat(logger.logMetric(1, "loss", Double.POSITIVE_INFINITY)).isTrue();
      assertThat(logger.logMetric(2, "loss", Double.NEGATIVE_INFINITY)).isTrue();
      assertThat(logger.logMetrics(3, Map.of("loss", 0.5, "acc", 1), Map.of("split", "val"))).isTrue();
      for (int i = 0; i < 2500; i++) {
        assertThat(logger.logEvent("info", "event " + i)).isTrue();
      }
      assertThat(logger.heartbeat()).isTrue();
      assertThat(logger.flush(Duration.ofSeconds(60))).isTrue();
      assertThat(logger.stats().eventsSent()).isEqualTo(2500);
    }
    List<MetricPoint> samples = client.listMetrics(run, "loss", 10).items();
    List<Double> values = samples.stream().map(MetricPoint::value).toList();
    assertThat(values).containsExactly(Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, 0.5);
    assertThat(samples.get(3).metadata()).containsEntry("split", "val");
    long events = 0;
    Long before = null;
    while (true) {
      EventPage page = client.listRunEvents(run, 1000, before);
      events += page.events().size();
      if (page.events().size() < 1000) {
        break;
      }
      before = page.nextBeforeEventId();
    }
    assertThat(events).isEqualTo(2500);
    assertThat(client.getRun(run).lastHeartbeatAt()).isNotNull();
  }

  @Test
  @Timeout(60)
  void aFullQueueAnswersFalseAtOnceAndCloseReturnsWithinItsTimeout() throws Exception {
    try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      List<Socket> accepted = new ArrayList<>();
      Thread acceptor = new Thread(() -> {
        try {
          while (true) {
            accepted.add(silent.accept());
          }
        } catch (IOException ignored) {
          // closed
        }
      });
      acceptor.setDaemon(true);
      acceptor.start();
      RunTelemetryLogger logger = RunTelemetryLogger.builder()
          .gatewayUrl("http://127.0.0.1:" + silent.getLocalPort()).runId("r-silent").maxQueue(100)
          .timeout(Duration.ofSeconds(30)).build();
      // The sender takes the first point into a request that never gets an answer; the queue behind it then
      // fills up with exactly its capacity.
      assertThat(logger.logMetric(0, "loss", 0)).isTrue();
      logger.flush(Duration.ofMillis(1));
      long waitUntil = System.nanoTime() + 10_000_000_000L;
      while (logger.stats().requests() == 0 && System.nanoTime() < waitUntil) {
        Thread.sleep(5);
      }
      assertThat(logger.stats().requests()).isEqualTo(1);
      int taken = 1;
      while (taken < 1000 && logger.logMetric(taken, "loss", taken)) {
        taken++;
      }
      assertThat(taken).isEqualTo(101);
      assertThat(logger.stats().rejected()).isEqualTo(1);
      // The caller is not stuck with the sender: full answers come while the sender still waits on its first
      // request, counted.
      boolean acceptedPoint = logger.logMetric(5000, "loss", 1);
      boolean acceptedEvent = logger.logEvent("info", "x");
      boolean acceptedGroup = logger.logMetrics(5001, Map.of("a", 1, "b", 2));
      assertThat(acceptedPoint).isFalse();
      assertThat(acceptedEvent).isFalse();
      assertThat(acceptedGroup).isFalse();
      assertThat(logger.stats().requests()).isEqualTo(1);
      assertThat(logger.stats().rejected()).isEqualTo(5);
      assertThat(logger.stats().queued()).isEqualTo(taken);
      assertThat(logger.stats().pointsSent()).isZero();

      boolean drained = logger.close(Duration.ofSeconds(1));
      assertThat(drained).isFalse();
      // close cut the request that would have waited 30 s for its answer: the sender has ended.
      assertThat(logger.senderAlive()).isFalse();
      assertThat(logger.logMetric(200, "loss", 1)).isFalse();
      assertThat(logger.stats().dropped()).isEqualTo(taken);
      assertThat(logger.stats().queued()).isZero();
      for (Socket s : accepted) {
        s.close();
      }
    }
  }
}
