package io.animus.datapilot.telemetry;

import static io.animus.datapilot.telemetry.RunFixtures.RUNS;
import static io.animus.datapilot.telemetry.RunFixtures.newRun;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.animus.datapilot.testing.TestClient;
import io.animus.datapilot.testing.ServerExtension;
import io.animus.datapilot.testing.TestServer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.LongToDoubleFunction;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.Timeout;

/**
 * Downsampled reads over HTTP, checked against values the test generates itself, and the bucket
 * assembly on its own (the {@code assembler…} tests), fed single samples and pre-aggregated blocks.
 */
@Timeout(300)
class SeriesDownsamplingTest {
  static final int MILLION = 1_000_000;
  static TestServer server;
  static TestClient client;

  @RegisterExtension
  static final ServerExtension SERVER = ServerExtension.started(s -> {
    server = s;
    client = s.client();
  });

  /** sin(step), a spike and a few NaN: deterministic, so every bucket's true range is known. */
  static double wave(long step) {
    if (step % 199_999 == 11) {
      return Double.NaN;
    }
    if (step == 123_456) {
      return 5.0;
    }
    return Math.sin(step);
  }

  static String batch(String name, LongStream steps, LongToDoubleFunction value) {
    StringBuilder b = new StringBuilder(400_000).append("{\"points\":[");
    boolean[] first = {true};
    steps.forEach(step -> {
      if (!first[0]) {
        b.append(',');
      }
      first[0] = false;
      b.append("{\"name\":\"").append(name).append("\",\"step\":").append(step).append(",\"value\":")
          .append(Double.toString(value.applyAsDouble(step))).append('}');
    });
    return b.append("]}").toString();
  }

