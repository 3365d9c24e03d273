package io.animus.datapilot.bench;

import io.animus.datapilot.App;
import io.animus.datapilot.config.ConfigLoader;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedStackTrace;
import jdk.jfr.consumer.RecordedThread;
import jdk.jfr.consumer.RecordingFile;

/**
 * Small telemetry writes as the published Python SDK makes them (issue 16, "before" and "after").
 *
 * <pre>
 * java -cp "bench/target/classes:bench/target/lib/*" io.animus.datapilot.bench.SmallWriteLoad \
 *     [modes=seq,concurrent] [seconds=20] [warmup=10] [prewarm=30] [clients=16] [fsyncSeconds=5]
 *     [ceilingSeconds=seconds]
 * java -XX:FlightRecorderOptions:stackdepth=256 -cp "bench/target/classes:bench/target/lib/*" \
 *     io.animus.datapilot.bench.SmallWriteLoad profile=seq [seconds=20] [warmup=10]
 * </pre>
 *
 * Starts the server in-process on loopback (embedded PostgreSQL, durable, in a temporary directory), and first
 * warms the JIT for {@code prewarm} seconds with {@code clients} clients (not measured).
 *
 * <p><b>seq</b>: ONE client, one metric per request, each answer awaited before the next request, on one
 * keep-alive connection: {@code POST …/experiment-runs/{run}/metrics} with the body the published SDK sends
 * for {@code log_metric} ({@code {"metrics":{"loss":…},"step":N}}, compact, sorted keys) and its headers
 * ({@code Accept: application/json}, a fresh {@code X-Request-Id}, {@code Accept-Encoding: identity}, as
 * Python's {@code http.client} adds). Reports req/s, p50/p99, CPU per request (server JVM, PostgreSQL by
 * process, load generator), commits and WAL fsyncs per request; then, in the same run, the ceilings: the same
 * client on {@code GET /healthz} (the empty handler), and one fdatasync on the data directory's disk (8 KiB
 * written into a preallocated file, then {@code FileChannel.force(false)}, in a loop).
 *
 * <p><b>concurrent</b>: {@code clients} clients (one run each), one step of 5 metrics per request (the shape of
 * {@code TelemetryLoad} part b, with the SDK's headers), then {@code GET /healthz} with the same clients;
 * reports p50/p99, req/s and the ratios to the empty handler.
 *
 * <p><b>profile=seq|concurrent</b>: where the CPU and the time of a small write go. Restarts the embedded
 * PostgreSQL with {@code pg_stat_statements} (calls, execution time and WAL bytes per statement), then
 * measures the same load under a JFR recording of this JVM (execution samples every 5 ms; every socket read
 * and write, so round trips to PostgreSQL and the time waited for each; every park, for the audit wait) and
 * prints a table by component: HTTP, request parsing, run lookup, series lookup, the metric insert, the
 * run-row touch, NOTIFY, transaction begin/commit, the audit. The profile's own overhead makes its req/s
 * lower than the plain run's: take throughput from the plain run, shares from the profile.
 */
public final class SmallWriteLoad {
  private static final String RUNS = "/api/experiments/experiment-runs/";
  private static final String[] FIVE = {"accuracy", "grad_norm", "learning_rate", "loss", "tokens_per_second"};

  private SmallWriteLoad() {}

  public static void main(String[] args) throws Exception {
    Map<String, String> opt = TelemetryLoad.options(args);
    int seconds = Integer.parseInt(opt.getOrDefault("seconds", "20"));
    int warmup = Integer.parseInt(opt.getOrDefault("warmup", "10"));
    int clients = Integer.parseInt(opt.getOrDefault("clients", "16"));
    int fsyncSeconds = Integer.parseInt(opt.getOrDefault("fsyncSeconds", "5"));
    int ceilingSeconds = Integer.parseInt(opt.getOrDefault("ceilingSeconds", Integer.toString(seconds)));
    int prewarm = Integer.parseInt(opt.getOrDefault("prewarm", "30"));
    String profile = opt.get("profile");
    String modes = opt.getOrDefault("modes", "seq,concurrent");
    Path dir = Files.createTempDirectory("bench-smallwrite");
    Map<String, String> env = new HashMap<>();
    env.put("DATAPILOT_LISTEN", "127.0.0.1:0");
    env.put("DATAPILOT_DATA_DIR", dir.toString());
    App app = App.start(new ConfigLoader(env, Map.of()).load());
    try {
      if (profile != null) {
        app = restartWithStatements(app, env);
      }
      Bench b = new Bench(app, dir);
      TelemetryLoad.say("server on 127.0.0.1:%d, PostgreSQL on %d, data dir %s, %d cpus, load %s", app.port(),
          b.pgPort, dir, Runtime.getRuntime().availableProcessors(), TelemetryLoad.load());
      TelemetryLoad.say("PostgreSQL settings: %s", b.settings());
      String experiment = TelemetryLoad.createExperiment(app.port(), "smallwrite-bench");
      if (prewarm > 0) {
        b.prewarm(experiment, clients, prewarm);
      }
      if (profile != null) {
        b.profile(experiment, profile.equals("concurrent") ? clients : 1, seconds, warmup);
      } else {
        if (modes.contains("seq")) {
          b.sequential(experiment, seconds, warmup, ceilingSeconds);
          b.fsync(fsyncSeconds);
        }
        if (modes.contains("concurrent")) {
          b.concurrent(experiment, clients, seconds, warmup, ceilingSeconds);
        }
      }
    } finally {
      app.close();
      TelemetryLoad.deleteTree(dir);
    }
    TelemetryLoad.say("done");
    System.exit(0);
  }

