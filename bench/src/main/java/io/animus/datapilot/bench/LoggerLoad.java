package io.animus.datapilot.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.animus.datapilot.App;
import io.animus.datapilot.config.ConfigLoader;
import io.animus.sdk.RunTelemetryLogger;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.LockSupport;

/**
 * One Java SDK {@link RunTelemetryLogger} delivering to a local server (issue 7, "Performance": goal 300,000
 * points/s sustained, no drops).
 *
 * <pre>
 * java -cp "bench/target/classes:bench/target/lib/*" io.animus.datapilot.bench.LoggerLoad \
 *     [points=3000000] [names=10] [batch=10000] [queue=262144] [parallel=2] [port=0] [discard=true]
 * </pre>
 *
 * Starts the server in-process on loopback (embedded PostgreSQL in a temporary directory; {@code port=N} targets
 * a server already listening on 127.0.0.1:N instead; {@code discard=true} a loopback server that reads and
 * discards each request, for the logger's own ceiling), creates a run, and logs {@code points} points from one
 * thread: step-major over {@code names} metric names, retrying a call that answers "queue full" (counted, not a
 * drop; the caller then parks 20 µs). Prints the delivered rate per second while it runs (from
 * {@code Stats.pointsSent}), the overall rate from the first call until {@code flush} returned, where the CPU
 * went, and then reads every series back
 * ({@code total_points} per name) to check that all points arrived exactly once.
 */
public final class LoggerLoad {
  private static final ObjectMapper JSON = new ObjectMapper();

  private LoggerLoad() {}

  public static void main(String[] args) throws Exception {
    Map<String, String> opt = TelemetryLoad.options(args);
    long points = Long.parseLong(opt.getOrDefault("points", "3000000"));
    int names = Integer.parseInt(opt.getOrDefault("names", "10"));
    int batch = Integer.parseInt(opt.getOrDefault("batch", "10000"));
    int queue = Integer.parseInt(opt.getOrDefault("queue", "262144"));
    int port = Integer.parseInt(opt.getOrDefault("port", "0"));
    int parallel = Integer.parseInt(opt.getOrDefault("parallel", "2"));
    App app = null;
    Path dir = null;
    CpuAccounting cpu = new CpuAccounting(-1);
    LoggerCallBenchmark.DiscardServer discard = null;
    if ("true".equals(opt.get("discard"))) {
      // The logger's own ceiling: a server that reads each request and answers 201 without storing anything.
      discard = new LoggerCallBenchmark.DiscardServer();
      port = discard.port();
    } else if (port == 0) {
      dir = Files.createTempDirectory("bench-logger");
      Map<String, String> env = new HashMap<>();
      env.put("DATAPILOT_LISTEN", "127.0.0.1:0");
      env.put("DATAPILOT_DATA_DIR", dir.toString());
      app = App.start(new ConfigLoader(env, Map.of()).load());
      port = app.port();
      cpu = new CpuAccounting(CreateRunLoad.Runner.postmasterPid(dir.resolve("pg")));
    }
    TelemetryLoad.say("server on 127.0.0.1:%d, %d cpus, load %s; %,d points over %d names, batch %d, queue %d, "
        + "%d requests in flight", port, Runtime.getRuntime().availableProcessors(), TelemetryLoad.load(), points,
        names, batch, queue, parallel);
    try {
      String experiment = discard == null ? TelemetryLoad.createExperiment(port, "logger-bench") : null;
      // A short warm-up run (JIT of the logger, the server and the JDBC path), then the measured run.
      deliver(port, experiment, Math.min(points, 300_000), names, batch, queue, parallel, null, false);
      deliver(port, experiment, points, names, batch, queue, parallel, cpu, true);
    } finally {
      if (discard != null) {
        discard.close();
      }
      if (app != null) {
        app.close();
        TelemetryLoad.deleteTree(dir);
      }
    }
    TelemetryLoad.say("done");
    System.exit(0);
  }

