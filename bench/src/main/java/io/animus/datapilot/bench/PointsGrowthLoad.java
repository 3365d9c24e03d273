package io.animus.datapilot.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.animus.datapilot.App;
import io.animus.datapilot.config.ConfigLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Growth and disk use of the points store (issue 16): {@code runs} runs × {@code names} metrics ×
 * {@code steps} steps of realistic training curves, sent as 10,000-point {@code metrics:batch}
 * requests by {@code senders} clients over loopback, in step order as a training loop logs them.
 * Reports the ingest rate of each tenth (the last against the first), bytes per point of the
 * points tables ({@code pg_total_relation_size} after VACUUM), and the read of one extra series of
 * {@code bigSeries} points to 1,000 buckets (p50/p95 of {@code reads} reads), against a plain SQL
 * read of the rollup rows it is built from.
 *
 * <pre>
 * java -cp "bench/target/classes:bench/target/lib/*" io.animus.datapilot.bench.PointsGrowthLoad \
 *     [runs=10] [names=10] [steps=1000000] [bigSeries=10000000] [senders=4] [reads=50]
 * </pre>
 */
public final class PointsGrowthLoad {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String RUNS = "/api/experiments/experiment-runs/";
  private static final int BATCH = 10_000;

  private PointsGrowthLoad() {}

  /** One value of a realistic curve: decaying loss with noise, rising accuracy, a stepped schedule, spikes. */
  static double curve(int name, long step, Random noise) {
    double t = step / 1000.0;
    return switch (name % 5) {
      case 0 -> 2.5 * Math.exp(-t / 300) + 0.1 + 0.02 * noise.nextGaussian();
      case 1 -> 0.95 - 0.85 * Math.exp(-t / 200) + 0.005 * noise.nextGaussian();
      case 2 -> 1e-3 * Math.pow(0.5, step / 250_000);
      case 3 -> Math.abs(1.0 + 0.3 * noise.nextGaussian()) * (noise.nextInt(10_000) == 0 ? 50 : 1);
      default -> (double) (step * 32);
    };
  }

