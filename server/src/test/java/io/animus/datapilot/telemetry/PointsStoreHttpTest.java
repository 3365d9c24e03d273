package io.animus.datapilot.telemetry;

import static io.animus.datapilot.telemetry.RunFixtures.RUNS;
import static io.animus.datapilot.telemetry.RunFixtures.newRun;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.animus.datapilot.testing.ServerExtension;
import io.animus.datapilot.testing.TestClient;
import io.animus.datapilot.testing.TestServer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The points store's segments (docs/adr/0034) against what the protocol promises: first write wins
 * across overlapping, out-of-order and concurrent segments, and every float64 comes back bit for bit.
 */
@Timeout(300)
class PointsStoreHttpTest {
  static TestServer server;
  static TestClient client;

  @RegisterExtension
  static final ServerExtension SERVER = ServerExtension.started(s -> {
    server = s;
    client = s.client();
  });

  /** Values whose text round trip is delicate: signed zero, subnormals, extremes, non-finite. */
  static final double[] AWKWARD = {-0.0, 0.0, Double.MIN_VALUE, -Double.MIN_VALUE, 1e-310, Double.MAX_VALUE,
      -Double.MAX_VALUE, 0.1 + 0.2, 1.0 / 3, Math.PI, -1e300, 123456789.123456789, Double.NaN,
      Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, Math.nextUp(1.0), Math.nextDown(1.0)};

  static String literal(double v) {
    if (Double.isNaN(v)) {
      return "NaN";
    }
    if (Double.isInfinite(v)) {
      return v > 0 ? "Infinity" : "-Infinity";
    }
    return Double.toString(v);
  }

  static String batch(String name, long[] steps, double[] values) {
    StringBuilder b = new StringBuilder("{\"points\":[");
    for (int i = 0; i < steps.length; i++) {
      b.append(i == 0 ? "" : ",").append("{\"name\":\"").append(name).append("\",\"step\":").append(steps[i])
          .append(",\"value\":").append(literal(values[i])).append('}');
    }
    return b.append("]}").toString();
  }

  static JsonNode post(String runId, String body) {
    TestClient.Response r = client.post(RUNS + runId + "/metrics:batch", body);
    assertThat(r.status()).as(r.text()).isIn(200, 201);
    return r.json();
  }

  static double value(JsonNode v) {
    return switch (v.asText()) {
      case "NaN" -> Double.NaN;
      case "Infinity" -> Double.POSITIVE_INFINITY;
      case "-Infinity" -> Double.NEGATIVE_INFINITY;
      default -> v.asDouble();
    };
  }

  /** Every stored point of a metric, step to value, read page by page through {@code metrics?name=}. */
  static TreeMap<Long, Double> pages(TestClient client, String runId, String name) {
    TreeMap<Long, Double> out = new TreeMap<>();
    String token = null;
    do {
      TestClient.Response r = client.get(RUNS + runId + "/metrics?name=" + name + "&limit=37"
          + (token == null ? "" : "&page_token=" + token));
      assertThat(r.status()).as(r.text()).isEqualTo(200);
      for (JsonNode s : r.json().get("samples")) {
        assertThat(out.put(s.get("step").asLong(), value(s.get("value")))).as("step %s twice", s.get("step"))
            .isNull();
      }
      JsonNode next = r.json().get("next_page_token");
      token = next == null || next.isNull() ? null : next.asText();
    } while (token != null);
    return out;
  }

  /** The exact series read (one bucket per point): step to last value. */
  static TreeMap<Long, Double> exactSeries(String runId, String name) {
    TestClient.Response r = client.get(RUNS + runId + "/metrics/series?name=" + name + "&max_points=10000");
    assertThat(r.status()).as(r.text()).isEqualTo(200);
    assertThat(r.json().get("downsampled").asBoolean()).isFalse();
    TreeMap<Long, Double> out = new TreeMap<>();
    for (JsonNode b : r.json().get("buckets")) {
      assertThat(b.get("step_min").asLong()).isEqualTo(b.get("step_max").asLong());
      out.put(b.get("step_min").asLong(), value(b.get("last")));
    }
    assertThat(r.json().get("total_points").asLong()).isEqualTo(out.size());
    return out;
  }

  static void assertBitsEqual(Map<Long, Double> actual, Map<Long, Double> expected) {
    assertThat(actual.keySet()).containsExactlyElementsOf(expected.keySet());
    expected.forEach((step, v) -> assertThat(Double.doubleToRawLongBits(actual.get(step)))
        .as("step %d: %s, stored %s", step, v, actual.get(step))
        .isEqualTo(Double.doubleToRawLongBits(v)));
  }

