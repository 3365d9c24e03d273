package io.animus.datapilot.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.animus.datapilot.App;
import io.animus.datapilot.config.ConfigLoader;
import io.animus.datapilot.testing.SseSwarm;
import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;

/**
 * How many live streams one server holds while {@code /readyz} stays fast, with metrics flowing.
 * The server runs in a child JVM (each stream costs a socket on both sides, and one process could
 * not hold both ends under the open-file limit); this process holds the streams on one selector
 * thread ({@link SseSwarm}), writes a metric point every {@code writeEveryMs} to the streamed run
 * and times {@code GET /readyz} every {@code probeEveryMs}. At each step the stream count grows to
 * the step's value, then for {@code hold} seconds it measures; a point written at the start of the
 * hold must reach every stream. The answer is the largest step whose {@code /readyz} p99 is at most
 * 50 ms with every stream open and served.
 *
 * <pre>
 * java -cp "bench/target/classes:bench/target/lib/*" io.animus.datapilot.bench.StreamsLoad \
 *     steps=2000,5000,10000,12000 hold=15 writeEveryMs=1000 probeEveryMs=20 heap=2g
 * </pre>
 */
public final class StreamsLoad {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(10)).build();

  private StreamsLoad() {}

  public static void main(String[] args) throws Exception {
    if (args.length > 0 && args[0].equals("serve")) {
      serve(Integer.parseInt(args[1]));
      return;
    }
    Map<String, String> opt = TelemetryLoad.options(args);
    List<Integer> steps = new ArrayList<>();
    for (String s : opt.getOrDefault("steps", "1000,2000,5000,10000,12000").split(",")) {
      steps.add(Integer.parseInt(s.trim()));
    }
    int hold = Integer.parseInt(opt.getOrDefault("hold", "15"));
    long writeEvery = Long.parseLong(opt.getOrDefault("writeEveryMs", "1000"));
    long probeEvery = Long.parseLong(opt.getOrDefault("probeEveryMs", "20"));
    int max = Collections.max(steps);
    Path log = Path.of("bench/target/streams-server.log").toAbsolutePath();
    Files.createDirectories(log.getParent());
    List<String> cmd = List.of(ProcessHandle.current().info().command().orElse("java"),
        "-Xmx" + opt.getOrDefault("heap", "2g"), "-DDATAPILOT_ACCESS_LOG_LEVEL=WARN",
        "-cp", System.getProperty("java.class.path"), StreamsLoad.class.getName(), "serve", Integer.toString(max));
    Process server = new ProcessBuilder(cmd).redirectError(log.toFile()).start();
    try {
      int port = awaitPort(server);
      String base = "http://127.0.0.1:" + port;
      TelemetryLoad.say("server pid %d on %s (log %s); %d cpus, load %s", server.pid(), base, log,
          Runtime.getRuntime().availableProcessors(), TelemetryLoad.load());
      String experiment = JSON.readTree(post(base, "/api/experiments/experiments",
          "{\"description\":\"\",\"metadata\":{},\"name\":\"streams-" + System.nanoTime() + "\"}").body())
          .get("experiment_id").asText();
      String run = JSON.readTree(post(base, "/api/experiments/experiments/" + experiment + "/runs",
          "{\"metrics\":{},\"params\":{},\"status\":\"running\"}").body()).get("run_id").asText();
      String runPath = "/api/experiments/experiment-runs/" + run;
      LatencyWindow readyz = new LatencyWindow();
      LatencyWindow writes = new LatencyWindow();
      AtomicBoolean stop = new AtomicBoolean();
      long[] step = {0};
      Thread writer = repeat("writer", stop, writeEvery, () -> writes.time(() -> post(base, runPath + "/metrics",
          "{\"metrics\":{\"load\":" + step[0] + "},\"step\":" + step[0]++ + "}").statusCode() == 201));
      Thread prober = repeat("prober", stop, probeEvery, () -> readyz.time(() -> get(base, "/readyz") == 200));
      List<String> rows = new ArrayList<>();
      int best = 0;
      try (SseSwarm swarm = new SseSwarm(port, runPath + "/stream")) {
        for (int target : steps) {
          long t0 = System.nanoTime();
          swarm.grow(target);
          boolean answered = await(() -> swarm.ok() + swarm.refused() + swarm.failed() >= target, 180);
          boolean allReady = answered && await(() -> swarm.ready() >= swarm.ok(), 60);
          double openSeconds = (System.nanoTime() - t0) / 1e9;
          readyz.reset();
          writes.reset();
          String marker = "\"name\":\"probe_" + target + "\"";
          swarm.watch(marker);
          try {
            post(base, runPath + "/metrics", "{\"metrics\":{\"probe_" + target + "\":1},\"step\":1}");
          } catch (IllegalStateException e) {
            TelemetryLoad.say("the probe point was not written: %s", e.getCause());
          }
          Thread.sleep(hold * 1000L);
          LatencyWindow.Stats r = readyz.stats();
          LatencyWindow.Stats w = writes.stats();
          long[] mem = procStatus(server.pid());
          String row = String.format(java.util.Locale.ROOT,
              "| %,d | %,d | %d | %d / %d | %.1f s%s | %s | %s | %,d / %,d | %,d MiB, %d threads | %s |",
              target, swarm.ok(), swarm.refused(), swarm.failed(), swarm.ended(), openSeconds,
              answered && allReady ? "" : " (gave up)", r, w,
              swarm.marked(), swarm.ok(), mem[0] >> 10, mem[1], TelemetryLoad.load());
          rows.add(row);
          TelemetryLoad.say("%s", row);
          if (answered && allReady && swarm.ok() == target && swarm.marked() == target && r.p99() <= 50) {
            best = target;
          }
        }
      } finally {
        stop.set(true);
        writer.join(10_000);
        prober.join(10_000);
      }
      System.out.println();
      System.out.println("| Streams asked | Answered 200 | Refused | Broken / ended by the server | Time to open | /readyz (window) "
          + "| metric writes (window) | Got the point written at the hold's start | Server RSS, threads | Load |");
      System.out.println("|---|---|---|---|---|---|---|---|---|---|");
      rows.forEach(System.out::println);
      System.out.printf("%nlargest step with every stream served and /readyz p99 <= 50 ms: %,d%n", best);
    } finally {
      server.getOutputStream().close(); // the child stops when its stdin closes
      if (!server.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)) {
        server.destroyForcibly();
      }
    }
  }

  /** The child: a server with caps above the largest step, until its stdin closes. */
  private static void serve(int max) throws Exception {
    Path dir = Files.createTempDirectory("bench-streams");
    Map<String, String> env = new HashMap<>();
    env.put("DATAPILOT_LISTEN", "127.0.0.1:0");
    env.put("DATAPILOT_DATA_DIR", dir.toString());
    env.put("DATAPILOT_STREAM_MAX_OPEN", Integer.toString(max));
    env.put("DATAPILOT_STREAM_MAX_PER_PRINCIPAL", Integer.toString(max));
    try (App app = App.start(new ConfigLoader(env, Map.of()).load())) {
      System.out.println("PORT " + app.port());
      System.out.flush();
      while (System.in.read() >= 0) {
        // wait for the parent to close our stdin
      }
    }
  }

  private static int awaitPort(Process server) throws Exception {
    BufferedReader out = new BufferedReader(new InputStreamReader(server.getInputStream(), StandardCharsets.UTF_8));
    for (String line = out.readLine(); line != null; line = out.readLine()) {
      if (line.startsWith("PORT ")) {
        return Integer.parseInt(line.substring(5).trim());
      }
    }
    throw new IllegalStateException("the server child exited before listening; see bench/target/streams-server.log");
  }

  /** VmRSS in KiB and the thread count of a process. */
  private static long[] procStatus(long pid) {
    long[] out = {0, 0};
    try {
      for (String line : Files.readAllLines(new File("/proc/" + pid + "/status").toPath())) {
        if (line.startsWith("VmRSS:")) {
          out[0] = Long.parseLong(line.replaceAll("\\D", ""));
        } else if (line.startsWith("Threads:")) {
          out[1] = Long.parseLong(line.replaceAll("\\D", ""));
        }
      }
    } catch (Exception e) {
      // not Linux: left at 0
    }
    return out;
  }

  private static boolean await(BooleanSupplier done, long seconds) throws InterruptedException {
    long deadline = System.nanoTime() + seconds * 1_000_000_000L;
    while (!done.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        return false;
      }
      Thread.sleep(50);
    }
    return true;
  }

  private static Thread repeat(String name, AtomicBoolean stop, long pauseMillis, Runnable action) {
    Thread t = new Thread(() -> {
      while (!stop.get()) {
        action.run();
        try {
          Thread.sleep(pauseMillis);
        } catch (InterruptedException e) {
          return;
        }
      }
    }, name);
    t.setDaemon(true);
    t.start();
    return t;
  }

  private static HttpResponse<String> post(String base, String path, String json) {
    try {
      return HTTP.send(HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(30))
          .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(json)).build(),
          HttpResponse.BodyHandlers.ofString());
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static int get(String base, String path) {
    try {
      return HTTP.send(HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(30)).build(),
          HttpResponse.BodyHandlers.discarding()).statusCode();
    } catch (Exception e) {
      return 0;
    }
  }

  /** Latencies of one kind of request since the last reset. */
  private static final class LatencyWindow {
    private final List<Double> millis = new ArrayList<>();
    private int failures;

    record Stats(int n, double p50, double p99, double max, int failures) {
      @Override
      public String toString() {
        return String.format(java.util.Locale.ROOT, "p50 %.1f / p99 %.1f / max %.1f ms (n=%d%s)", p50, p99, max, n,
            failures == 0 ? "" : ", " + failures + " failed");
      }
    }

    void time(BooleanSupplier call) {
      long t0 = System.nanoTime();
      boolean ok;
      try {
        ok = call.getAsBoolean();
      } catch (RuntimeException e) {
        ok = false;
      }
      double ms = (System.nanoTime() - t0) / 1e6;
      synchronized (this) {
        millis.add(ms);
        if (!ok) {
          failures++;
        }
      }
    }

    synchronized void reset() {
      millis.clear();
      failures = 0;
    }

    synchronized Stats stats() {
      List<Double> sorted = new ArrayList<>(millis);
      Collections.sort(sorted);
      if (sorted.isEmpty()) {
        return new Stats(0, 0, 0, 0, failures);
      }
      int n = sorted.size();
      return new Stats(n, sorted.get(n / 2), sorted.get(Math.min(n - 1, (int) Math.ceil(n * 0.99) - 1)),
          sorted.get(n - 1), failures);
    }
  }
}