  private static void deliver(int port, String experiment, long points, int names, int batch, int queue,
      int parallel, CpuAccounting cpu, boolean report) throws Exception {
    String run = experiment == null ? "discarded" : TelemetryLoad.createRun(port, experiment);
    String[] metric = new String[names];
    for (int n = 0; n < names; n++) {
      metric[n] = "train/metric_" + n;
    }
    List<Long> perSecond = new ArrayList<>();
    long fullAnswers = 0;
    RunTelemetryLogger.Stats stats;
    CpuAccounting.Snapshot before = cpu == null ? null : cpu.take();
    long t0 = System.nanoTime();
    try (RunTelemetryLogger logger = RunTelemetryLogger.builder().gatewayUrl("http://127.0.0.1:" + port)
        .runId(run).batchMaxPoints(batch).maxQueue(queue).parallelRequests(parallel).build()) {
      long nextTick = t0 + 1_000_000_000L;
      long lastSent = 0;
      long logged = 0;
      for (long step = 0; logged < points; step++) {
        for (int n = 0; n < names && logged < points; n++, logged++) {
          while (!logger.logMetric(step, metric[n], 1.0 / (step + n + 1))) {
            // A full queue: wait a little instead of spinning (the sender and the server share the 2 cores).
            fullAnswers++;
            LockSupport.parkNanos(20_000);
          }
        }
        if ((step & 1023) == 0 && System.nanoTime() >= nextTick) {
          long sent = logger.stats().pointsSent();
          perSecond.add(sent - lastSent);
          lastSent = sent;
          nextTick += 1_000_000_000L;
        }
      }
      if (!logger.flush(Duration.ofMinutes(5))) {
        throw new IllegalStateException("not delivered within 5 minutes: " + logger.stats());
      }
      stats = logger.stats();
      if (logger.lastError() != null) {
        TelemetryLoad.say("last error: %s", logger.lastError());
      }
    }
    double seconds = (System.nanoTime() - t0) / 1e9;
    CpuAccounting.Snapshot after = cpu == null ? null : cpu.take();
    if (!report) {
      TelemetryLoad.say("warm-up: %,d points in %.1f s", stats.pointsSent(), seconds);
      return;
    }
    long stored = 0;
    for (int n = 0; n < names && experiment != null; n++) {
      String name = metric[n];
      JsonNode series = getJson(port, "/api/experiments/experiment-runs/" + run + "/metrics/series?name="
          + URLEncoder.encode(name, StandardCharsets.UTF_8) + "&max_points=2");
      stored += series.path("total_points").asLong();
    }
    List<Long> sorted = new ArrayList<>(perSecond.subList(Math.min(1, perSecond.size()), perSecond.size()));
    sorted.sort(null);
    TelemetryLoad.say("RESULT logger delivery: %,d points in %.2f s = %,.0f points/s delivered; per-second "
            + "delivered rate after the first second: min %,d median %,d max %,d (%d samples)", points, seconds,
        points / seconds, sorted.isEmpty() ? 0 : sorted.get(0), sorted.isEmpty() ? 0 : sorted.get(sorted.size() / 2),
        sorted.isEmpty() ? 0 : sorted.get(sorted.size() - 1), sorted.size());
    TelemetryLoad.say("RESULT sent %,d, dropped %,d, rejected (queue full, retried by the caller) %,d, requests %,d "
            + "(%,.0f points each), retries %d; stored on the server %,d of %,d%s", stats.pointsSent(),
        stats.dropped(), stats.rejected(), stats.requests(), (double) stats.pointsSent() / stats.requests(),
        stats.retries(), stored, points, experiment == null ? " (discard server: nothing stored)"
            : stored == points && stats.dropped() == 0 ? " (complete)" : " (INCOMPLETE)");
    if (fullAnswers != stats.rejected()) {
      TelemetryLoad.say("warning: %d full answers seen but %d counted", fullAnswers, stats.rejected());
    }
    if (before != null) {
      CpuAccounting.Usage usage = CpuAccounting.between(before, after);
      System.out.print(usage.format(0, "    "));
      TelemetryLoad.say("RESULT CPU per point: %.0f ns (this JVM: logger, sender, server; plus PostgreSQL %.0f ns)",
          usage.cpuMicrosPerOp(points) * 1000 - usage.microsPerOp(usage.postgresCores, points) * 1000,
          usage.microsPerOp(usage.postgresCores, points) * 1000);
    }
  }

  private static JsonNode getJson(int port, String path) throws Exception {
    byte[] head = ("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
    try (TelemetryLoad.Conn conn = new TelemetryLoad.Conn(port)) {
      int status = conn.exchange(head, null);
      if (status != 200) {
        throw new IllegalStateException(path + " answered " + status + ": " + conn.text());
      }
      return JSON.readTree(conn.body);
    }
  }
}