  @Test
  void segmentBodiesRoundTripEveryFloat64BitForBit() {
    Random random = new Random(16);
    int n = 5000;
    long[] steps = new long[n];
    double[] values = new double[n];
    long[] micros = new long[n];
    long[] writes = new long[n];
    long step = random.nextInt(10);
    for (int i = 0; i < n; i++) {
      step += 1 + (i % 97 == 0 ? random.nextInt(1 << 30) : random.nextInt(3));
      steps[i] = step;
      values[i] = i < AWKWARD.length ? AWKWARD[i]
          : i % 5 == 0 ? Double.longBitsToDouble(random.nextLong()) : random.nextGaussian();
      micros[i] = 1_700_000_000_000_000L + (i % 13 == 0 ? -random.nextInt(1_000_000) : random.nextInt(1_000_000));
      writes[i] = 1000 + i / 700 - (i % 700 == 3 ? 900 : 0);
    }
    values[AWKWARD.length] = Double.longBitsToDouble(0x7ff8_0000_dead_beefL); // a NaN with a payload
    byte[] body = SegmentCodec.encode(steps, values, micros, writes, 1000, 0, n);
    SegmentCodec.Points back = SegmentCodec.decode(body, 1000);
    assertThat(back.steps()).containsExactly(steps);
    assertThat(back.micros()).containsExactly(micros);
    assertThat(back.writeIds()).containsExactly(writes);
    for (int i = 0; i < n; i++) {
      assertThat(Double.doubleToRawLongBits(back.values()[i])).as("value %d", i)
          .isEqualTo(Double.doubleToRawLongBits(values[i]));
    }
    assertThat(SegmentCodec.steps(body)).containsExactly(steps);
    // a slice, and one write for every point
    SegmentCodec.Points slice = SegmentCodec.decode(SegmentCodec.encode(steps, values, micros, null, 77, 10, 20), 77);
    assertThat(slice.steps()).containsExactly(java.util.Arrays.copyOfRange(steps, 10, 30));
    assertThat(slice.writeIds()).containsOnly(77L);
  }

  @Test
  void awkwardValuesComeBackBitForBitFromEveryRead() {
    String runId = newRun(client);
    long[] steps = LongStream.range(0, AWKWARD.length).toArray();
    JsonNode answer = post(runId, batch("odd", steps, AWKWARD));
    assertThat(answer.get("inserted").asInt()).isEqualTo(AWKWARD.length);
    Map<Long, Double> expected = new TreeMap<>();
    for (int i = 0; i < AWKWARD.length; i++) {
      // JSON numbers are read as decimals (docs/protocol.md §4.2), which have no negative zero
      expected.put((long) i, AWKWARD[i] == 0 ? 0.0 : AWKWARD[i]);
    }
    assertBitsEqual(pages(client, runId, "odd"), expected);
    assertBitsEqual(exactSeries(runId, "odd"), expected);
    JsonNode latest = client.get(RUNS + runId + "/metrics").json().get("samples").get(0);
    assertThat(latest.get("step").asLong()).isEqualTo(AWKWARD.length - 1);
    assertThat(value(latest.get("value"))).isEqualTo(AWKWARD[AWKWARD.length - 1]);
  }

  @Test
  void overlappingAndOutOfOrderWritesKeepTheFirstValueOfEveryStep() {
    String runId = newRun(client);
    Map<Long, Double> expected = new TreeMap<>();
    // 1: even steps 0..98
    long[] evens = LongStream.range(0, 50).map(i -> 2 * i).toArray();
    JsonNode a = post(runId, batch("loss", evens, LongStream.of(evens).mapToDouble(s -> 1000 + s).toArray()));
    assertThat(a.get("inserted").asInt()).isEqualTo(50);
    LongStream.of(evens).forEach(s -> expected.put(s, 1000.0 + s));
    // 2: every step 0..99, shuffled, each twice: the 50 odd ones are new, and within the
    // request the first occurrence of a step wins
    List<Long> shuffled = new ArrayList<>();
    LongStream.range(0, 100).forEach(shuffled::add);
    Collections.shuffle(shuffled, new Random(7));
    List<Long> twice = new ArrayList<>(shuffled);
    twice.addAll(shuffled);
    long[] s2 = twice.stream().mapToLong(Long::longValue).toArray();
    double[] v2 = new double[s2.length];
    for (int i = 0; i < s2.length; i++) {
      v2[i] = (i < 100 ? 2000 : 9000) + s2[i];
    }
    JsonNode b = post(runId, batch("loss", s2, v2));
    assertThat(b.get("received").asInt()).isEqualTo(200);
    assertThat(b.get("inserted").asInt()).isEqualTo(50);
    assertThat(b.get("duplicates").asInt()).isEqualTo(150);
    LongStream.range(0, 100).filter(s -> s % 2 == 1).forEach(s -> expected.put(s, 2000.0 + s));
    // 3: steps 150 down to 50: 51 new above 99, the rest duplicates
    long[] s3 = LongStream.rangeClosed(50, 150).map(s -> 200 - s).toArray();
    JsonNode c = post(runId, batch("loss", s3, LongStream.of(s3).mapToDouble(s -> 3000 + s).toArray()));
    assertThat(c.get("inserted").asInt()).isEqualTo(51);
    LongStream.rangeClosed(100, 150).forEach(s -> expected.put(s, 3000.0 + s));
    // 4: a step inside an earlier segment's range that no segment holds yet... there is none
    // left below 150, so a gap above: 1000, then 500 (between segments' ranges)
    post(runId, batch("loss", new long[] {1000}, new double[] {4000}));
    JsonNode d = post(runId, batch("loss", new long[] {500, 1000, 120}, new double[] {5000, 1, 2}));
    assertThat(d.get("inserted").asInt()).isEqualTo(1);
    expected.put(1000L, 4000.0);
    expected.put(500L, 5000.0);

    assertBitsEqual(pages(client, runId, "loss"), expected);
    assertBitsEqual(exactSeries(runId, "loss"), expected);
    JsonNode latest = client.get(RUNS + runId + "/metrics").json().get("samples").get(0);
    assertThat(latest.get("step").asLong()).isEqualTo(1000);
    assertThat(latest.get("value").asDouble()).isEqualTo(4000.0);
    // the downsampled read agrees with the points: 203 points in 10 buckets
    JsonNode ds = client.get(RUNS + runId + "/metrics/series?name=loss&max_points=10").json();
    assertBucketsCover(ds, new TreeMap<>(expected));
  }