  /** Stops the server, turns on pg_stat_statements (a preloaded library: needs a PostgreSQL restart), starts it again. */
  private static App restartWithStatements(App app, Map<String, String> env) throws Exception {
    try (Connection c = app.database().openDedicatedConnection(); Statement s = c.createStatement()) {
      s.execute("ALTER SYSTEM SET shared_preload_libraries = 'pg_stat_statements'");
      s.execute("ALTER SYSTEM SET pg_stat_statements.track = 'all'");
      s.execute("ALTER SYSTEM SET track_io_timing = on");
      s.execute("ALTER SYSTEM SET track_wal_io_timing = on");
    }
    app.close();
    App again = App.start(new ConfigLoader(env, Map.of()).load());
    try (Connection c = again.database().openDedicatedConnection(); Statement s = c.createStatement()) {
      s.execute("CREATE EXTENSION IF NOT EXISTS pg_stat_statements");
    }
    return again;
  }

  /** The request bytes the published SDK sends (http.client: Host, Accept-Encoding, then the SDK's headers). */
  static byte[] sdkPost(String path, int port, byte[] body) {
    String head = "POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\nAccept-Encoding: identity\r\n"
        + "Accept: application/json\r\nX-Request-Id: " + requestId() + "\r\nContent-Type: application/json\r\n"
        + "Content-Length: " + body.length + "\r\n\r\n";
    byte[] h = head.getBytes(StandardCharsets.US_ASCII);
    byte[] all = new byte[h.length + body.length];
    System.arraycopy(h, 0, all, 0, h.length);
    System.arraycopy(body, 0, all, h.length, body.length);
    return all;
  }

