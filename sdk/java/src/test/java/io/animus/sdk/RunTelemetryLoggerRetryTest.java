package io.animus.sdk;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The sender's answers to failures, against a gateway that fails on purpose. */
class RunTelemetryLoggerRetryTest {
  private static final String CREATED = "{\"inserted\":1,\"received\":1,\"duplicates\":0}";

  private static RunTelemetryLogger.Builder logger(ScriptedGateway gw) {
    return RunTelemetryLogger.builder().gatewayUrl(gw.url()).runId("r1").flushInterval(Duration.ofMillis(10))
        .retryBase(Duration.ofMillis(100)).retryMax(Duration.ofMillis(400)).maxRetries(10);
  }

  /** The waits the sender asked for between attempts, recorded instead of slept. */
  private static final class Waits implements RetryingPoster.Sleeper {
    private final List<Long> nanos = java.util.Collections.synchronizedList(new ArrayList<>());

    @Override
    public void sleep(long n, java.util.function.BooleanSupplier aborted) {
      nanos.add(n);
    }

    List<Long> millis() {
      synchronized (nanos) {
        return nanos.stream().map(n -> n / 1_000_000).toList();
      }
    }
  }

  private static JsonNode json(String body) throws Exception {
    return Json.MAPPER.readTree(body);
  }

  private static List<Long> steps(ScriptedGateway.Request r) throws Exception {
    List<Long> steps = new ArrayList<>();
    for (JsonNode p : json(r.body()).path("points")) {
      steps.add(p.path("step").asLong());
    }
    return steps;
  }

  @Test
  @Timeout(60)
  void status0And5xxAreRetriedWithGrowingBackoffAndTheSameBody() throws Exception {
    // Answers: no answer (connection closed), 503, 500, 502, then 201.
    try (ScriptedGateway gw = new ScriptedGateway((r, n) -> n == 0 ? null
        : n < 4 ? ScriptedGateway.Answer.json(500 + (n == 1 ? 3 : n == 2 ? 0 : 2), "{\"error\":\"internal\"}")
        : ScriptedGateway.Answer.json(201, CREATED))) {
      Waits waits = new Waits();
      RunTelemetryLogger logger = logger(gw).sleeper(waits).build();
      assertThat(logger.logMetric(7, "loss", 0.25)).isTrue();
      assertThat(logger.flush(Duration.ofSeconds(30))).isTrue();
      List<ScriptedGateway.Request> reqs = gw.requests();
      assertThat(reqs).hasSize(5);
      for (ScriptedGateway.Request r : reqs) {
        assertThat(r.path()).isEqualTo("/api/experiments/experiment-runs/r1/metrics:batch");
        assertThat(r.body()).isEqualTo(reqs.get(0).body());
      }
      assertThat(json(reqs.get(0).body()).path("points").get(0).path("value").asDouble()).isEqualTo(0.25);
      // Wait before retry k is min(400 ms, 100 ms * 2^k) times a jitter in [0.5, 1).
      long[] capMillis = {100, 200, 400, 400};
      assertThat(waits.millis()).hasSize(4);
      for (int k = 0; k < 4; k++) {
        assertThat(waits.millis().get(k)).as("wait before retry %d", k + 1)
            .isBetween(capMillis[k] / 2, capMillis[k] - 1);
      }
      RunTelemetryLogger.Stats stats = logger.stats();
      assertThat(stats.retries()).isEqualTo(4);
      assertThat(stats.pointsSent()).isEqualTo(1);
      assertThat(stats.dropped()).isZero();
      assertThat(logger.lastError().status()).isEqualTo(502);
      logger.close();
    }
  }