  /** Posts batches on two threads (the batches are independent), asserting each inserted all points. */
  static void postAll(String runId, List<String> bodies) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try {
      List<Future<TestClient.Response>> answers = new ArrayList<>();
      for (String body : bodies) {
        answers.add(pool.submit(() -> client.post(RUNS + runId + "/metrics:batch", body)));
      }
      for (Future<TestClient.Response> answer : answers) {
        TestClient.Response r = answer.get(120, TimeUnit.SECONDS);
        assertThat(r.status()).as(r.text()).isEqualTo(201);
        assertThat(r.json().get("duplicates").asInt()).isZero();
      }
    } finally {
      pool.shutdownNow();
    }
  }

  static JsonNode series(String runId, String name, String extra) {
    var r = client.get(RUNS + runId + "/metrics/series?name=" + name + extra);
    assertThat(r.status()).as(r.text()).isEqualTo(200);
    return r.json();
  }

  /**
   * Checks every bucket against the generated values: contiguous step ranges covering
   * [0, total), count, NaN count, NaN-ignoring min and max, and the last value.
   */
  static void assertBucketsMatch(JsonNode buckets, long total, LongToDoubleFunction value) {
    long expectedStart = 0;
    for (int i = 0; i < buckets.size(); i++) {
      JsonNode b = buckets.get(i);
      long from = b.get("step_min").asLong();
      long to = b.get("step_max").asLong();
      assertThat(from).as("bucket %d starts where the previous one ended", i).isEqualTo(expectedStart);
      assertThat(to).as("bucket %d", i).isGreaterThanOrEqualTo(from);
      double min = Double.POSITIVE_INFINITY;
      double max = Double.NEGATIVE_INFINITY;
      long nans = 0;
      for (long step = from; step <= to; step++) {
        double v = value.applyAsDouble(step);
        if (Double.isNaN(v)) {
          nans++;
        } else {
          min = Math.min(min, v);
          max = Math.max(max, v);
        }
      }
      assertThat(b.get("count").asLong()).as("count of bucket %d", i).isEqualTo(to - from + 1);
      assertThat(b.get("nan_count").asLong()).as("nan_count of bucket %d", i).isEqualTo(nans);
      if (nans == to - from + 1) {
        assertThat(b.has("min")).isFalse();
        assertThat(b.has("max")).isFalse();
      } else {
        assertThat(b.get("min").asDouble()).as("min of bucket %d [%d, %d]", i, from, to).isEqualTo(min);
        assertThat(b.get("max").asDouble()).as("max of bucket %d [%d, %d]", i, from, to).isEqualTo(max);
      }
      double last = value.applyAsDouble(to);
      if (Double.isNaN(last)) {
        assertThat(b.get("last").asText()).isEqualTo("NaN");
      } else {
        assertThat(b.get("last").asDouble()).as("last of bucket %d", i).isEqualTo(last);
      }
      expectedStart = to + 1;
    }
    assertThat(expectedStart).as("the buckets cover every step").isEqualTo(total);
  }

  static void assertNearEqualCounts(JsonNode buckets, long total) {
    double mean = (double) total / buckets.size();
    for (JsonNode b : buckets) {
      assertThat((double) b.get("count").asLong()).as("bucket count near the mean %.1f", mean)
          .isBetween(mean * 0.9, mean * 1.1);
    }
  }

  @Test
  void millionPointSeriesIsDownsampledToAtMostMaxPointsExactBuckets() throws Exception {
    String runId = newRun(client);
    List<String> bodies = new ArrayList<>();
    for (int b = 0; b < 100; b++) {
      bodies.add(batch("loss", LongStream.range(b * 10_000L, (b + 1) * 10_000L), SeriesDownsamplingTest::wave));
    }
    postAll(runId, bodies);

    JsonNode series = series(runId, "loss", "&max_points=1000");

    assertThat(series.get("run_id").asText()).isEqualTo(runId);
    assertThat(series.get("name").asText()).isEqualTo("loss");
    assertThat(series.get("total_points").asLong()).isEqualTo(MILLION);
    assertThat(series.get("downsampled").asBoolean()).isTrue();
    JsonNode buckets = series.get("buckets");
    assertThat(buckets.size()).isBetween(500, 1000);
    assertNearEqualCounts(buckets, MILLION);
    assertBucketsMatch(buckets, MILLION, SeriesDownsamplingTest::wave);
    long nanTotal = 0;
    double highest = Double.NEGATIVE_INFINITY;
    for (JsonNode b : buckets) {
      nanTotal += b.get("nan_count").asLong();
      highest = Math.max(highest, b.get("max").asDouble());
    }
    assertThat(nanTotal).isEqualTo(LongStream.range(0, MILLION).filter(s -> s % 199_999 == 11).count());
    assertThat(highest).isEqualTo(5.0);

    JsonNode byDefault = series(runId, "loss", "");
    assertThat(byDefault.get("buckets").size()).isBetween(500, 1000);
    assertThat(byDefault.get("total_points").asLong()).isEqualTo(MILLION);
  }

  @Test
  void blockSummariesStayExactWhenWritesArriveOutOfOrder() throws Exception {
    String runId = newRun(client);
    int total = 100_000;
    LongToDoubleFunction value = step -> step % 1_000 == 999 ? Double.NaN : Math.cos(step * 0.01) * (step % 13);
    List<String> bodies = new ArrayList<>();
    // even steps first, newest batch first, then the odd steps: every block is written twice
    for (int parity = 0; parity < 2; parity++) {
      for (int b = 4; b >= 0; b--) {
        int p = parity;
        bodies.add(batch("acc", LongStream.range(b * 20_000L, (b + 1) * 20_000L).filter(s -> s % 2 == p),
            value));
      }
    }
    for (String body : bodies) {
      var r = client.post(RUNS + runId + "/metrics:batch", body);
      assertThat(r.status()).as(r.text()).isEqualTo(201);
    }

    JsonNode series = series(runId, "acc", "&max_points=100");

    assertThat(series.get("total_points").asLong()).isEqualTo(total);
    assertThat(series.get("downsampled").asBoolean()).isTrue();
    assertThat(series.get("buckets").size()).isBetween(50, 100);
    assertNearEqualCounts(series.get("buckets"), total);
    assertBucketsMatch(series.get("buckets"), total, value);
  }

  @Test
  void divergedSeriesWithALongNanTailIsDownsampledExactly() throws Exception {
    String runId = newRun(client);
    int total = 70_000;
    LongToDoubleFunction value = step -> step >= 30_000 ? Double.NaN : 1.0 / (step + 1);
    List<String> bodies = new ArrayList<>();
    for (int b = 0; b < 7; b++) {
      bodies.add(batch("loss", LongStream.range(b * 10_000L, (b + 1) * 10_000L), value));
    }
    postAll(runId, bodies);

    for (String maxPoints : List.of("100", "10000")) {
      JsonNode series = series(runId, "loss", "&max_points=" + maxPoints);
      assertThat(series.get("total_points").asLong()).isEqualTo(total);
      assertThat(series.get("downsampled").asBoolean()).isTrue();
      JsonNode buckets = series.get("buckets");
      assertThat(buckets.size()).isLessThanOrEqualTo(Integer.parseInt(maxPoints));
      assertNearEqualCounts(buckets, total);
      assertBucketsMatch(buckets, total, value);
      JsonNode tail = buckets.get(buckets.size() - 1);
      assertThat(tail.get("nan_count").asLong()).isEqualTo(tail.get("count").asLong());
      assertThat(tail.get("last").asText()).isEqualTo("NaN");
    }
  }

  @Test
  void mediumSeriesIsSplitIntoExactlyMaxPointsEqualBuckets() throws Exception {
    String runId = newRun(client);
    LongToDoubleFunction value = step -> (step * 37 % 101) - 50.0;
    postAll(runId, List.of(batch("lr", LongStream.range(0, 5_000), value)));

    JsonNode series = series(runId, "lr", "&max_points=1000");

    assertThat(series.get("downsampled").asBoolean()).isTrue();
    JsonNode buckets = series.get("buckets");
    assertThat(buckets).hasSize(1000);
    buckets.forEach(b -> assertThat(b.get("count").asLong()).isEqualTo(5));
    assertBucketsMatch(buckets, 5_000, value);
  }

  @Test
  void smallSeriesAnswersOneExactBucketPerSample() {
    String runId = newRun(client);
    StringBuilder points = new StringBuilder("{\"points\":[");
    for (int i = 0; i < 50; i++) {
      String v = i == 20 ? "NaN" : Double.toString(i * 1.5 - 10);
      points.append(i > 0 ? "," : "").append("{\"name\":\"loss\",\"step\":").append(i * 2)
          .append(",\"value\":").append(v).append('}');
    }
    var posted = client.post(RUNS + runId + "/metrics:batch", points.append("]}").toString());
    assertThat(posted.status()).as(posted.text()).isEqualTo(201);

    JsonNode series = series(runId, "loss", "");

    assertThat(series.get("total_points").asLong()).isEqualTo(50);
    assertThat(series.get("downsampled").asBoolean()).isFalse();
    JsonNode buckets = series.get("buckets");
    assertThat(buckets).hasSize(50);
    for (int i = 0; i < 50; i++) {
      JsonNode b = buckets.get(i);
      assertThat(b.get("step_min").asLong()).isEqualTo(i * 2L);
      assertThat(b.get("step_max").asLong()).isEqualTo(i * 2L);
      assertThat(b.get("count").asLong()).isEqualTo(1);
      if (i == 20) {
        assertThat(b.has("min")).isFalse();
        assertThat(b.has("max")).isFalse();
        assertThat(b.get("last").asText()).isEqualTo("NaN");
        assertThat(b.get("nan_count").asLong()).isEqualTo(1);
      } else {
        double v = i * 1.5 - 10;
        assertThat(b.get("min").asDouble()).isEqualTo(v);
        assertThat(b.get("max").asDouble()).isEqualTo(v);
        assertThat(b.get("last").asDouble()).isEqualTo(v);
        assertThat(b.get("nan_count").asLong()).isZero();
      }
    }
    assertThat(series(runId, "loss", "&max_points=50").get("buckets")).hasSize(50);
    assertThat(series(runId, "loss", "&max_points=50").get("downsampled").asBoolean()).isFalse();
  }

  @Test
  void maxPointsIsClampedToAtLeastTwoAndBucketsDifferByAtMostOneSample() {
    String runId = newRun(client);
    var posted = client.post(RUNS + runId + "/metrics:batch",
        batch("loss", LongStream.range(0, 100), step -> step));
    assertThat(posted.status()).isEqualTo(201);

    JsonNode two = series(runId, "loss", "&max_points=1").get("buckets");
    assertThat(two).hasSize(2);
    assertThat(two.get(0).get("count").asLong()).isEqualTo(50);
    assertThat(two.get(0).get("max").asDouble()).isEqualTo(49.0);
    assertThat(two.get(1).get("min").asDouble()).isEqualTo(50.0);
    assertThat(two.get(1).get("last").asDouble()).isEqualTo(99.0);

    JsonNode seven = series(runId, "loss", "&max_points=7").get("buckets");
    assertThat(seven).hasSize(7);
    seven.forEach(b -> assertThat(b.get("count").asLong()).isBetween(14L, 15L));
    assertBucketsMatch(seven, 100, step -> step);

    assertThat(series(runId, "loss", "&max_points=abc").get("buckets")).hasSize(100);
  }

  @Test
  void seriesOfAnUnknownMetricIsEmpty() {
    String runId = newRun(client);
    JsonNode series = series(runId, "nothing", "");
    assertThat(series.get("total_points").asLong()).isZero();
    assertThat(series.get("downsampled").asBoolean()).isFalse();
    assertThat(series.get("buckets")).isEmpty();
  }

  static List<Bucket> assemble(long total, int maxPoints, List<Bucket> parts) {
    Downsampler.Assembler assembler = new Downsampler.Assembler(total, maxPoints);
    parts.forEach(assembler::add);
    return assembler.finish();
  }

  static List<Bucket> samples(double... values) {
    List<Bucket> out = new ArrayList<>();
    for (int i = 0; i < values.length; i++) {
      out.add(Bucket.of(i, values[i]));
    }
    return out;
  }

  @Test
  void assemblerGivesEachSampleItsOwnBucketWhenThereAreAtMostMaxPoints() {
    List<Bucket> buckets = assemble(3, 10, samples(1.0, Double.NaN, -2.0));
    assertThat(buckets).containsExactly(
        new Bucket(0, 0, 1.0, 1.0, 1.0, 1, 0),
        new Bucket(1, 1, null, null, Double.NaN, 1, 1),
        new Bucket(2, 2, -2.0, -2.0, -2.0, 1, 0));
  }

  @Test
  void assemblerSplitsSamplesIntoNearEqualConsecutiveBuckets() {
    List<Bucket> buckets = assemble(10, 4, samples(5, 1, 7, 2, 9, 3, 8, 0, 6, 4));
    assertThat(buckets).hasSize(4);
    assertThat(buckets.stream().mapToLong(Bucket::count).sum()).isEqualTo(10);
    buckets.forEach(b -> assertThat(b.count()).isBetween(2L, 3L));
    for (int i = 1; i < buckets.size(); i++) {
      assertThat(buckets.get(i).stepMin()).isEqualTo(buckets.get(i - 1).stepMax() + 1);
    }
    assertThat(buckets.get(0).stepMin()).isZero();
    assertThat(buckets.get(3).stepMax()).isEqualTo(9);
  }

  @Test
  void assemblerBucketsCarryMinMaxLastAndNanCountOfTheirSamples() {
    List<Bucket> buckets = assemble(6, 2, samples(3.0, Double.NaN, -1.0, Double.NaN, Double.NaN, 2.5));
    assertThat(buckets).containsExactly(
        new Bucket(0, 2, -1.0, 3.0, -1.0, 3, 1),
        new Bucket(3, 5, 2.5, 2.5, 2.5, 3, 2));
  }

  @Test
  void assemblerBucketOfOnlyNanHasNoMinOrMax() {
    List<Bucket> buckets = assemble(4, 2, samples(Double.NaN, Double.NaN, 1.0, 2.0));
    assertThat(buckets.get(0)).isEqualTo(new Bucket(0, 1, null, null, Double.NaN, 2, 2));
    assertThat(buckets.get(1)).isEqualTo(new Bucket(2, 3, 1.0, 2.0, 2.0, 2, 0));
  }

  @Test
  void assemblerSplitsManySamplesIntoExactlyMaxPointsBuckets() {
    double[] values = new double[1_003];
    for (int i = 0; i < values.length; i++) {
      values[i] = i;
    }
    List<Bucket> buckets = assemble(values.length, 10, samples(values));
    assertThat(buckets).hasSize(10);
    buckets.forEach(b -> assertThat(b.count()).isBetween(100L, 101L));
    assertThat(buckets.get(9).last()).isEqualTo(1_002.0);
    assertThat(buckets.get(9).max()).isEqualTo(1_002.0);
  }

  @Test
  void assemblerMergesBlocksIntoBucketsWithinOneBlockOfEqual() {
    List<Bucket> blocks = new ArrayList<>();
    long total = 0;
    for (int block = 0; block < 1_000; block++) {
      long count = 40 + (block * 7L) % 25;
      blocks.add(new Bucket(block * 64L, block * 64L + 63, (double) block, block + 0.5, block, count, 0));
      total += count;
    }
    List<Bucket> buckets = assemble(total, 100, blocks);
    assertThat(buckets.size()).isBetween(90, 100);
    double mean = (double) total / buckets.size();
    buckets.forEach(b -> assertThat((double) b.count()).isBetween(mean - 64, mean + 64));
    assertThat(buckets.stream().mapToLong(Bucket::count).sum()).isEqualTo(total);
    Bucket last = buckets.get(buckets.size() - 1);
    assertThat(last.stepMax()).isEqualTo(64L * 1_000 - 1);
    assertThat(last.max()).isEqualTo(999.5);
    assertThat(last.last()).isEqualTo(999.0);
    assertThat(buckets.get(0).min()).isEqualTo(0.0);
    assertThat(buckets.get(0).stepMin()).isZero();
  }

  @Test
  void assemblerGivesAtMostMaxPointsBucketsEvenWithMoreSamplesThanAnnounced() {
    List<Bucket> buckets = assemble(4, 2, samples(1, 2, 3, 4, 5, 6));
    assertThat(buckets).hasSizeLessThanOrEqualTo(2);
    assertThat(buckets.stream().mapToLong(Bucket::count).sum()).isEqualTo(6);
  }

  @Test
  void assemblerGivesNoBucketsForNoSamples() {
    assertThat(assemble(0, 1000, List.of())).isEmpty();
  }

  @Test
  void blocksAreUsedOnlyWhenSmallNextToABucket() {
    assertThat(Downsampler.blocksAreFineEnough(1_000_000, 1000, 64)).isTrue();
    assertThat(Downsampler.blocksAreFineEnough(5_000, 1000, 64)).isFalse();
  }
}
