package io.animus.datapilot.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.animus.datapilot.App;
import io.animus.datapilot.config.ConfigLoader;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;

/**
 * Telemetry load against an in-process server on loopback (issue 3, "Performance").
 *
 * <pre>
 * java -cp "bench/target/classes:bench/target/lib/*" io.animus.datapilot.bench.TelemetryLoad \
 *     [parts=abcd] [seconds=20] [warmup=5] [livePosts=500] [seriesPoints=1000000] [seriesReads=50]
 * </pre>
 *
 * a: 8 runs x metrics:batch of 10,000 points (points/s, CPU per point), plus a COPY ceiling of the same row count;
 * b: 16 clients x one step per request (published SDK shape, 5 metrics);
 * c: POST 2xx to SSE frame latency (events, paced metrics, sparse metrics);
 * d: series read of a 1,000,000-point series, plus a raw-row SQL aggregation ceiling.
 */
public final class TelemetryLoad {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String RUNS = "/api/experiments/experiment-runs/";

  private TelemetryLoad() {}

  public static void main(String[] args) throws Exception {
    Map<String, String> opt = options(args);
    String parts = opt.getOrDefault("parts", "abcd");
    int seconds = Integer.parseInt(opt.getOrDefault("seconds", "20"));
    int warmup = Integer.parseInt(opt.getOrDefault("warmup", "5"));
    Path dir = Files.createTempDirectory("bench-telemetry");
    Map<String, String> env = new HashMap<>();
    env.put("DATAPILOT_LISTEN", "127.0.0.1:0");
    env.put("DATAPILOT_DATA_DIR", dir.toString());
    App app = App.start(new ConfigLoader(env, Map.of()).load());
    int port = app.port();
    say("server on 127.0.0.1:%d, data dir %s, %d cpus, load %s", port, dir,
        Runtime.getRuntime().availableProcessors(), load());
    try {
      String experiment = createExperiment(port, "telemetry-bench");
      if (parts.contains("a")) {
        batchIngest(app, port, experiment, seconds, warmup);
      }
      if (parts.contains("b")) {
        oneStep(port, experiment, seconds, warmup);
      }
      if (parts.contains("c")) {
        live(port, experiment, Integer.parseInt(opt.getOrDefault("livePosts", "500")));
      }
      if (parts.contains("d")) {
        seriesRead(app, port, experiment, Integer.parseInt(opt.getOrDefault("seriesPoints", "1000000")),
            Integer.parseInt(opt.getOrDefault("seriesReads", "50")));
      }
    } finally {
      app.close();
      deleteTree(dir);
    }
    say("done");
    System.exit(0);
  }

  // ---------------------------------------------------------------- (a) batch ingest + COPY ceiling

  private static final int BATCH_NAMES = 10;
  private static final int BATCH_STEPS = 1000;