  @Test
  @Timeout(60)
  void retryAfterIsHonoured() throws Exception {
    try (ScriptedGateway gw = new ScriptedGateway((r, n) -> n == 0
        ? new ScriptedGateway.Answer(429, "2", "{\"error\":\"rate_limited\"}")
        : ScriptedGateway.Answer.json(201, CREATED))) {
      Waits waits = new Waits();
      RunTelemetryLogger logger = logger(gw).sleeper(waits).build();
      assertThat(logger.logMetric(0, "loss", 1)).isTrue();
      assertThat(logger.flush(Duration.ofSeconds(30))).isTrue();
      List<ScriptedGateway.Request> reqs = gw.requests();
      assertThat(reqs).hasSize(2);
      // The backoff alone would wait at most 100 ms; the server asked for 2 s.
      assertThat(waits.millis()).containsExactly(2000L);
      assertThat(logger.lastError().code()).isEqualTo("rate_limited");
      assertThat(logger.stats().pointsSent()).isEqualTo(1);
      logger.close();
    }
  }

  @Test
  @Timeout(60)
  void retriesRunOutIntoDropsAndOther4xxAreNotRetried() throws Exception {
    AtomicInteger batches = new AtomicInteger();
    try (ScriptedGateway gw = new ScriptedGateway((r, n) -> r.path().endsWith("/metrics:batch")
        && batches.incrementAndGet() <= 3
        ? ScriptedGateway.Answer.json(503, "{\"error\":\"unavailable\"}")
        : ScriptedGateway.Answer.json(403, "{\"error\":\"forbidden\",\"message\":\"no\"}"))) {
      RunTelemetryLogger logger = logger(gw).maxRetries(2).build();
      assertThat(logger.logMetric(0, "loss", 1)).isTrue();
      assertThat(logger.flush(Duration.ofSeconds(30))).isTrue();
      assertThat(gw.requests()).hasSize(3);
      assertThat(logger.stats().dropped()).isEqualTo(1);
      assertThat(logger.lastError().status()).isEqualTo(503);

      assertThat(logger.logEvent("info", "hello")).isTrue();
      assertThat(logger.flush(Duration.ofSeconds(30))).isTrue();
      assertThat(gw.requests()).hasSize(4);
      assertThat(logger.lastError().code()).isEqualTo("forbidden");
      assertThat(logger.stats().dropped()).isEqualTo(2);
      assertThat(logger.stats().retries()).isEqualTo(2);
      logger.close();
    }
  }

  @Test
  @Timeout(60)
  void a400NamingOneItemDropsOnlyThatItem() throws Exception {
    // The first request holding step 1 is refused with details.index naming that point.
    AtomicInteger refusals = new AtomicInteger();
    try (ScriptedGateway gw = new ScriptedGateway((r, n) -> {
      List<Long> steps = stepsOf(r);
      if (steps.contains(1L) && refusals.getAndIncrement() == 0) {
        return ScriptedGateway.Answer.json(400, "{\"error\":\"invalid_metric_value\",\"message\":\"bad\","
            + "\"details\":{\"index\":" + steps.indexOf(1L) + "}}");
      }
      return ScriptedGateway.Answer.json(201, CREATED);
    })) {
      RunTelemetryLogger logger = logger(gw).flushInterval(Duration.ofSeconds(2)).build();
      assertThat(logger.logMetric(0, "a", 1)).isTrue();
      assertThat(logger.logMetric(1, "a", 2)).isTrue();
      assertThat(logger.logMetric(2, "a", 3)).isTrue();
      assertThat(logger.flush(Duration.ofSeconds(30))).isTrue();
      List<ScriptedGateway.Request> reqs = gw.requests();
      int refused = -1;
      List<Long> delivered = new ArrayList<>();
      for (int i = 0; i < reqs.size(); i++) {
        List<Long> steps = steps(reqs.get(i));
        if (refused < 0 && steps.contains(1L)) {
          refused = i;
        } else {
          delivered.addAll(steps);
        }
      }
      assertThat(refused).isNotNegative();
      // The rest of the refused batch was resent at once, without the bad point; nothing else was lost.
      assertThat(delivered).containsExactlyInAnyOrder(0L, 2L);
      assertThat(logger.stats().pointsSent()).isEqualTo(2);
      assertThat(logger.stats().dropped()).isEqualTo(1);
      assertThat(logger.stats().retries()).isZero();
      assertThat(logger.lastError().code()).isEqualTo("invalid_metric_value");
      logger.close();
    }
  }