  @Test
  void concurrentWritersOfOverlappingRangesStoreEveryStepOnceWithOneWritersValue() throws Exception {
    String runId = newRun(client);
    int writers = 4;
    int rounds = 12;
    CyclicBarrier start = new CyclicBarrier(writers);
    ExecutorService pool = Executors.newFixedThreadPool(writers);
    try {
      List<Future<Long>> inserted = new ArrayList<>();
      for (int w = 0; w < writers; w++) {
        int writer = w;
        inserted.add(pool.submit(() -> {
          start.await(30, TimeUnit.SECONDS);
          long total = 0;
          for (int round = 0; round < rounds; round++) {
            // every writer covers [round * 50, round * 50 + 200): ranges overlap within and across rounds
            long[] steps = LongStream.range(round * 50L, round * 50L + 200).toArray();
            if (writer % 2 == 1) {
              for (int i = 0; i < steps.length / 2; i++) {
                long t = steps[i];
                steps[i] = steps[steps.length - 1 - i];
                steps[steps.length - 1 - i] = t;
              }
            }
            double[] values = LongStream.of(steps).mapToDouble(s -> writer * 1_000_000.0 + s).toArray();
            total += post(runId, batch("acc", steps, values)).get("inserted").asLong();
          }
          return total;
        }));
      }
      long sum = 0;
      for (Future<Long> f : inserted) {
        sum += f.get(120, TimeUnit.SECONDS);
      }
      long distinct = (rounds - 1) * 50L + 200;
      assertThat(sum).as("each step inserted by exactly one writer").isEqualTo(distinct);
      TreeMap<Long, Double> stored = pages(client, runId, "acc");
      assertThat(stored.keySet()).containsExactlyElementsOf(LongStream.range(0, distinct).boxed().toList());
      stored.forEach((step, v) -> {
        double writer = Math.floor(v / 1_000_000.0);
        assertThat(writer).isBetween(0.0, writers - 1.0);
        assertThat(v - writer * 1_000_000.0).as("step %d", step).isEqualTo((double) step);
      });
      assertBitsEqual(exactSeries(runId, "acc"), stored);
    } finally {
      pool.shutdownNow();
    }
  }

  private static long segments(String runId) throws java.sql.SQLException {
    try (java.sql.Connection c = java.sql.DriverManager.getConnection(server.pointsDatabaseUrl(), "postgres", "");
         java.sql.PreparedStatement ps = c.prepareStatement(
             "SELECT count(*) FROM points.segments WHERE run_id = CAST(? AS uuid)")) {
      ps.setString(1, runId);
      try (java.sql.ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getLong(1);
      }
    }
  }