  public static void main(String[] args) throws Exception {
    Map<String, String> opt = TelemetryLoad.options(args);
    int runs = Integer.parseInt(opt.getOrDefault("runs", "10"));
    int names = Integer.parseInt(opt.getOrDefault("names", "10"));
    long steps = Long.parseLong(opt.getOrDefault("steps", "1000000"));
    long bigSeries = Long.parseLong(opt.getOrDefault("bigSeries", "10000000"));
    int senders = Integer.parseInt(opt.getOrDefault("senders", "4"));
    int reads = Integer.parseInt(opt.getOrDefault("reads", "50"));
    Path dir = Files.createTempDirectory("bench-growth");
    Map<String, String> env = new HashMap<>();
    env.put("DATAPILOT_LISTEN", "127.0.0.1:0");
    env.put("DATAPILOT_DATA_DIR", dir.toString());
    App app = App.start(new ConfigLoader(env, Map.of()).load());
    int port = app.port();
    try {
      String experiment = TelemetryLoad.createExperiment(port, "growth");
      List<String> runIds = new ArrayList<>();
      for (int r = 0; r < runs; r++) {
        runIds.add(TelemetryLoad.createRun(port, experiment));
      }
      long total = runs * names * steps;
      long stepsPerBatch = BATCH / names;
      long batches = runs * (steps / stepsPerBatch);
      TelemetryLoad.say("growth: %d runs x %d names x %,d steps = %,d points in %,d batches, %d senders; load %s",
          runs, names, steps, total, batches, senders, TelemetryLoad.load());
      AtomicLong next = new AtomicLong();
      long[] tenthEnds = new long[10];
      AtomicLong done = new AtomicLong();
      long t0 = System.nanoTime();
      List<Thread> threads = new ArrayList<>();
      for (int s = 0; s < senders; s++) {
        threads.add(TelemetryLoad.thread(() -> {
          try (TelemetryLoad.Conn conn = new TelemetryLoad.Conn(port)) {
            for (long b = next.getAndIncrement(); b < batches; b = next.getAndIncrement()) {
              // batch b: run b % runs, steps [(b / runs) * stepsPerBatch, +stepsPerBatch), every name
              int run = (int) (b % runs);
              long from = (b / runs) * stepsPerBatch;
              Random noise = new Random(b);
              StringBuilder body = new StringBuilder(BATCH * 48).append("{\"points\":[");
              for (long st = from; st < from + stepsPerBatch; st++) {
                for (int n = 0; n < names; n++) {
                  body.append(st == from && n == 0 ? "" : ",").append("{\"name\":\"m").append(n)
                      .append("\",\"step\":").append(st).append(",\"value\":").append(curve(n, st, noise)).append('}');
                }
              }
              byte[] bytes = body.append("]}").toString().getBytes(StandardCharsets.US_ASCII);
              int status = conn.exchange(TelemetryLoad.postHead(RUNS + runIds.get(run) + "/metrics:batch",
                  bytes.length), bytes);
              if (status != 201) {
                throw new IllegalStateException("batch answered " + status + ": " + conn.text());
              }
              long d = done.incrementAndGet();
              if (d % (batches / 10) == 0 && d / (batches / 10) <= 10) {
                tenthEnds[(int) (d / (batches / 10)) - 1] = System.nanoTime();
              }
            }
          } catch (Exception e) {
            throw new RuntimeException(e);
          }
        }));
      }
      threads.forEach(Thread::start);
      for (Thread t : threads) {
        t.join();
      }
      double seconds = (System.nanoTime() - t0) / 1e9;
      double tenthPoints = total / 10.0;
      double first = tenthPoints / ((tenthEnds[0] - t0) / 1e9);
      double last = tenthPoints / ((tenthEnds[9] - tenthEnds[8]) / 1e9);
      StringBuilder tenths = new StringBuilder();
      long previous = t0;
      for (long end : tenthEnds) {
        tenths.append(String.format(" %,.0f", tenthPoints / ((end - previous) / 1e9)));
        previous = end;
      }
      TelemetryLoad.say("growth RESULT ingest: %,d points in %.1f s = %,.0f points/s; per tenth (points/s):%s; "
          + "last tenth / first tenth = %.2f; load %s", total, seconds, total / seconds, tenths, last / first,
          TelemetryLoad.load());
      bytesPerPoint(app, total);

      // one long series: bigSeries points of one metric in a run of its own
      String big = TelemetryLoad.createRun(port, experiment);
      long b0 = System.nanoTime();
      try (TelemetryLoad.Conn conn = new TelemetryLoad.Conn(port)) {
        Random noise = new Random(7);
        for (long from = 0; from < bigSeries; from += BATCH) {
          StringBuilder body = new StringBuilder(BATCH * 40).append("{\"points\":[");
          for (long st = from; st < Math.min(bigSeries, from + BATCH); st++) {
            body.append(st == from ? "" : ",").append("{\"name\":\"loss\",\"step\":").append(st).append(",\"value\":")
                .append(curve(0, st, noise)).append('}');
          }
          byte[] bytes = body.append("]}").toString().getBytes(StandardCharsets.US_ASCII);
          int status = conn.exchange(TelemetryLoad.postHead(RUNS + big + "/metrics:batch", bytes.length), bytes);
          if (status != 201) {
            throw new IllegalStateException("batch answered " + status + ": " + conn.text());
          }
        }
      }
      TelemetryLoad.say("big series: %,d points written in %.1f s", bigSeries, (System.nanoTime() - b0) / 1e9);
      try (Connection c = app.database().openDedicatedConnection()) {
        c.createStatement().execute("VACUUM ANALYZE points.segments");
        c.createStatement().execute("VACUUM ANALYZE points.rollups");
      }
      byte[] get = ("GET " + RUNS + big + "/metrics/series?name=loss&max_points=1000 HTTP/1.1\r\n"
          + "Host: 127.0.0.1\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
      TelemetryLoad.Recorder rec = new TelemetryLoad.Recorder();
      try (TelemetryLoad.Conn conn = new TelemetryLoad.Conn(port)) {
        for (int i = 0; i < reads + 5; i++) {
          long r0 = System.nanoTime();
          int status = conn.exchange(get, null);
          if (i >= 5) {
            rec.add(System.nanoTime() - r0);
          }
          if (status != 200) {
            throw new IllegalStateException("series answered " + status + ": " + conn.text());
          }
          if (i == 0) {
            JsonNode n = JSON.readTree(conn.body);
            TelemetryLoad.say("big series read: total_points %,d, downsampled %s, %d buckets",
                n.path("total_points").asLong(), n.path("downsampled").asBoolean(), n.path("buckets").size());
          }
        }
      }
      TelemetryLoad.say("growth RESULT %,d-point series read to 1,000 buckets (%d reads): p50 %.1f ms p95 %.1f ms; "
          + "load %s", bigSeries, reads, rec.ms(0.5), rec.ms(0.95), TelemetryLoad.load());
    } finally {
      app.close();
      TelemetryLoad.deleteTree(dir);
    }
    System.exit(0);
  }

  private static void bytesPerPoint(App app, long points) throws Exception {
    try (Connection c = app.database().openDedicatedConnection()) {
      for (String t : List.of("series", "writes", "segments", "rollups")) {
        c.createStatement().execute("VACUUM ANALYZE points." + t);
      }
      StringBuilder parts = new StringBuilder();
      long sum = 0;
      for (String t : List.of("series", "writes", "segments", "rollups")) {
        try (ResultSet rs = c.createStatement().executeQuery(
            "SELECT pg_total_relation_size('points." + t + "')")) {
          rs.next();
          long size = rs.getLong(1);
          sum += size;
          parts.append(String.format(" %s %.2f", t, size / (double) points));
        }
      }
      TelemetryLoad.say("growth RESULT disk: points tables %,d bytes for %,d points = %.2f bytes/point (by table:%s)",
          sum, points, sum / (double) points, parts);
    }
  }
}