  private static List<Long> stepsOf(ScriptedGateway.Request r) {
    try {
      return steps(r);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  @Test
  @Timeout(60)
  void withoutBatchRoutesTheSingleStepEndpointsAreUsed() throws Exception {
    String notFound = "{\"error\":\"route_not_found\",\"message\":\"no route\"}";
    try (ScriptedGateway gw = new ScriptedGateway((r, n) -> r.path().endsWith(":batch")
        ? ScriptedGateway.Answer.json(404, notFound) : ScriptedGateway.Answer.json(201, "{}"))) {
      RunTelemetryLogger logger = logger(gw).build();
      assertThat(logger.logMetric(3, "loss", 0.5)).isTrue();
      assertThat(logger.logMetric(3, "acc", 0.9)).isTrue();
      assertThat(logger.logEvent("warning", "careful")).isTrue();
      assertThat(logger.flush(Duration.ofSeconds(30))).isTrue();
      List<String> paths = gw.requests().stream().map(ScriptedGateway.Request::path).toList();
      assertThat(paths).contains("/api/experiments/experiment-runs/r1/metrics",
          "/api/experiments/experiment-runs/r1/events");
      ScriptedGateway.Request event = gw.requests().stream().filter(r -> r.path().endsWith("/events")).findFirst()
          .orElseThrow();
      assertThat(json(event.body()).path("level").asText()).isEqualTo("warn");
      long singleMetricPoints = 0;
      for (ScriptedGateway.Request r : gw.requests()) {
        if (r.path().endsWith("/metrics")) {
          assertThat(json(r.body()).path("step").asLong()).isEqualTo(3);
          singleMetricPoints += json(r.body()).path("metrics").size();
        }
      }
      assertThat(singleMetricPoints).isEqualTo(2);
      assertThat(logger.stats().pointsSent()).isEqualTo(2);
      assertThat(logger.stats().eventsSent()).isEqualTo(1);
      assertThat(logger.stats().dropped()).isZero();
      logger.close();
    }
  }

  @Test
  @Timeout(60)
  void aRetriedEventBatchKeepsItsClientEventIds() throws Exception {
    try (ScriptedGateway gw = new ScriptedGateway((r, n) -> n == 0
        ? ScriptedGateway.Answer.json(500, "{\"error\":\"internal\"}")
        : ScriptedGateway.Answer.json(201, "{\"received\":2,\"inserted\":2,\"duplicates\":0}"))) {
      RunTelemetryLogger logger = logger(gw).build();
      assertThat(logger.logEvent("info", "one")).isTrue();
      assertThat(logger.logStatus("training")).isTrue();
      assertThat(logger.flush(Duration.ofSeconds(30))).isTrue();
      List<String> ids = new ArrayList<>();
      for (ScriptedGateway.Request r : gw.requests()) {
        for (JsonNode e : json(r.body()).path("events")) {
          ids.add(e.path("client_event_id").asText());
        }
      }
      // Every sent event carries an id; the retry resent the same ids.
      assertThat(ids).doesNotContain("");
      assertThat(new java.util.HashSet<>(ids)).hasSize(2);
      assertThat(ids.size()).isGreaterThan(2);
      assertThat(logger.stats().eventsSent()).isEqualTo(2);
      logger.close();
    }
  }

  @Test
  @Timeout(60)
  void theBatchBodyCarriesEveryPointExactly() throws Exception {
    try (ScriptedGateway gw = new ScriptedGateway((r, n) -> ScriptedGateway.Answer.json(201, CREATED))) {
      // One request at a time, so that the points arrive in call order across names too.
      long clock = 1_767_225_599_987L; // 2025-12-31T23:59:59.987Z
      RunTelemetryLogger logger = logger(gw).parallelRequests(1).clock(() -> clock).build();
      String[] names = {"plain", "q\"uote\\back", "caf\u00e9/\u03bb", "tab\there", "x".repeat(255)};
      double[] values = {0.1, -0.0, 123.0, 1e-7, -2.5e300, Double.MIN_VALUE, Double.NaN,
          Double.NEGATIVE_INFINITY, 9.007199254740993E15, Long.MAX_VALUE};
      long[] steps = {0, 1, 9, 10, 99, 12_345, 1L << 40, Long.MAX_VALUE};
      int logged = 0;
      for (long step : steps) {
        for (String name : names) {
          for (double v : values) {
            assertThat(logger.logMetric(step, name, v)).isTrue();
            logged++;
          }
        }
      }
      assertThat(logger.flush(Duration.ofSeconds(30))).isTrue();
      List<JsonNode> points = new ArrayList<>();
      for (ScriptedGateway.Request r : gw.requests()) {
        JsonNode body = json(r.body());
        assertThat(body.size()).isEqualTo(1);
        body.path("points").forEach(points::add);
      }
      assertThat(points).hasSize(logged);
      int i = 0;
      for (long step : steps) {
        for (String name : names) {
          for (double v : values) {
            JsonNode p = points.get(i++);
            assertThat(p.path("name").asText()).isEqualTo(name);
            assertThat(p.path("step").isIntegralNumber()).isTrue();
            assertThat(p.path("step").asLong()).isEqualTo(step);
            assertThat(p.path("value").isNumber()).isTrue();
            assertThat(Double.doubleToLongBits(p.path("value").asDouble())).as(name + " " + v)
                .isEqualTo(Double.doubleToLongBits(v));
            assertThat(p.path("timestamp").asText()).isEqualTo("2025-12-31T23:59:59.987Z");
            assertThat(java.time.Instant.parse(p.path("timestamp").asText()).toEpochMilli()).isEqualTo(clock);
          }
        }
      }
      logger.close();
    }
  }

  @Test
  @Timeout(120)
  void twoRequestsFlyAtOnceAndEachNameStaysInOrder() throws Exception {
    java.util.Map<String, Integer> inFlight = new java.util.concurrent.ConcurrentHashMap<>();
    AtomicInteger concurrent = new AtomicInteger();
    AtomicInteger maxConcurrent = new AtomicInteger();
    AtomicInteger sharedName = new AtomicInteger();
    try (ScriptedGateway gw = new ScriptedGateway((r, n) -> {
      java.util.Set<String> names = new java.util.HashSet<>();
      try {
        json(r.body()).path("points").forEach(p -> names.add(p.path("name").asText()));
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
      maxConcurrent.accumulateAndGet(concurrent.incrementAndGet(), Math::max);
      for (String name : names) {
        if (inFlight.merge(name, 1, Integer::sum) > 1) {
          sharedName.incrementAndGet();
        }
      }
      try {
        Thread.sleep(100);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      names.forEach(name -> inFlight.merge(name, -1, Integer::sum));
      concurrent.decrementAndGet();
      return ScriptedGateway.Answer.json(201, CREATED);
    })) {
      RunTelemetryLogger logger = logger(gw).batchMaxPoints(1000).parallelRequests(2).build();
      int names = 10;
      int steps = 2000;
      for (int step = 0; step < steps; step++) {
        for (int k = 0; k < names; k++) {
          while (!logger.logMetric(step, "m" + k, step)) {
            Thread.sleep(1);
          }
        }
      }
      assertThat(logger.flush(Duration.ofSeconds(100))).isTrue();
      assertThat(logger.stats().pointsSent()).isEqualTo((long) names * steps);
      assertThat(sharedName.get()).as("requests in flight together sharing a name").isZero();
      assertThat(maxConcurrent.get()).isEqualTo(2);
      java.util.Map<String, Long> last = new java.util.HashMap<>();
      long seen = 0;
      for (ScriptedGateway.Request r : gw.requests()) {
        for (JsonNode p : json(r.body()).path("points")) {
          long previous = last.getOrDefault(p.path("name").asText(), -1L);
          assertThat(p.path("step").asLong()).as(p.path("name").asText()).isEqualTo(previous + 1);
          last.put(p.path("name").asText(), p.path("step").asLong());
          seen++;
        }
      }
      assertThat(seen).isEqualTo((long) names * steps);
      logger.close();
    }
  }

  @Test
  @Timeout(60)
  void closeCutsEveryRequestInFlightWithinItsTimeout() throws Exception {
    java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
    try (ScriptedGateway gw = new ScriptedGateway((r, n) -> {
      try {
        release.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      return null;
    })) {
      RunTelemetryLogger logger = logger(gw).timeout(Duration.ofSeconds(30)).parallelRequests(2)
          .flushInterval(Duration.ofSeconds(10)).build();
      // Two names, so two lanes, taken in one round (the sender sleeps until flush): both requests hang.
      for (int step = 0; step < 100; step++) {
        assertThat(logger.logMetric(step, "a", step)).isTrue();
        assertThat(logger.logMetric(step, "b", step)).isTrue();
      }
      long until = System.nanoTime() + 20_000_000_000L;
      while (gw.requests().size() < 2 && System.nanoTime() < until) {
        logger.flush(Duration.ofMillis(10));
      }
      assertThat(gw.requests()).hasSize(2);
      assertThat(logger.close(Duration.ofMillis(500))).isFalse();
      // close cut both hanging requests (their timeout is 30 s): the sender has ended.
      assertThat(logger.senderAlive()).isFalse();
      RunTelemetryLogger.Stats stats = logger.stats();
      assertThat(stats.dropped()).isEqualTo(200);
      assertThat(stats.pointsSent()).isZero();
      assertThat(stats.queued()).isZero();
      release.countDown();
    }
  }

  @Test
  @Timeout(60)
  void automaticHeartbeatsGoOutWhileDataKeepsComing() throws Exception {
    try (ScriptedGateway gw = new ScriptedGateway((r, n) -> {
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      return ScriptedGateway.Answer.json(r.path().endsWith("/heartbeat") ? 200 : 201, CREATED);
    })) {
      RunTelemetryLogger logger = logger(gw).heartbeatInterval(Duration.ofMillis(100)).batchMaxPoints(100).build();
      // Data keeps coming until two heartbeats went out between metric batches (the test's timeout fails it if
      // they never do).
      long step = 0;
      List<ScriptedGateway.Request> reqs = List.of();
      while (heartbeatsBetweenBatches(reqs) < 2) {
        logger.logMetric(step++, "loss", 1);
        if ((step & 63) == 0) {
          Thread.sleep(1);
          reqs = gw.requests();
        }
      }
      long queuedAtEnd = logger.stats().queued();
      List<String> kinds = kinds(reqs);
      int firstBatch = kinds.indexOf("batch");
      long between = heartbeatsBetweenBatches(reqs);
      // The queue never ran dry, yet heartbeats went out between the metric batches.
      assertThat(queuedAtEnd).isPositive();
      assertThat(firstBatch).isNotNegative();
      assertThat(between).isGreaterThanOrEqualTo(2);
      assertThat(reqs.stream().filter(r -> r.path().endsWith("/heartbeat")).map(ScriptedGateway.Request::body))
          .containsOnly("{}");
      logger.close(Duration.ofSeconds(1));
    }
  }

  private static List<String> kinds(List<ScriptedGateway.Request> reqs) {
    return reqs.stream().map(r -> r.path().endsWith("/heartbeat") ? "hb" : "batch").toList();
  }

  private static long heartbeatsBetweenBatches(List<ScriptedGateway.Request> reqs) {
    List<String> kinds = kinds(reqs);
    int firstBatch = kinds.indexOf("batch");
    int lastBatch = kinds.lastIndexOf("batch");
    return kinds.subList(Math.max(0, firstBatch), Math.max(0, lastBatch)).stream().filter("hb"::equals).count();
  }
}