  private static void batchIngest(App app, int port, String experiment, int seconds, int warmup) throws Exception {
    int clients = 8;
    say("(a) batch ingest: %d runs x metrics:batch of %d points, warmup %d s, measure %d s", clients,
        BATCH_NAMES * BATCH_STEPS, warmup, seconds);
    List<String> runs = new ArrayList<>();
    for (int i = 0; i < clients; i++) {
      runs.add(createRun(port, experiment));
    }
    String[] names = new String[BATCH_NAMES];
    for (int n = 0; n < BATCH_NAMES; n++) {
      names[n] = "train/metric_" + n;
    }
    AtomicLong inserted = new AtomicLong();
    Recorder[] recorders = new Recorder[clients];
    long[] windowStart = new long[1];
    long measureAt = System.nanoTime() + warmup * 1_000_000_000L;
    long endAt = measureAt + seconds * 1_000_000_000L;
    List<Thread> threads = new ArrayList<>();
    // The clients stay alive until the closing CPU snapshot: a thread that has ended reports no CPU time.
    java.util.concurrent.CountDownLatch finished = new java.util.concurrent.CountDownLatch(clients);
    java.util.concurrent.CountDownLatch measured = new java.util.concurrent.CountDownLatch(1);
    for (int c = 0; c < clients; c++) {
      int client = c;
      recorders[c] = new Recorder();
      threads.add(thread("bench-http-batch-" + c, () -> {
        BatchTemplate t = BatchTemplate.of(names, BATCH_STEPS);
        byte[] head = postHead(RUNS + runs.get(client) + "/metrics:batch", t.body.length);
        try (Conn conn = new Conn(port)) {
          long round = 0;
          while (true) {
            long now = System.nanoTime();
            if (now >= endAt) {
              break;
            }
            t.patch(round * BATCH_STEPS);
            round++;
            long t0 = System.nanoTime();
            int status = conn.exchange(head, t.body);
            long t1 = System.nanoTime();
            if (status != 201) {
              throw new IllegalStateException("batch answered " + status + ": " + conn.text());
            }
            if (t0 >= measureAt) {
              recorders[client].add(t1 - t0);
              inserted.addAndGet(numberAfter(conn.text(), "\"inserted\":"));
            }
          }
        } catch (IOException e) {
          throw new RuntimeException(e);
        } finally {
          finished.countDown();
          try {
            measured.await();
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        }
      }));
    }
    windowStart[0] = measureAt;
    CpuAccounting cpu = new CpuAccounting(CreateRunLoad.Runner.postmasterPid(dataDir(app).resolve("pg")));
    threads.forEach(Thread::start);
    long wait = (measureAt - System.nanoTime()) / 1_000_000;
    if (wait > 0) {
      Thread.sleep(wait);
    }
    CpuAccounting.Snapshot before = cpu.take();
    finished.await();
    CpuAccounting.Snapshot after = cpu.take();
    double elapsed = (System.nanoTime() - measureAt) / 1e9;
    measured.countDown();
    for (Thread t : threads) {
      t.join();
    }
    Recorder all = Recorder.merge(recorders);
    long rows = inserted.get();
    double pointsPerSec = rows / elapsed;
    say("(a) RESULT batch ingest: %,d points in %.1f s = %,.0f points/s; %d requests, latency p50 %.1f ms "
        + "p99 %.1f ms max %.1f ms; load %s", rows, elapsed, pointsPerSec, all.count(), all.ms(0.50), all.ms(0.99),
        all.ms(1.0), load());
    // Points are counted from requests that started in the window, CPU over the window itself: close enough
    // over 20 s (8 requests in flight of ~0.5 s each).
    CpuAccounting.Usage usage = CpuAccounting.between(before, after);
    System.out.print(usage.format(0, "    "));
    say("(a) RESULT CPU per point: server JVM %.2f us (server threads %.2f + GC/JIT/VM %.2f), PostgreSQL %.2f us, "
        + "load generator %.2f us; server JVM + PostgreSQL %.2f us", usage.microsPerOp(usage.serverThreadCores
        + usage.jvmOtherCores, rows), usage.microsPerOp(usage.serverThreadCores, rows),
        usage.microsPerOp(usage.jvmOtherCores, rows), usage.microsPerOp(usage.postgresCores, rows),
        usage.microsPerOp(usage.loadGeneratorCores, rows), usage.microsPerOp(usage.serverThreadCores
        + usage.jvmOtherCores + usage.postgresCores, rows));

    // Ceiling: COPY the same number of rows, one row per point as the previous layout stored them
    // (series, step, value, time, write; primary key on series and step), 8 streams.
    int streams = 8;
    long perStream = rows / streams;
    int baseSeries = 1_000_000;
    try (Connection c = app.database().openDedicatedConnection()) {
      c.createStatement().execute("""
          CREATE TABLE IF NOT EXISTS bench_copy_ceiling (series_id integer NOT NULL, step bigint NOT NULL,
            value float8 NOT NULL, recorded_at timestamptz NOT NULL, write_id bigint NOT NULL,
            PRIMARY KEY (series_id, step))""");
    }
    AtomicLong copied = new AtomicLong();
    List<Thread> copiers = new ArrayList<>();
    long c0 = System.nanoTime();
    for (int s = 0; s < streams; s++) {
      int stream = s;
      copiers.add(thread(() -> {
        try (Connection c = app.database().openDedicatedConnection()) {
          CopyIn in = c.unwrap(PGConnection.class).getCopyAPI()
              .copyIn("COPY bench_copy_ceiling (series_id, step, value, recorded_at, write_id) FROM STDIN");
          ByteArrayOutputStream buf = new ByteArrayOutputStream(1 << 20);
          long done = 0;
          long round = 0;
          while (done < perStream) {
            buf.reset();
            for (int n = 0; n < BATCH_NAMES && done < perStream; n++) {
              int series = baseSeries + stream * BATCH_NAMES + n;
              for (int j = 0; j < BATCH_STEPS && done < perStream; j++, done++) {
                long step = round * BATCH_STEPS + j;
                buf.writeBytes((series + "\t" + step + "\t" + (0.5 + j * 1e-4)
                    + "\t2026-01-05 10:11:12.123456+00\t1\n").getBytes(StandardCharsets.US_ASCII));
              }
            }
            round++;
            byte[] b = buf.toByteArray();
            in.writeToCopy(b, 0, b.length);
          }
          copied.addAndGet(in.endCopy());
        } catch (Exception e) {
          throw new RuntimeException(e);
        }
      }));
    }
    copiers.forEach(Thread::start);
    for (Thread t : copiers) {
      t.join();
    }
    double copySeconds = (System.nanoTime() - c0) / 1e9;
    double copyRate = copied.get() / copySeconds;
    say("(a) RESULT COPY ceiling: %,d rows in %.1f s over %d streams = %,.0f rows/s; server/ceiling = %.2f; load %s",
        copied.get(), copySeconds, streams, copyRate, pointsPerSec / copyRate, load());
  }

  /** A metrics:batch body whose step fields are fixed-width (space padded) so they can be patched in place. */
  static final class BatchTemplate {
    static final int STEP_WIDTH = 12;
    final byte[] body;
    final int[] offsets;
    final int steps;

    private BatchTemplate(byte[] body, int[] offsets, int steps) {
      this.body = body;
      this.offsets = offsets;
      this.steps = steps;
    }

    static BatchTemplate of(String[] names, int steps) {
      StringBuilder b = new StringBuilder("{\"points\":[");
      int[] offsets = new int[names.length * steps];
      int k = 0;
      for (String name : names) {
        for (int j = 0; j < steps; j++) {
          if (k > 0) {
            b.append(',');
          }
          b.append("{\"name\":\"").append(name).append("\",\"step\":");
          offsets[k++] = b.length();
          b.append(" ".repeat(STEP_WIDTH));
          b.append(",\"value\":").append(String.format(Locale.ROOT, "%.6f", 2.0 / (1 + j * 0.01))).append('}');
        }
      }
      b.append("]}");
      return new BatchTemplate(b.toString().getBytes(StandardCharsets.US_ASCII), offsets, steps);
    }

    void patch(long base) {
      for (int k = 0; k < offsets.length; k++) {
        writeNumber(body, offsets[k], STEP_WIDTH, base + (k % steps));
      }
    }
  }

  /** Writes {@code value} right-aligned into {@code width} bytes at {@code at}, spaces before it. */
  static void writeNumber(byte[] into, int at, int width, long value) {
    int i = at + width - 1;
    long v = value;
    do {
      into[i--] = (byte) ('0' + (v % 10));
      v /= 10;
    } while (v > 0);
    while (i >= at) {
      into[i--] = ' ';
    }
  }

  // ---------------------------------------------------------------- (b) one step per request

  private static void oneStep(int port, String experiment, int seconds, int warmup) throws Exception {
    int clients = 16;
    say("(b) one step per request: %d clients (one run each), 5 metrics per step, warmup %d s, measure %d s",
        clients, warmup, seconds);
    List<String> runs = new ArrayList<>();
    for (int i = 0; i < clients; i++) {
      runs.add(createRun(port, experiment));
    }
    Recorder[] recorders = new Recorder[clients];
    long measureAt = System.nanoTime() + warmup * 1_000_000_000L;
    long endAt = measureAt + seconds * 1_000_000_000L;
    List<Thread> threads = new ArrayList<>();
    for (int c = 0; c < clients; c++) {
      int client = c;
      recorders[c] = new Recorder();
      threads.add(thread(() -> {
        String prefix = "{\"metrics\":{\"accuracy\":0.8125,\"grad_norm\":1.5,\"learning_rate\":0.001,"
            + "\"loss\":0.4375,\"tokens_per_second\":12345.5},\"step\":";
        byte[] body = (prefix + " ".repeat(12) + "}").getBytes(StandardCharsets.US_ASCII);
        byte[] head = postHead(RUNS + runs.get(client) + "/metrics", body.length);
        try (Conn conn = new Conn(port)) {
          long step = 0;
          while (true) {
            long t0 = System.nanoTime();
            if (t0 >= endAt) {
              break;
            }
            writeNumber(body, prefix.length(), 12, step++);
            int status = conn.exchange(head, body);
            long t1 = System.nanoTime();
            if (status != 201) {
              throw new IllegalStateException("metrics answered " + status + ": " + conn.text());
            }
            if (t0 >= measureAt) {
              recorders[client].add(t1 - t0);
            }
          }
        } catch (IOException e) {
          throw new RuntimeException(e);
        }
      }));
    }
    threads.forEach(Thread::start);
    for (Thread t : threads) {
      t.join();
    }
    double elapsed = (System.nanoTime() - measureAt) / 1e9;
    Recorder all = Recorder.merge(recorders);
    say("(b) RESULT one step per request: %,d requests in %.1f s = %,.0f requests/s (%,.0f samples/s); latency "
        + "p50 %.2f ms p99 %.2f ms max %.1f ms; load %s", all.count(), elapsed, all.count() / elapsed,
        5 * all.count() / elapsed, all.ms(0.50), all.ms(0.99), all.ms(1.0), load());
  }

  // ---------------------------------------------------------------- (c) live latency

  private static void live(int port, String experiment, int posts) throws Exception {
    String run = createRun(port, experiment);
    Map<String, Long> arrivals = new ConcurrentHashMap<>();
    Sse sse = new Sse(port, RUNS + run + "/stream", arrivals);
    Thread reader = thread(sse);
    reader.setDaemon(true);
    reader.start();
    if (!sse.ready.await(10, java.util.concurrent.TimeUnit.SECONDS)) {
      throw new IllegalStateException("no ready frame");
    }
    try (Conn conn = new Conn(port)) {
      // c1: events, one at a time, each waited for (up to 2 s).
      say("(c1) live latency, events: %d sequential POST .../events, each waited for on the stream (up to 5 s)", posts);
      long[] eventOk = new long[posts];
      for (int i = 0; i < posts; i++) {
        String key = "e:lat-" + i;
        byte[] body = ("{\"level\":\"info\",\"message\":\"lat-" + i + "\"}").getBytes(StandardCharsets.UTF_8);
        int status = conn.exchange(postHead(RUNS + run + "/events", body.length), body);
        eventOk[i] = System.nanoTime();
        if (status != 201) {
          throw new IllegalStateException("event answered " + status + ": " + conn.text());
        }
        awaitKey(arrivals, key, 5000);
      }
      awaitKey(arrivals, "e:lat-" + (posts - 1), 10_000);
      Recorder events = new Recorder();
      for (int i = 0; i < posts; i++) {
        Long at = arrivals.get("e:lat-" + i);
        if (at != null) {
          events.add(Math.max(0, at - eventOk[i]));
        }
      }
      say("(c1) RESULT event frames: %d/%d arrived; 2xx->frame p50 %.2f ms p95 %.2f ms p99 %.2f ms "
          + "max %.1f ms; load %s", events.count(), posts, events.ms(0.5), events.ms(0.95), events.ms(0.99),
          events.ms(1.0), load());

      // c2: metrics posted at a steady 20 ms pace (a training loop), frames matched by step.
      say("(c2) live latency, metrics: %d POST .../metrics (5 metrics, one step each) every 20 ms", posts);
      long[] okAt = new long[posts];
      long next = System.nanoTime();
      for (int i = 0; i < posts; i++) {
        while (System.nanoTime() < next) {
          Thread.onSpinWait();
        }
        next += 20_000_000L;
        byte[] body = stepBody(i);
        int status = conn.exchange(postHead(RUNS + run + "/metrics", body.length), body);
        okAt[i] = System.nanoTime();
        if (status != 201) {
          throw new IllegalStateException("metrics answered " + status + ": " + conn.text());
        }
      }
      long waitUntil = System.nanoTime() + 20_000_000_000L;
      while (System.nanoTime() < waitUntil && !arrivals.containsKey("m:" + (posts - 1))) {
        Thread.sleep(5);
      }
      Recorder metrics = new Recorder();
      for (int i = 0; i < posts; i++) {
        Long at = arrivals.get("m:" + i);
        if (at != null) {
          metrics.add(Math.max(0, at - okAt[i]));
        }
      }
      say("(c2) RESULT paced metric frames: %d/%d arrived; 2xx->frame p50 %.2f ms p95 %.2f ms p99 %.2f ms max %.1f ms;"
          + " load %s", metrics.count(), posts, metrics.ms(0.5), metrics.ms(0.95), metrics.ms(0.99), metrics.ms(1.0),
          load());

      // c3: sparse metrics: one step after the stream has been idle, nothing else posted.
      int sparse = 3;
      say("(c3) live latency, sparse metrics: %d single POST .../metrics after 300 ms idle, waiting up to 20 s each",
          sparse);
      Recorder sparseRec = new Recorder();
      for (int i = 0; i < sparse; i++) {
        Thread.sleep(300);
        int step = posts + 1000 + i;
        byte[] body = stepBody(step);
        int status = conn.exchange(postHead(RUNS + run + "/metrics", body.length), body);
        long ok = System.nanoTime();
        if (status != 201) {
          throw new IllegalStateException("metrics answered " + status);
        }
        Long at = awaitKey(arrivals, "m:" + step, 20_000);
        sparseRec.add(at == null ? 20_000_000_000L : Math.max(0, at - ok));
        say("(c3)   step %d: 2xx->frame %s", step, at == null ? "> 20 s (not seen)"
            : String.format(Locale.ROOT, "%.1f ms", (at - ok) / 1e6));
      }
      say("(c3) RESULT sparse metric frames: p50 %.1f ms max %.1f ms; load %s", sparseRec.ms(0.5),
          sparseRec.ms(1.0), load());
    } finally {
      sse.close();
    }
  }

  private static byte[] stepBody(long step) {
    return ("{\"metrics\":{\"accuracy\":0.8,\"grad_norm\":1.5,\"learning_rate\":0.001,\"loss\":0.43,"
        + "\"tokens_per_second\":12345.5},\"step\":" + step + "}").getBytes(StandardCharsets.US_ASCII);
  }

  private static Long awaitKey(Map<String, Long> arrivals, String key, long timeoutMs) throws InterruptedException {
    long until = System.nanoTime() + timeoutMs * 1_000_000L;
    while (true) {
      Long at = arrivals.get(key);
      if (at != null || System.nanoTime() > until) {
        return at;
      }
      Thread.onSpinWait();
      Thread.sleep(0, 200_000);
    }
  }

  /** An SSE reader (java.net.http): records the arrival time of every event frame (by message) and metrics frame (by step). */
  static final class Sse implements Runnable, Closeable {
    final java.net.http.HttpClient http = java.net.http.HttpClient.newBuilder()
        .version(java.net.http.HttpClient.Version.HTTP_1_1).build();
    final InputStream body;
    final Map<String, Long> arrivals;
    final java.util.concurrent.CountDownLatch ready = new java.util.concurrent.CountDownLatch(1);

    Sse(int port, String path, Map<String, Long> arrivals) throws IOException, InterruptedException {
      this.arrivals = arrivals;
      var r = http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + port + path))
          .header("Accept", "text/event-stream").build(), java.net.http.HttpResponse.BodyHandlers.ofInputStream());
      if (r.statusCode() != 200) {
        throw new IllegalStateException("stream answered " + r.statusCode());
      }
      this.body = r.body();
    }

    @Override
    public void run() {
      try {
        InputStream in = new BufferedInputStream(body, 1 << 16);
        String event = null;
        String data = null;
        for (String line = readLine(in); line != null; line = readLine(in)) {
          if (line.isEmpty()) {
            long now = System.nanoTime();
            if (data != null) {
              try {
                dispatch(event, data, now);
              } catch (IOException e) {
                System.err.println("unparsable frame " + event + ": " + data);
              }
            }
            event = null;
            data = null;
          } else if (line.startsWith("event: ")) {
            event = line.substring(7);
          } else if (line.startsWith("data: ")) {
            data = line.substring(6);
          }
        }
      } catch (IOException e) {
        // closed
      }
    }

    private void dispatch(String event, String data, long now) throws IOException {
      if ("ready".equals(event)) {
        ready.countDown();
      } else if ("event".equals(event)) {
        JsonNode n = JSON.readTree(data);
        arrivals.putIfAbsent("e:" + n.path("message").asText(), now);
      } else if ("metrics".equals(event)) {
        for (JsonNode s : JSON.readTree(data).path("samples")) {
          arrivals.putIfAbsent("m:" + s.path("step").asLong(), now);
        }
      }
    }

    @Override
    public void close() throws IOException {
      body.close();
    }
  }

  // ---------------------------------------------------------------- (d) series read

  private static void seriesRead(App app, int port, String experiment, int points, int reads) throws Exception {
    String run = createRun(port, experiment);
    String name = "train/loss";
    say("(d) series read: loading %,d points into %s via metrics:batch", points, name);
    BatchTemplate t = BatchTemplate.of(new String[] {name}, 10_000);
    byte[] head = postHead(RUNS + run + "/metrics:batch", t.body.length);
    long l0 = System.nanoTime();
    try (Conn conn = new Conn(port)) {
      for (long base = 0; base < points; base += 10_000) {
        t.patch(base);
        int status = conn.exchange(head, t.body);
        if (status != 201) {
          throw new IllegalStateException("batch answered " + status + ": " + conn.text());
        }
      }
      say("(d) loaded in %.1f s (one client, %,.0f points/s)", (System.nanoTime() - l0) / 1e9,
          points / ((System.nanoTime() - l0) / 1e9));
      try (Connection c = app.database().openDedicatedConnection()) {
        c.createStatement().execute("VACUUM ANALYZE points.segments");
        c.createStatement().execute("VACUUM ANALYZE points.rollups");
      }
      byte[] get = ("GET " + RUNS + run + "/metrics/series?name=train/loss&max_points=1000 HTTP/1.1\r\n"
          + "Host: 127.0.0.1\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
      for (int i = 0; i < 5; i++) {
        conn.exchange(get, null);
      }
      Recorder rec = new Recorder();
      int buckets = 0;
      for (int i = 0; i < reads; i++) {
        long t0 = System.nanoTime();
        int status = conn.exchange(get, null);
        rec.add(System.nanoTime() - t0);
        if (status != 200) {
          throw new IllegalStateException("series answered " + status + ": " + conn.text());
        }
        if (i == 0) {
          JsonNode n = JSON.readTree(conn.text());
          buckets = n.path("buckets").size();
          say("(d)   total_points %d, downsampled %s, %d buckets, %d bytes", n.path("total_points").asLong(),
              n.path("downsampled").asBoolean(), buckets, conn.body.length);
        }
      }
      say("(d) RESULT series read (%d reads): p50 %.1f ms p95 %.1f ms max %.1f ms; load %s", reads, rec.ms(0.5),
          rec.ms(0.95), rec.ms(1.0), load());
      // Ceiling: a plain SQL read of the rollup rows the server assembles the chart from (the finest
      // level with at most 16,384 rows), over JDBC, without the assembly or the HTTP answer.
      try (Connection c = app.database().openDedicatedConnection()) {
        int seriesId;
        try (PreparedStatement ps = c.prepareStatement(
            "SELECT series_id FROM points.series WHERE run_id = CAST(? AS uuid) AND name = ?")) {
          ps.setString(1, run);
          ps.setString(2, name);
          try (ResultSet rs = ps.executeQuery()) {
            rs.next();
            seriesId = rs.getInt(1);
          }
        }
        String sql = """
            SELECT first_step, last_step, min_value, max_value, last_value, point_count, nan_count
            FROM points.rollups WHERE run_id = CAST(? AS uuid) AND series_id = ?
              AND level = (SELECT min(level) FROM points.rollups WHERE run_id = CAST(? AS uuid) AND series_id = ?
                           GROUP BY level HAVING count(*) <= 16384 ORDER BY level LIMIT 1)
            ORDER BY bucket
            """;
        Recorder sqlRec = new Recorder();
        int sqlReads = 10;
        for (int i = 0; i < sqlReads + 1; i++) {
          long t0 = System.nanoTime();
          int rows = 0;
          try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, run);
            ps.setInt(2, seriesId);
            ps.setString(3, run);
            ps.setInt(4, seriesId);
            try (ResultSet rs = ps.executeQuery()) {
              while (rs.next()) {
                rows++;
              }
            }
          }
          if (i > 0) {
            sqlRec.add(System.nanoTime() - t0);
          } else {
            say("(d)   SQL ceiling reads %d rollup rows", rows);
          }
        }
        say("(d) RESULT rollup-row SQL read (%d runs): p50 %.1f ms p95 %.1f ms; server p95 / SQL p95 "
            + "= %.3f; load %s", sqlReads, sqlRec.ms(0.5), sqlRec.ms(0.95), rec.ms(0.95) / sqlRec.ms(0.95), load());
      }
    }
  }

  // ---------------------------------------------------------------- plumbing

  static String createExperiment(int port, String name) throws IOException {
    return postJson(port, "/api/experiments/experiments",
        "{\"description\":\"\",\"metadata\":{},\"name\":\"" + name + "-" + System.nanoTime() + "\"}")
        .path("experiment_id").asText();
  }

  static String createRun(int port, String experiment) throws IOException {
    return postJson(port, "/api/experiments/experiments/" + experiment + "/runs",
        "{\"metrics\":{},\"params\":{},\"status\":\"running\"}").path("run_id").asText();
  }

  static JsonNode postJson(int port, String path, String json) throws IOException {
    byte[] body = json.getBytes(StandardCharsets.UTF_8);
    try (Conn conn = new Conn(port)) {
      int status = conn.exchange(postHead(path, body.length), body);
      if (status / 100 != 2) {
        throw new IllegalStateException(path + " answered " + status + ": " + conn.text());
      }
      return JSON.readTree(conn.body);
    }
  }

  static byte[] postHead(String path, int length) {
    return ("POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: "
        + length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
  }

  /** A minimal HTTP/1.1 keep-alive client on a raw socket: pre-built request bytes in, status and body out. */
  static final class Conn implements Closeable {
    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;
    byte[] body = new byte[0];

    Conn(int port) throws IOException {
      socket = new Socket("127.0.0.1", port);
      socket.setTcpNoDelay(true);
      in = new BufferedInputStream(socket.getInputStream(), 1 << 16);
      out = socket.getOutputStream();
    }

    int exchange(byte[] head, byte[] requestBody) throws IOException {
      if (requestBody == null) {
        out.write(head);
      } else if (head.length + requestBody.length < 16_384) {
        byte[] all = Arrays.copyOf(head, head.length + requestBody.length);
        System.arraycopy(requestBody, 0, all, head.length, requestBody.length);
        out.write(all);
      } else {
        out.write(head);
        out.write(requestBody);
      }
      out.flush();
      String statusLine = readLine(in);
      if (statusLine == null) {
        throw new IOException("connection closed");
      }
      int status = Integer.parseInt(statusLine.substring(9, 12));
      long length = -1;
      boolean chunked = false;
      for (String h = readLine(in); h != null && !h.isEmpty(); h = readLine(in)) {
        String lower = h.toLowerCase(Locale.ROOT);
        if (lower.startsWith("content-length:")) {
          length = Long.parseLong(h.substring(15).trim());
        } else if (lower.startsWith("transfer-encoding:") && lower.contains("chunked")) {
          chunked = true;
        }
      }
      if (chunked) {
        body = new Chunked(in).readAllBytes();
      } else if (length >= 0) {
        body = in.readNBytes((int) length);
      } else {
        body = new byte[0];
      }
      return status;
    }

    String text() {
      return new String(body, StandardCharsets.UTF_8);
    }

    @Override
    public void close() throws IOException {
      socket.close();
    }
  }

  /** Decodes a chunked body; ends at the zero chunk (trailers consumed). */
  static final class Chunked extends InputStream {
    private final InputStream in;
    private long left;
    private boolean done;

    Chunked(InputStream in) {
      this.in = in;
    }

    private boolean fill() throws IOException {
      if (done) {
        return false;
      }
      if (left == 0) {
        String size = readLine(in);
        if (size == null) {
          done = true;
          return false;
        }
        if (size.isEmpty()) {
          size = readLine(in);
        }
        int semi = size.indexOf(';');
        left = Long.parseLong((semi >= 0 ? size.substring(0, semi) : size).trim(), 16);
        if (left == 0) {
          for (String t = readLine(in); t != null && !t.isEmpty(); t = readLine(in)) {
            // trailers
          }
          done = true;
          return false;
        }
      }
      return true;
    }

    @Override
    public int read() throws IOException {
      if (!fill()) {
        return -1;
      }
      int b = in.read();
      if (--left == 0) {
        readLine(in);
      }
      return b;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      if (len == 0) {
        return 0;
      }
      if (!fill()) {
        return -1;
      }
      int n = in.read(b, off, (int) Math.min(len, left));
      if (n < 0) {
        done = true;
        return -1;
      }
      left -= n;
      if (left == 0) {
        readLine(in);
      }
      return n;
    }
  }

  static String readLine(InputStream in) throws IOException {
    StringBuilder b = new StringBuilder();
    int c;
    while ((c = in.read()) >= 0) {
      if (c == '\n') {
        int len = b.length();
        if (len > 0 && b.charAt(len - 1) == '\r') {
          b.setLength(len - 1);
        }
        return b.toString();
      }
      b.append((char) c);
    }
    return b.length() == 0 ? null : b.toString();
  }

  static long numberAfter(String text, String key) {
    int i = text.indexOf(key);
    if (i < 0) {
      return 0;
    }
    i += key.length();
    long v = 0;
    while (i < text.length() && Character.isDigit(text.charAt(i))) {
      v = v * 10 + (text.charAt(i++) - '0');
    }
    return v;
  }

  /** A private latency recorder: raw nanosecond samples, exact percentiles by sorting. */
  static final class Recorder {
    private long[] values = new long[1024];
    private int n;

    synchronized void add(long nanos) {
      if (n == values.length) {
        values = Arrays.copyOf(values, n * 2);
      }
      values[n++] = nanos;
    }

    synchronized int count() {
      return n;
    }

    static Recorder merge(Recorder... parts) {
      Recorder r = new Recorder();
      for (Recorder p : parts) {
        synchronized (p) {
          for (int i = 0; i < p.n; i++) {
            r.add(p.values[i]);
          }
        }
      }
      return r;
    }

    /** The mean in milliseconds; NaN when empty. */
    synchronized double meanMs() {
      if (n == 0) {
        return Double.NaN;
      }
      double sum = 0;
      for (int i = 0; i < n; i++) {
        sum += values[i];
      }
      return sum / n / 1e6;
    }

    /** The p-quantile (nearest rank) in milliseconds; NaN when empty. */
    synchronized double ms(double p) {
      if (n == 0) {
        return Double.NaN;
      }
      long[] sorted = Arrays.copyOf(values, n);
      Arrays.sort(sorted);
      int rank = (int) Math.ceil(p * n);
      return sorted[Math.max(0, Math.min(n - 1, rank - 1))] / 1e6;
    }
  }

  /** A platform thread that prints what kills it. */
  static Thread thread(Runnable r) {
    return new Thread(() -> {
      try {
        r.run();
      } catch (RuntimeException e) {
        e.printStackTrace();
        throw e;
      }
    });
  }

  /** The same, named (CpuAccounting counts threads named {@code bench-http-…} as the load generator). */
  static Thread thread(String name, Runnable r) {
    Thread t = thread(r);
    t.setName(name);
    return t;
  }

  /** The server's data directory (the embedded PostgreSQL is in its {@code pg} subdirectory). */
  static Path dataDir(App app) {
    return app.config().dataDir();
  }

  static String load() {
    try {
      String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
      return f[0] + "/" + f[1] + "/" + f[2];
    } catch (IOException e) {
      return "?";
    }
  }

  static void say(String format, Object... args) {
    System.out.printf(Locale.ROOT, "[%tT] " + format + "%n", prepend(new java.util.Date(), args));
    System.out.flush();
  }

  private static Object[] prepend(Object first, Object[] rest) {
    Object[] all = new Object[rest.length + 1];
    all[0] = first;
    System.arraycopy(rest, 0, all, 1, rest.length);
    return all;
  }

  static Map<String, String> options(String[] args) {
    Map<String, String> opt = new HashMap<>();
    for (String a : args) {
      int eq = a.indexOf('=');
      if (eq <= 0) {
        throw new IllegalArgumentException("arguments are key=value, got " + a);
      }
      opt.put(a.substring(0, eq), a.substring(eq + 1));
    }
    return opt;
  }

  static void deleteTree(Path dir) {
    try (Stream<Path> walk = Files.walk(dir)) {
      walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      System.err.println("could not delete " + dir + ": " + e.getMessage());
    }
  }
}