  static byte[] sdkGet(String path, int port) {
    return ("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\nAccept-Encoding: identity\r\n"
        + "Accept: application/json\r\nX-Request-Id: " + requestId() + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
  }

  /** uuid4().hex, as the SDK sends. */
  static String requestId() {
    ThreadLocalRandom r = ThreadLocalRandom.current();
    return String.format(Locale.ROOT, "%016x%016x", r.nextLong(), r.nextLong());
  }

  /** {@code dumps({"metrics": {name: value}, "step": step})}: Python's repr of the value, sorted keys. */
  static byte[] oneMetricBody(long step) {
    double value = 2.0 / (1.0 + step * 1e-4) + 0.001;
    return ("{\"metrics\":{\"loss\":" + value + "},\"step\":" + step + "}").getBytes(StandardCharsets.US_ASCII);
  }

  static byte[] fiveMetricBody(long step) {
    StringBuilder b = new StringBuilder("{\"metrics\":{");
    for (int i = 0; i < FIVE.length; i++) {
      if (i > 0) {
        b.append(',');
      }
      b.append('"').append(FIVE[i]).append("\":").append(0.5 + i + 1.0 / (2.0 + step % 1000));
    }
    return b.append("},\"step\":").append(step).append('}').toString().getBytes(StandardCharsets.US_ASCII);
  }

  /** What a closed-loop phase produced. */
  record Window(long requests, double seconds, TelemetryLoad.Recorder latency, CpuAccounting.Usage cpu,
                Map<String, Double> pgCores, long commits, long walFsyncs, long walBytes) {
    double rate() {
      return requests / seconds;
    }
  }

  static void awaitQuietly(CountDownLatch latch) {
    try {
      latch.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Which request a client sends: the path's run, and the step. */
  interface Request {
    byte[] bytes(int client, long step);
  }

  static final class Bench {
    final App app;
    final Path dir;
    final int port;
    final int pgPort;
    final long postmaster;
    final CpuAccounting cpu;
    private long loops;

    Bench(App app, Path dir) {
      this.app = app;
      this.dir = dir;
      this.port = app.port();
      this.pgPort = app.database().embeddedPort().orElse(-1);
      this.postmaster = CreateRunLoad.Runner.postmasterPid(dir.resolve("pg"));
      this.cpu = new CpuAccounting(postmaster);
    }

    String settings() {
      StringBuilder out = new StringBuilder();
      try (Connection c = app.database().openDedicatedConnection(); Statement s = c.createStatement();
           ResultSet rs = s.executeQuery("SELECT name, setting FROM pg_settings WHERE name IN ('fsync', "
               + "'synchronous_commit', 'full_page_writes', 'wal_sync_method', 'commit_delay', 'io_method', "
               + "'shared_preload_libraries', 'server_version') ORDER BY name")) {
        while (rs.next()) {
          out.append(rs.getString(1)).append('=').append(rs.getString(2)).append(' ');
        }
      } catch (Exception e) {
        out.append("? (").append(e.getMessage()).append(')');
      }
      return out.toString().trim();
    }

    // ------------------------------------------------------------ phases

    /**
     * JIT warm-up before any measured phase: one sequential client makes only ~100 requests a second, too few
     * for the compilers to finish within a warm-up; {@code clients} clients (one run each) post one-metric and
     * five-metric writes and GET /healthz for {@code seconds} in all, not measured.
     */
    void prewarm(String experiment, int clients, int seconds) throws Exception {
      List<String> runs = new ArrayList<>();
      for (int i = 0; i < clients; i++) {
        runs.add(TelemetryLoad.createRun(port, experiment));
      }
      TelemetryLoad.say("(prewarm) %d clients, %d s of one-metric and five-metric writes and GET /healthz (JIT; not "
          + "measured)", clients, seconds);
      long t0 = System.nanoTime();
      closedLoop(clients, Math.max(1, seconds * 2 / 5), 0,
          (c, step) -> sdkPost(RUNS + runs.get(c) + "/metrics", port, oneMetricBody(step)), 201);
      closedLoop(clients, Math.max(1, seconds * 2 / 5), 0,
          (c, step) -> sdkPost(RUNS + runs.get(c) + "/metrics", port, fiveMetricBody(step)), 201);
      closedLoop(clients, Math.max(1, seconds / 5), 0, (c, step) -> sdkGet("/healthz", port), 200);
      TelemetryLoad.say("(prewarm) done in %.0f s", (System.nanoTime() - t0) / 1e9);
    }

    void sequential(String experiment, int seconds, int warmup, int ceilingSeconds) throws Exception {
      String run = TelemetryLoad.createRun(port, experiment);
      String path = RUNS + run + "/metrics";
      TelemetryLoad.say("(seq) 1 client, 1 metric per request, POST %s, warmup %d s, measure %d s", path, warmup,
          seconds);
      Window w = closedLoop(1, warmup, seconds, (c, step) -> sdkPost(path, port, oneMetricBody(step)), 201);
      report("seq", "POST …/metrics, 1 metric", w);
      TelemetryLoad.say("(seq) ceiling: GET /healthz, same client, warmup %d s, measure %d s", Math.min(warmup, 5),
          ceilingSeconds);
      Window h = closedLoop(1, Math.min(warmup, 5), ceilingSeconds, (c, step) -> sdkGet("/healthz", port), 200);
      report("seq", "GET /healthz (empty handler)", h);
      TelemetryLoad.say("(seq) RESULT small write / empty handler: req/s %.4f, p50 %.1fx, p99 %.1fx",
          w.rate() / h.rate(), w.latency().ms(0.5) / h.latency().ms(0.5), w.latency().ms(0.99) / h.latency().ms(0.99));
    }

    void concurrent(String experiment, int clients, int seconds, int warmup, int ceilingSeconds) throws Exception {
      List<String> runs = new ArrayList<>();
      for (int i = 0; i < clients; i++) {
        runs.add(TelemetryLoad.createRun(port, experiment));
      }
      TelemetryLoad.say("(concurrent) %d clients (one run each), one step of 5 metrics per request, warmup %d s, "
          + "measure %d s", clients, warmup, seconds);
      Window w = closedLoop(clients, warmup, seconds,
          (c, step) -> sdkPost(RUNS + runs.get(c) + "/metrics", port, fiveMetricBody(step)), 201);
      report("concurrent", "POST …/metrics, 5 metrics", w);
      TelemetryLoad.say("(concurrent) ceiling: GET /healthz, same %d clients, warmup %d s, measure %d s", clients,
          Math.min(warmup, 5), ceilingSeconds);
      Window h = closedLoop(clients, Math.min(warmup, 5), ceilingSeconds, (c, step) -> sdkGet("/healthz", port), 200);
      report("concurrent", "GET /healthz (empty handler)", h);
      TelemetryLoad.say("(concurrent) RESULT small write / empty handler at %d clients: req/s %.4f, p50 %.1fx, "
          + "p99 %.1fx", clients, w.rate() / h.rate(), w.latency().ms(0.5) / h.latency().ms(0.5),
          w.latency().ms(0.99) / h.latency().ms(0.99));
    }

    /** {@code clients} closed-loop clients, each on its own keep-alive connection and thread. */
    Window closedLoop(int clients, int warmup, int seconds, Request request, int expect) throws Exception {
      TelemetryLoad.Recorder[] recorders = new TelemetryLoad.Recorder[clients];
      AtomicLong failures = new AtomicLong();
      long measureAt = System.nanoTime() + warmup * 1_000_000_000L;
      long endAt = measureAt + seconds * 1_000_000_000L;
      List<Thread> threads = new ArrayList<>();
      // The clients stay alive until the closing snapshot: a thread that has ended reports no CPU time.
      CountDownLatch finished = new CountDownLatch(clients);
      CountDownLatch measured = new CountDownLatch(1);
      // Each loop writes steps of its own range, so a later loop on the same run inserts too (201).
      long base = loops++ * 1_000_000_000L;
      for (int c = 0; c < clients; c++) {
        int client = c;
        recorders[c] = new TelemetryLoad.Recorder();
        Thread t = new Thread(() -> {
          try (TelemetryLoad.Conn conn = new TelemetryLoad.Conn(port)) {
            long step = base;
            while (true) {
              byte[] bytes = request.bytes(client, step++);
              long t0 = System.nanoTime();
              if (t0 >= endAt) {
                break;
              }
              int status = conn.exchange(bytes, null);
              long t1 = System.nanoTime();
              if (status != expect) {
                if (failures.incrementAndGet() < 5) {
                  System.err.println("answered " + status + ": " + conn.text());
                }
              }
              if (t0 >= measureAt) {
                recorders[client].add(t1 - t0);
              }
            }
          } catch (IOException e) {
            throw new RuntimeException(e);
          } finally {
            finished.countDown();
            awaitQuietly(measured);
          }
        }, "bench-http-" + c);
        threads.add(t);
      }
      threads.forEach(Thread::start);
      long wait = (measureAt - System.nanoTime()) / 1_000_000;
      if (wait > 0) {
        Thread.sleep(wait);
      }
      CpuAccounting.Snapshot s0 = cpu.take();
      Map<Long, long[]> pg0 = pgProcesses();
      Counters c0 = counters();
      finished.await();
      CpuAccounting.Snapshot s1 = cpu.take();
      double elapsed = (System.nanoTime() - measureAt) / 1e9;
      Map<Long, long[]> pg1 = pgProcesses();
      Counters c1 = counters();
      measured.countDown();
      for (Thread t : threads) {
        t.join();
      }
      TelemetryLoad.Recorder all = TelemetryLoad.Recorder.merge(recorders);
      if (failures.get() > 0) {
        throw new IllegalStateException(failures.get() + " requests did not answer " + expect);
      }
      return new Window(all.count(), elapsed, all, CpuAccounting.between(s0, s1), pgCores(pg0, pg1, elapsed),
          c1.commits - c0.commits, c1.walFsyncs - c0.walFsyncs, c1.walBytes - c0.walBytes);
    }

    void report(String tag, String what, Window w) {
      long n = w.requests();
      CpuAccounting.Usage u = w.cpu();
      TelemetryLoad.say("(%s) RESULT %s: %,d requests in %.1f s = %,.0f req/s; latency p50 %.3f ms p99 %.3f ms "
          + "p99.9 %.3f ms max %.1f ms; load %s", tag, what, n, w.seconds(), w.rate(), w.latency().ms(0.5),
          w.latency().ms(0.99), w.latency().ms(0.999), w.latency().ms(1.0), TelemetryLoad.load());
      TelemetryLoad.say("(%s) RESULT %s CPU per request: server JVM %.0f us (server threads %.0f + GC/JIT/VM %.0f), "
          + "PostgreSQL %.0f us, server JVM + PostgreSQL %.0f us; load generator %.0f us; other processes %.2f "
          + "cores, idle %.2f cores", tag, what, u.microsPerOp(u.serverThreadCores + u.jvmOtherCores, n),
          u.microsPerOp(u.serverThreadCores, n), u.microsPerOp(u.jvmOtherCores, n), u.microsPerOp(u.postgresCores, n),
          u.microsPerOp(u.serverThreadCores + u.jvmOtherCores + u.postgresCores, n),
          u.microsPerOp(u.loadGeneratorCores, n), u.otherProcessesCores, u.idleCores);
      StringBuilder pg = new StringBuilder();
      w.pgCores().forEach((k, v) -> pg.append(String.format(Locale.ROOT, "%s %.0f us, ", k, v * w.seconds() * 1e6 / n)));
      TelemetryLoad.say("(%s)   PostgreSQL by process, per request: %s", tag, pg.length() == 0 ? "-"
          : pg.substring(0, pg.length() - 2));
      TelemetryLoad.say("(%s)   commits per request %.2f, WAL fsyncs per request %.2f, WAL bytes per request %.0f",
          tag, (double) w.commits() / n, (double) w.walFsyncs() / n, (double) w.walBytes() / n);
      System.out.print(u.format(n, "    "));
    }

    /** One fdatasync: 8 KiB written at the next offset of a preallocated 16 MiB file in the data directory, then force(false). */
    void fsync(int seconds) throws IOException {
      Path file = dir.resolve("fsync-probe");
      int block = 8192;
      int blocks = 2048;
      try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
          StandardOpenOption.READ)) {
        ByteBuffer zero = ByteBuffer.allocate(block);
        for (int i = 0; i < blocks; i++) {
          zero.clear();
          ch.write(zero, (long) i * block);
        }
        ch.force(true);
        ByteBuffer buf = ByteBuffer.allocate(block);
        TelemetryLoad.Recorder rec = new TelemetryLoad.Recorder();
        long end = System.nanoTime() + seconds * 1_000_000_000L;
        long i = 0;
        while (System.nanoTime() < end) {
          buf.clear();
          buf.putLong(0, i);
          long t0 = System.nanoTime();
          ch.write(buf, (i % blocks) * block);
          ch.force(false);
          rec.add(System.nanoTime() - t0);
          i++;
        }
        TelemetryLoad.say("(seq) RESULT ceiling fdatasync on the data directory's disk (%s): %,d x (8 KiB write + "
            + "force(false)) in %d s: p50 %.0f us, p99 %.0f us, mean %.0f us = %,.0f fsyncs/s; load %s", dir,
            rec.count(), seconds, rec.ms(0.5) * 1000, rec.ms(0.99) * 1000, seconds * 1e6 / rec.count(),
            rec.count() / (double) seconds, TelemetryLoad.load());
      } finally {
        Files.deleteIfExists(file);
      }
    }

    // ------------------------------------------------------------ PostgreSQL counters

    record Counters(long commits, long walFsyncs, long walBytes) {}

    Counters counters() {
      try (Connection c = app.database().openDedicatedConnection(); Statement s = c.createStatement()) {
        // Each backend flushes its statistics at most once a second: over a 20 s window that is noise.
        long commits;
        try (ResultSet rs = s.executeQuery(
            "SELECT xact_commit FROM pg_stat_database WHERE datname = current_database()")) {
          rs.next();
          commits = rs.getLong(1);
        }
        long fsyncs = -1;
        try (ResultSet rs = s.executeQuery("SELECT coalesce(sum(fsyncs), 0) FROM pg_stat_io WHERE object = 'wal'")) {
          rs.next();
          fsyncs = rs.getLong(1);
        } catch (Exception e) {
          // before PostgreSQL 18 pg_stat_io has no WAL rows
        }
        long walBytes;
        try (ResultSet rs = s.executeQuery("SELECT wal_bytes FROM pg_stat_wal")) {
          rs.next();
          walBytes = rs.getLong(1);
        }
        return new Counters(commits, fsyncs, walBytes);
      } catch (Exception e) {
        TelemetryLoad.say("PostgreSQL counters not read: %s", e);
        return new Counters(0, 0, 0);
      }
    }

    /** utime + stime (clock ticks) of the postmaster and each child, with the child's role from its title. */
    Map<Long, long[]> pgProcesses() {
      Map<Long, long[]> out = new HashMap<>();
      if (postmaster <= 0) {
        return out;
      }
      try (DirectoryStream<Path> procs = Files.newDirectoryStream(Path.of("/proc"), p ->
          p.getFileName().toString().chars().allMatch(Character::isDigit))) {
        for (Path proc : procs) {
          try {
            String stat = Files.readString(proc.resolve("stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).trim().split(" ");
            long pid = Long.parseLong(proc.getFileName().toString());
            long ppid = Long.parseLong(f[1]);
            if (pid == postmaster || ppid == postmaster) {
              out.put(pid, new long[] {Long.parseLong(f[11]) + Long.parseLong(f[12]), role(proc, pid)});
            }
          } catch (IOException | RuntimeException e) {
            // gone
          }
        }
      } catch (IOException e) {
        return out;
      }
      return out;
    }

    private static final List<String> ROLES = List.of("postmaster", "backend (client sessions)", "walwriter",
        "checkpointer", "background writer", "io worker", "autovacuum", "other PostgreSQL processes");

    private long role(Path proc, long pid) throws IOException {
      if (pid == postmaster) {
        return 0;
      }
      String title = new String(Files.readAllBytes(proc.resolve("cmdline")), StandardCharsets.UTF_8)
          .replace('\0', ' ');
      if (title.contains("walwriter")) {
        return 2;
      }
      if (title.contains("checkpointer")) {
        return 3;
      }
      if (title.contains("background writer")) {
        return 4;
      }
      if (title.contains("io worker")) {
        return 5;
      }
      if (title.contains("autovacuum")) {
        return 6;
      }
      if (title.contains("127.0.0.1(") || title.contains("[local]")) {
        return 1;
      }
      return 7;
    }

    private static final long TICKS = 100; // Linux USER_HZ; CpuAccounting reads the same from getconf

    Map<String, Double> pgCores(Map<Long, long[]> a, Map<Long, long[]> b, double seconds) {
      Map<String, Double> out = new LinkedHashMap<>();
      for (String r : ROLES) {
        out.put(r, 0.0);
      }
      for (Map.Entry<Long, long[]> e : b.entrySet()) {
        long[] before = a.get(e.getKey());
        long delta = e.getValue()[0] - (before == null ? 0 : before[0]);
        out.merge(ROLES.get((int) e.getValue()[1]), delta / (double) TICKS / seconds, Double::sum);
      }
      out.values().removeIf(v -> v < 0.0005);
      return out;
    }

    // ------------------------------------------------------------ profile

    void profile(String experiment, int clients, int seconds, int warmup) throws Exception {
      List<String> runs = new ArrayList<>();
      for (int i = 0; i < clients; i++) {
        runs.add(TelemetryLoad.createRun(port, experiment));
      }
      boolean one = clients == 1;
      profileClients = clients;
      Request request = one
          ? (c, step) -> sdkPost(RUNS + runs.get(0) + "/metrics", port, oneMetricBody(step))
          : (c, step) -> sdkPost(RUNS + runs.get(c) + "/metrics", port, fiveMetricBody(step));
      TelemetryLoad.say("(profile) %d client(s), %s per request; warmup %d s without recording", clients,
          one ? "1 metric" : "one step of 5 metrics", warmup);
      closedLoop(clients, warmup, 0, request, 201);
      try (Connection c = app.database().openDedicatedConnection(); Statement s = c.createStatement()) {
        s.execute("SELECT pg_stat_statements_reset()");
        s.execute("SELECT pg_stat_reset_shared('io')");
      }
      Path jfr = dir.resolve("smallwrite.jfr");
      Window w;
      try (Recording r = new Recording()) {
        r.enable("jdk.ExecutionSample").withPeriod(Duration.ofMillis(5));
        r.enable("jdk.NativeMethodSample").withPeriod(Duration.ofMillis(20));
        r.enable("jdk.SocketRead").withThreshold(Duration.ZERO).withStackTrace();
        r.enable("jdk.SocketWrite").withThreshold(Duration.ZERO).withStackTrace();
        r.enable("jdk.ThreadPark").withThreshold(Duration.ZERO).withStackTrace();
        r.start();
        w = closedLoop(clients, 0, seconds, request, 201);
        r.stop();
        r.dump(jfr);
      }
      report("profile", one ? "POST …/metrics, 1 metric (under JFR and pg_stat_statements)"
          : "POST …/metrics, 5 metrics (under JFR and pg_stat_statements)", w);
      statements(w.requests());
      summarise(jfr, w.requests(), w.latency());
    }

    void statements(long requests) throws Exception {
      TelemetryLoad.say("(profile) pg_stat_statements, per request (execution time in the backend; commits and "
          + "their WAL flush are not in it: see pg_stat_io below):");
      System.out.printf(Locale.ROOT, "    %-70s %8s %10s %10s %10s %10s%n", "statement", "calls/req", "us/call",
          "us/req", "WAL B/req", "rows/call");
      double total = 0;
      try (Connection c = app.database().openDedicatedConnection(); Statement s = c.createStatement();
           ResultSet rs = s.executeQuery("SELECT regexp_replace(query, '\\s+', ' ', 'g'), calls, total_exec_time, "
               + "wal_bytes, rows FROM pg_stat_statements WHERE dbid = (SELECT oid FROM pg_database WHERE datname = "
               + "current_database()) AND query NOT LIKE '%pg_stat%' ORDER BY total_exec_time DESC LIMIT 15")) {
        while (rs.next()) {
          String q = rs.getString(1);
          long calls = rs.getLong(2);
          double ms = rs.getDouble(3);
          total += ms;
          System.out.printf(Locale.ROOT, "    %-70s %8.2f %10.1f %10.1f %10.0f %10.1f%n",
              q.length() > 70 ? q.substring(0, 67) + "..." : q, calls / (double) requests, ms * 1000 / calls,
              ms * 1000 / requests, rs.getDouble(4) / requests, rs.getLong(5) / (double) calls);
        }
      }
      System.out.printf(Locale.ROOT, "    %-70s %8s %10s %10.1f%n", "all statements above", "", "", total * 1000 / requests);
      TelemetryLoad.say("(profile) WAL I/O by process type (pg_stat_io, track_wal_io_timing on), per request; the "
          + "commit's WAL flush is not in the statement times above:");
      System.out.printf(Locale.ROOT, "    %-28s %-10s %10s %12s %10s %12s%n", "backend_type", "context", "writes/req",
          "write us/req", "fsyncs/req", "fsync us/req");
      try (Connection c = app.database().openDedicatedConnection(); Statement s = c.createStatement();
           ResultSet rs = s.executeQuery("SELECT backend_type, context, coalesce(writes, 0), coalesce(write_time, 0), "
               + "coalesce(fsyncs, 0), coalesce(fsync_time, 0) FROM pg_stat_io WHERE object = 'wal' "
               + "AND (coalesce(writes, 0) > 0 OR coalesce(fsyncs, 0) > 0) ORDER BY fsyncs DESC NULLS LAST")) {
        while (rs.next()) {
          System.out.printf(Locale.ROOT, "    %-28s %-10s %10.2f %12.1f %10.2f %12.1f%n", rs.getString(1),
              rs.getString(2), rs.getLong(3) / (double) requests, rs.getDouble(4) * 1000 / requests,
              rs.getLong(5) / (double) requests, rs.getDouble(6) * 1000 / requests);
        }
      }
    }

    // ------------------------------------------------------------ JFR summary

    /** Components of a small write, matched against the stack from the most specific marker down. */
    private static final String[][] COMPONENTS = {
        {"audit: INSERT audit_events + its commit (writer thread)", "io.animus.datapilot.audit.AuditStore."},
        {"audit: request thread hands off and waits (AuditLog.append)", "io.animus.datapilot.audit.AuditLog.append"},
        {"audit: writer thread's queue (AuditLog.writeLoop)", "io.animus.datapilot.audit.AuditLog."},
        {"stream hub (LISTEN connection, SSE; not per request)", "io.animus.datapilot.telemetry.StreamHub"},
        {"pool housekeeping, readiness (not per request)", "com.zaxxer.hikari.pool.HikariPool$HouseKeeper",
            "com.zaxxer.hikari.pool.HikariPool$PoolEntryCreator", "com.zaxxer.hikari.pool.HikariPool.createPoolEntry",
            "io.animus.datapilot.ops.", "io.animus.datapilot.storage.EmbeddedPostgresServer"},
        {"metric INSERT (points.writes, segments, rollups, series)", "io.animus.datapilot.telemetry.MetricStore.insert",
            "io.animus.datapilot.telemetry.NewPoints", "io.animus.datapilot.telemetry.SegmentCodec",
            "io.animus.datapilot.telemetry.Rollups"},
        {"group commit (GroupCommit)", "io.animus.datapilot.storage.GroupCommit"},
        {"series lookup (MetricService.seriesFor)", "io.animus.datapilot.telemetry.MetricService.seriesFor"},
        {"run-row touch (RunTouch.markSeen)", "io.animus.datapilot.experiments.RunTouch."},
        {"NOTIFY (Notifier, pg_notify)", "io.animus.datapilot.telemetry.Notifier.",
            "io.animus.datapilot.storage.Notifications."},
        {"run lookup (RunLookup.require)", "io.animus.datapilot.experiments.RunLookup."},
        {"transaction begin/commit, pool checkout/return", "org.jdbi.", "com.zaxxer.hikari.", "org.postgresql."},
        {"MetricService other (redaction, arrays)", "io.animus.datapilot.telemetry.MetricService."},
        {"request body parse (JsonBody, MetricBodies)", "io.animus.datapilot.http.JsonBody", "io.animus.datapilot.http.ApiRequest.json",
            "io.animus.datapilot.telemetry.MetricBodies", "io.animus.datapilot.telemetry.MetricInput"},
        {"answer JSON + write (HttpServer.write)", "io.animus.datapilot.http.HttpServer.write",
            "io.animus.datapilot.telemetry.MetricResource"},
        {"access log (logback)", "ch.qos.logback."},
        {"request metrics (RequestListener)", "io.animus.datapilot.http.RequestListener"},
        {"dispatch other (router, auth, request id, MDC)", "io.animus.datapilot.http."},
        {"HTTP: Jetty + Javalin + servlet", "org.eclipse.jetty.", "io.javalin.", "jakarta.servlet."},
    };

    static String component(RecordedStackTrace st) {
      if (st == null) {
        return "(no stack)";
      }
      List<RecordedFrame> frames = st.getFrames();
      String[] names = new String[frames.size()];
      for (int i = 0; i < names.length; i++) {
        var m = frames.get(i).getMethod();
        names[i] = m.getType().getName() + "." + m.getName();
      }
      for (String[] c : COMPONENTS) {
        for (String name : names) {
          for (int k = 1; k < c.length; k++) {
            if (name.startsWith(c[k])) {
              return c[0];
            }
          }
        }
      }
      return st.isTruncated() ? "(other, stack truncated)" : "(other)";
    }

    static String threadGroup(RecordedThread t) {
      String name = t == null || t.getJavaName() == null ? "?" : t.getJavaName();
      if (name.startsWith("bench-http-") || name.equals("main")) {
        return "load generator";
      }
      return "server";
    }

    private int profileClients = 1;

    void summarise(Path jfr, long requests, TelemetryLoad.Recorder latency) throws IOException {
      Map<String, Long> cpuSamples = new TreeMap<>();
      long[] samples = new long[2]; // server, load generator
      Map<String, long[]> pgTrips = new TreeMap<>(); // writes, reads, read nanos
      Map<String, long[]> parks = new TreeMap<>();   // count, nanos
      Map<String, Long> topFrames = new HashMap<>();
      for (RecordedEvent e : RecordingFile.readAllEvents(jfr)) {
        String type = e.getEventType().getName();
        switch (type) {
          case "jdk.ExecutionSample" -> {
            RecordedThread t = e.getThread("sampledThread");
            if (threadGroup(t).equals("load generator")) {
              samples[1]++;
              continue;
            }
            samples[0]++;
            String comp = component(e.getStackTrace());
            cpuSamples.merge(comp, 1L, Long::sum);
            if (e.getStackTrace() != null && !e.getStackTrace().getFrames().isEmpty()) {
              var m = e.getStackTrace().getFrames().get(0).getMethod();
              topFrames.merge(m.getType().getName() + "." + m.getName(), 1L, Long::sum);
            }
          }
          case "jdk.SocketRead", "jdk.SocketWrite" -> {
            if (e.getInt("port") != pgPort || threadGroup(e.getThread()).equals("load generator")) {
              continue;
            }
            String comp = component(e.getStackTrace());
            long[] a = pgTrips.computeIfAbsent(comp, k -> new long[3]);
            if (type.equals("jdk.SocketWrite")) {
              a[0]++;
            } else {
              a[1]++;
              a[2] += e.getDuration().toNanos();
            }
          }
          case "jdk.ThreadPark" -> {
            RecordedThread t = e.getThread();
            if (t == null || threadGroup(t).equals("load generator")) {
              continue;
            }
            String comp = component(e.getStackTrace());
            if (comp.startsWith("audit: request thread")) {
              long[] a = parks.computeIfAbsent(comp, k -> new long[2]);
              a[0]++;
              a[1] += e.getDuration().toNanos();
            }
          }
          default -> { }
        }
      }
      TelemetryLoad.say("(profile) server-thread CPU by component (JFR execution samples every 5 ms; %d server "
          + "samples, %d load-generator samples, %,d requests):", samples[0], samples[1], requests);
      long serverSamples = Math.max(1, samples[0]);
      cpuSamples.entrySet().stream().sorted((a, b) -> Long.compare(b.getValue(), a.getValue())).forEach(en ->
          System.out.printf(Locale.ROOT, "    %-66s %5.1f %%%n", en.getKey(), 100.0 * en.getValue() / serverSamples));
      TelemetryLoad.say("(profile) top leaf frames of server samples:");
      topFrames.entrySet().stream().sorted((a, b) -> Long.compare(b.getValue(), a.getValue())).limit(15).forEach(en ->
          System.out.printf(Locale.ROOT, "    %-90s %5.1f %%%n", en.getKey(), 100.0 * en.getValue() / serverSamples));
      TelemetryLoad.say("(profile) round trips to PostgreSQL (socket writes to port %d) and the time waited for "
          + "answers (socket reads), per request:", pgPort);
      System.out.printf(Locale.ROOT, "    %-66s %10s %10s %12s%n", "component", "writes/req", "reads/req",
          "wait us/req");
      long writes = 0;
      long waitNanos = 0;
      for (Map.Entry<String, long[]> en : pgTrips.entrySet()) {
        long[] a = en.getValue();
        writes += a[0];
        waitNanos += a[2];
        System.out.printf(Locale.ROOT, "    %-66s %10.2f %10.2f %12.1f%n", en.getKey(), a[0] / (double) requests,
            a[1] / (double) requests, a[2] / 1e3 / requests);
      }
      System.out.printf(Locale.ROOT, "    %-66s %10.2f %10s %12.1f%n", "all", writes / (double) requests, "",
          waitNanos / 1e3 / requests);
      parks.forEach((k, a) -> System.out.printf(Locale.ROOT,
          "    request thread parked in the audit wait: %.2f parks/req, %.1f us/req%n", a[0] / (double) requests,
          a[1] / 1e3 / requests));
      double meanUs = latency.meanMs() * 1000;
      TelemetryLoad.say("(profile) client-side latency under the profile: mean %.0f us, p50 %.3f ms, p99 %.3f ms; of "
          + "the mean, waited on PostgreSQL by the request thread (for %d client(s)):", meanUs, latency.ms(0.5),
          latency.ms(0.99), profileClients);
      double accounted = 0;
      for (String c : List.of("metric INSERT (points.writes, segments, rollups, series)",
          "run-row touch (RunTouch.markSeen)", "NOTIFY (Notifier, pg_notify)",
          "transaction begin/commit, pool checkout/return")) {
        long[] a = pgTrips.get(c);
        double us = a == null ? 0 : a[2] / 1e3 / requests;
        accounted += us;
        System.out.printf(Locale.ROOT, "    %-66s %8.0f us %5.1f %%%n", c, us, 100 * us / meanUs);
      }
      long[] park = parks.get("audit: request thread hands off and waits (AuditLog.append)");
      double auditUs = park == null ? 0 : park[1] / 1e3 / requests;
      accounted += auditUs;
      System.out.printf(Locale.ROOT, "    %-66s %8.0f us %5.1f %%%n", "audit wait (request thread parked in AuditLog.append)",
          auditUs, 100 * auditUs / meanUs);
      System.out.printf(Locale.ROOT, "    %-66s %8.0f us %5.1f %%%n", "rest: HTTP, parsing, server CPU, thread hand-offs",
          meanUs - accounted, 100 * (meanUs - accounted) / meanUs);
    }
  }
}