  @Test
  void smallWritesSegmentsAreMergedInTheBackgroundAndEveryReadStaysTheSame() throws Exception {
    String runId = newRun(client);
    Map<Long, Double> expected = new TreeMap<>();
    // 300 one-step requests, as the published SDK sends them, steps partly out of order
    for (int i = 0; i < 300; i++) {
      long step = i % 10 == 9 ? 1000 + i : i;
      double v = Math.sin(i) * 1e3;
      TestClient.Response r = client.post(RUNS + runId + "/metrics",
          "{\"metrics\":{\"loss\":" + v + "},\"step\":" + step + "}");
      assertThat(r.status()).as(r.text()).isEqualTo(201);
      expected.put(step, v);
    }
    TreeMap<Long, Double> pagesBefore = pages(client, runId, "loss");
    assertBitsEqual(pagesBefore, expected);
    JsonNode downsampledBefore = client.get(RUNS + runId + "/metrics/series?name=loss&max_points=7").json();
    // each request stored a segment of its own; the compactor, every 10 s on its own, merges them
    // (it may have begun already). Waiting for it is not a speed check: the bound is generous.
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
    while (segments(runId) > 1 && System.nanoTime() < deadline) {
      Thread.sleep(250);
    }
    assertThat(segments(runId)).as("300 one-point segments merged into one").isEqualTo(1);
    assertBitsEqual(pages(client, runId, "loss"), expected);
    assertBitsEqual(exactSeries(runId, "loss"), expected);
    assertThat(client.get(RUNS + runId + "/metrics/series?name=loss&max_points=7").json())
        .isEqualTo(downsampledBefore);
    JsonNode latest = client.get(RUNS + runId + "/metrics").json().get("samples").get(0);
    assertThat(latest.get("step").asLong()).isEqualTo(1299);
    // writes after the merge still keep the first value of every step
    TestClient.Response again = client.post(RUNS + runId + "/metrics", "{\"metrics\":{\"loss\":-1},\"step\":5}");
    assertThat(again.json().get("inserted").asInt()).isZero();
    TestClient.Response fresh = client.post(RUNS + runId + "/metrics", "{\"metrics\":{\"loss\":-1},\"step\":500}");
    assertThat(fresh.json().get("inserted").asInt()).isEqualTo(1);
  }

  /** Checks each downsampled bucket against the points it covers. */
  static void assertBucketsCover(JsonNode series, TreeMap<Long, Double> expected) {
    assertThat(series.get("total_points").asLong()).isEqualTo(expected.size());
    long counted = 0;
    for (JsonNode bucket : series.get("buckets")) {
      var in = expected.subMap(bucket.get("step_min").asLong(), true, bucket.get("step_max").asLong(), true);
      assertThat(bucket.get("count").asLong()).isEqualTo(in.size());
      assertThat(bucket.get("min").asDouble()).isEqualTo(Collections.min(in.values()));
      assertThat(bucket.get("max").asDouble()).isEqualTo(Collections.max(in.values()));
      assertThat(bucket.get("last").asDouble()).isEqualTo(in.lastEntry().getValue());
      counted += in.size();
    }
    assertThat(counted).isEqualTo(expected.size());
  }

  @Test
  void rollupsLeftToTheCompactorBySmallWritesAreReadFromTheSegmentsMeanwhile() throws Exception {
    String runId = newRun(client);
    TreeMap<Long, Double> expected = new TreeMap<>();
    long[] steps = LongStream.range(0, 3000).toArray();
    double[] values = LongStream.of(steps).mapToDouble(st -> Math.cos(st / 7.0)).toArray();
    post(runId, batch("wave", steps, values));
    LongStream.of(steps).forEach(st -> expected.put(st, Math.cos(st / 7.0)));
    // small writes: their rollups wait for the compactor, their points are read from the segments
    for (long st = 3000; st < 3040; st++) {
      double v = st == 3020 ? 9.5 : -st;
      TestClient.Response r = client.post(RUNS + runId + "/metrics",
          "{\"metrics\":{\"wave\":" + v + "},\"step\":" + st + "}");
      assertThat(r.status()).as(r.text()).isEqualTo(201);
      expected.put(st, v);
    }
    JsonNode before = client.get(RUNS + runId + "/metrics/series?name=wave&max_points=2").json();
    assertThat(before.get("downsampled").asBoolean()).isTrue();
    assertBucketsCover(before, expected);
    // a batch after the small writes rolls their tail up with it; an out-of-order write does too
    post(runId, batch("wave", new long[] {3040, 3041}, new double[] {0.5, 0.25}));
    expected.put(3040L, 0.5);
    expected.put(3041L, 0.25);
    assertBucketsCover(client.get(RUNS + runId + "/metrics/series?name=wave&max_points=2").json(), expected);
    for (long st = 3042; st < 3050; st++) {
      client.post(RUNS + runId + "/metrics", "{\"metrics\":{\"wave\":" + st + "},\"step\":" + st + "}");
      expected.put(st, (double) st);
    }
    post(runId, batch("wave", new long[] {5000, 10}, new double[] {-7, 1234}));
    expected.put(5000L, -7.0);
    assertBucketsCover(client.get(RUNS + runId + "/metrics/series?name=wave&max_points=2").json(), expected);
    assertBucketsCover(client.get(RUNS + runId + "/metrics/series?name=wave&max_points=3").json(), expected);
  }
}
