package io.animus.datapilot.telemetry;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.animus.datapilot.testing.ForkedServer;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The telemetry store's promise, held from outside (HTTP only, so it holds whatever the store looks like
 * inside): a SIGKILL at any moment loses no metric point that was acknowledged. Several clients write
 * small single-step requests the way the published SDK does (one request at a time, each waiting for its
 * answer, retried on 429 and 5xx), while a couple write {@code metrics:batch} requests of 1,000–10,000
 * points. Every point has its own value (seeded), NaN and ±Infinity among them, and every client records
 * which points a 2xx acknowledged. After a seeded 2–5 s of load (and once a batch is in flight) the server
 * is killed, in every second cycle together with its embedded postmaster (so PostgreSQL recovers from its
 * write-ahead log), and started again on the same data directory. The SDK's retry of every request whose
 * answer was lost must then be acknowledged (a duplicate step is 200, not an error), and its answer shows
 * whether a batch had been stored whole or not at all; a later write of an acknowledged step with another
 * value must not replace it (first write wins). Then every series is read back completely and must hold
 * <ul>
 *   <li>every acknowledged point, with the exact value sent (compared bit for bit);</li>
 *   <li>no point that was never sent, and no value other than the one sent for that step;</li>
 *   <li>each batch whole or not at all.</li>
 * </ul>
 * Three kill/restart cycles on the same runs ({@code -Ddatapilot.telemetryCrash.cycles=N} for another
 * number); every cycle checks all points written so far.
 */
class TelemetryCrashForkedTest {
  private static final long SEED = 20261216L;
  private static final int CYCLES = Integer.getInteger("datapilot.telemetryCrash.cycles", 3);
  private static final int RUNS = 3;
  private static final int SMALL_WRITERS = 4;
  private static final int BATCH_WRITERS = 2;
  private static final String[] SMALL_NAMES = {"loss", "accuracy", "lr"};
  private static final String[] BATCH_NAMES = {"loss", "grad_norm"};
  private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(3)).build();
  /** A plain mapper: floats read as doubles by the JDK's correctly rounded parse. */
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir
  Path dir;

  private Map<String, String> env() {
    return Map.of("DATAPILOT_DATA_DIR", dir.resolve("data").toString());
  }

  enum Outcome { ACKED, UNKNOWN, REFUSED }

  /** Where a point is: run (index into the runs made), series name, step. */
  record Key(int run, String name, long step) {
    @Override
    public String toString() {
      return "run " + run + " " + name + " step " + step;
    }
  }

  /** One metric point: which run, which series, which step, and the one value ever sent for it. */
  record Point(int run, String name, long step, double value) {
    Key key() {
      return new Key(run, name, step);
    }
  }

  /** One request as sent (so it can be sent again identically) and what its client was told. */
  static final class Sent {
    final boolean batch;
    final int run;
    final String body;
    final List<Point> points;
    volatile Outcome outcome = Outcome.UNKNOWN;
    volatile String answer = "no answer";

    Sent(boolean batch, int run, String body, List<Point> points) {
      this.batch = batch;
      this.run = run;
      this.body = body;
      this.points = points;
    }

    String describe() {
      return (batch ? "batch of " + points.size() + " points" : "single step " + points.get(0).step())
          + " to run " + run + " (" + outcome + ", " + answer + ")";
    }
  }

  private final List<Sent> ledger = java.util.Collections.synchronizedList(new ArrayList<>());
  private final Set<Long> usedValueBits = ConcurrentHashMap.newKeySet();
  private final List<String> runPaths = new ArrayList<>();
  private ForkedServer server;

  @AfterEach
  void stopWhatIsLeft() throws Exception {
    if (server != null) {
      server.close();
    }
    // a server killed without a restart leaves its embedded postmaster (pg_ctl detaches it): stop it
    postmaster().ifPresent(p -> {
      p.destroy();
      p.onExit().orTimeout(15, TimeUnit.SECONDS).exceptionally(e -> {
        p.destroyForcibly();
        return p;
      }).join();
    });
  }

  /** The postmaster of this test's embedded PostgreSQL, if one is running (never another process). */
  private Optional<ProcessHandle> postmaster() throws IOException {
    Path pid = dir.resolve("data").resolve("pg").resolve("postmaster.pid");
    if (!Files.isRegularFile(pid)) {
      return Optional.empty();
    }
    List<String> lines = Files.readAllLines(pid);
    if (lines.size() < 2 || !Files.isSameFile(Path.of(lines.get(1).trim()), pid.getParent())) {
      return Optional.empty();
    }
    return ProcessHandle.of(Long.parseLong(lines.get(0).trim())).filter(ProcessHandle::isAlive)
        .filter(p -> p.info().command().map(c -> c.endsWith("postgres")).orElse(false));
  }

  @Test
  void aSigkillDuringConcurrentSmallAndLargeMetricWritesLosesNothingAcknowledged() throws Exception {
    Random random = new Random(SEED);
    Random killAt = new Random(SEED * 31 + 7);
    long testStarted = System.nanoTime();
    server = ForkedServer.start(dir, env());
    System.out.printf("telemetry crash: first start ready in %.1f s%n", server.await("/readyz",
        Duration.ofSeconds(120)));
    createRuns();
    long[][] nextSmallStep = new long[SMALL_WRITERS][1];
    long[][] nextBatchStep = new long[BATCH_WRITERS][1];

    for (int cycle = 0; cycle < CYCLES; cycle++) {
      String base = server.base();
      List<String> problems = new CopyOnWriteArrayList<>();
      Loads load = new Loads();
      List<Thread> writers = new ArrayList<>();
      for (int i = 0; i < SMALL_WRITERS; i++) {
        writers.add(smallWriter(base, i, new Random(random.nextLong()), nextSmallStep[i], load, problems));
      }
      for (int j = 0; j < BATCH_WRITERS; j++) {
        writers.add(batchWriter(base, j, new Random(random.nextLong()), nextBatchStep[j], load, problems));
      }
      long loadMs = 2000 + killAt.nextInt(3001);
      writers.forEach(Thread::start);
      Thread.sleep(loadMs);
      // small writes are nearly always in flight; wait for a batch to be too, then cut it at a seeded moment
      long waitUntil = System.nanoTime() + Duration.ofSeconds(5).toNanos();
      while (load.batchesInFlight.get() == 0 && System.nanoTime() < waitUntil) {
        Thread.sleep(1);
      }
      Thread.sleep(killAt.nextInt(120));
      long killed = System.nanoTime();
      Optional<ProcessHandle> postmaster = postmaster();
      server.kill();
      if (cycle % 2 == 1) {
        // the whole stack at once, as when the machine dies: PostgreSQL recovers from its write-ahead log
        assertThat(postmaster).as("the embedded postmaster of the killed server").isPresent();
        postmaster.get().destroyForcibly();
        postmaster.get().onExit().get(30, TimeUnit.SECONDS);
      }
      load.stopping = true;
      for (Thread t : writers) {
        t.join(60_000);
        assertThat(t.isAlive()).as("writer %s still running after the kill", t.getName()).isFalse();
      }
      int ledgerSize = ledger.size();
      server = ForkedServer.start(dir, env());
      server.await("/readyz", Duration.ofSeconds(90));
      double restart = (System.nanoTime() - killed) / 1e9;
      assertThat(problems).as("answers during the load").isEmpty();

      String told = counts(ledger.subList(ledgerSize - load.requests(), ledgerSize));
      int retried = retryLostAnswers(server.base());
      firstWriteWins(server.base(), random);
      long verifyStarted = System.nanoTime();
      int points = verify(server.base(), "after kill " + (cycle + 1));
      System.out.printf("telemetry crash: cycle %d: SIGKILL of the server%s after %d ms of load, ready again in "
              + "%.1f s; told before the kill: %s; %d sent again; %d points stored in all, verified in %.1f s%n",
          cycle + 1, cycle % 2 == 1 ? " and its postmaster" : "", loadMs, restart, told, retried, points,
          (System.nanoTime() - verifyStarted) / 1e9);
    }
    System.out.printf("telemetry crash: %d cycles, %s; %.1f s in all%n", CYCLES, counts(ledger),
        (System.nanoTime() - testStarted) / 1e9);
    assertThat(ledger.stream().filter(s -> s.batch && s.outcome == Outcome.ACKED).count())
        .as("acknowledged batches").isPositive();
  }

  /** Requests started by the writers of one cycle. */
  static final class Loads {
    volatile boolean stopping;
    final AtomicInteger requests = new AtomicInteger();
    final AtomicInteger batchesInFlight = new AtomicInteger();

    int requests() {
      return requests.get();
    }
  }

  private void createRuns() throws IOException {
    JsonNode experiment = postJson(server.base(), "/api/experiments/experiments",
        "{\"description\":\"\",\"metadata\":{},\"name\":\"telemetry-crash\"}", 201);
    String experimentId = experiment.get("experiment_id").asText();
    for (int r = 0; r < RUNS; r++) {
      JsonNode run = postJson(server.base(), "/api/experiments/experiments/" + experimentId + "/runs",
          "{\"metrics\":{},\"params\":{\"run\":" + r + "},\"status\":\"running\"}", 201);
      runPaths.add("/api/experiments/experiment-runs/" + run.get("run_id").asText());
    }
  }

  /** As the published SDK logs a step: one request at a time, waiting for its answer. */
  private Thread smallWriter(String base, int writer, Random random, long[] nextStep, Loads load,
                             List<String> problems) {
    int run = writer % RUNS;
    return new Thread(() -> {
      while (!load.stopping) {
        long step = nextStep[0]++;
        List<Point> points = new ArrayList<>();
        StringBuilder body = new StringBuilder("{\"metadata\":{},\"metrics\":{");
        for (int m = 0; m < SMALL_NAMES.length; m++) {
          Point p = new Point(run, "small" + writer + "/" + SMALL_NAMES[m], step, value(random));
          points.add(p);
          body.append(m == 0 ? "" : ",").append('"').append(p.name()).append("\":").append(literal(p.value()));
        }
        body.append("},\"step\":").append(step).append('}');
        Sent sent = new Sent(false, run, body.toString(), points);
        ledger.add(sent);
        load.requests.incrementAndGet();
        sendUntilAnswered(base + runPaths.get(run) + "/metrics", sent, load, problems);
      }
    }, "small-writer-" + writer);
  }

  /** Large batches, each of 1,000–10,000 points over consecutive steps of two series. */
  private Thread batchWriter(String base, int writer, Random random, long[] nextStep, Loads load,
                             List<String> problems) {
    int run = (SMALL_WRITERS + writer) % RUNS;
    return new Thread(() -> {
      while (!load.stopping) {
        int size = 1000 + random.nextInt(9001) / BATCH_NAMES.length * BATCH_NAMES.length;
        List<Point> points = new ArrayList<>(size);
        StringBuilder body = new StringBuilder(size * 64).append("{\"points\":[");
        for (int i = 0; i < size; i++) {
          long step = nextStep[0] + i / BATCH_NAMES.length;
          Point p = new Point(run, "bulk" + writer + "/" + BATCH_NAMES[i % BATCH_NAMES.length], step, value(random));
          points.add(p);
          body.append(i == 0 ? "" : ",").append("{\"step\":").append(step).append(",\"name\":\"").append(p.name())
              .append("\",\"value\":").append(literal(p.value())).append('}');
        }
        nextStep[0] += size / BATCH_NAMES.length;
        Sent sent = new Sent(true, run, body.append("]}").toString(), points);
        ledger.add(sent);
        load.requests.incrementAndGet();
        load.batchesInFlight.incrementAndGet();
        try {
          sendUntilAnswered(base + runPaths.get(run) + "/metrics:batch", sent, load, problems);
        } finally {
          load.batchesInFlight.decrementAndGet();
        }
        // a trainer flushing what it buffered, not a bulk import: at most some 5,000 points a second
        pause(100 + size / 5, load);
      }
    }, "batch-writer-" + writer);
  }

  /**
   * Sends until a 2xx (acknowledged) or 4xx other than 429 (refused: a defect of this test or the server,
   * reported); no answer, 429 and 5xx are retried as the SDK does, until the kill stops the load (then the
   * outcome stays unknown).
   */
  private static void sendUntilAnswered(String url, Sent sent, Loads load, List<String> problems) {
    while (true) {
      HttpResponse<String> r = send("POST", url, sent.body);
      if (r != null) {
        sent.answer = r.statusCode() + (r.statusCode() / 100 == 2 ? "" : " " + abbreviate(r.body()));
        if (r.statusCode() / 100 == 2) {
          sent.outcome = Outcome.ACKED;
          return;
        }
        if (r.statusCode() / 100 == 4 && r.statusCode() != 429) {
          sent.outcome = Outcome.REFUSED;
          problems.add("refused: " + sent.describe());
          return;
        }
      }
      if (load.stopping || Thread.currentThread().isInterrupted()) {
        return;
      }
      pause(20, load);
    }
  }

  private static void pause(long ms, Loads load) {
    try {
      if (!load.stopping) {
        Thread.sleep(ms);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * A value no other point has: mostly ordinary numbers of many magnitudes, some with arbitrary bits
   * (subnormals and the extremes among them), a few NaN and ±Infinity. Never -0.0: the server reads
   * values as decimals, which have no negative zero (docs: the general path's BigDecimal).
   */
  private double value(Random random) {
    while (true) {
      int kind = random.nextInt(100);
      double v;
      if (kind < 2) {
        return new double[] {Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY}[random.nextInt(3)];
      } else if (kind < 22) {
        v = Double.longBitsToDouble(random.nextLong());
      } else {
        v = random.nextGaussian() * Math.pow(10, random.nextInt(13) - 6);
      }
      if (Double.isFinite(v) && v != 0 && usedValueBits.add(Double.doubleToRawLongBits(v))) {
        return v;
      }
    }
  }

  /** The JSON for a value: shortest round-tripping decimal, or the literals Python's json writes. */
  private static String literal(double v) {
    if (Double.isNaN(v)) {
      return "NaN";
    }
    if (Double.isInfinite(v)) {
      return v > 0 ? "Infinity" : "-Infinity";
    }
    return Double.toString(v);
  }

  /** A value as answered: a JSON number, or the strings "NaN", "Infinity", "-Infinity". */
  private static double answered(JsonNode value) {
    if (value.isTextual()) {
      return switch (value.textValue()) {
        case "NaN" -> Double.NaN;
        case "Infinity" -> Double.POSITIVE_INFINITY;
        case "-Infinity" -> Double.NEGATIVE_INFINITY;
        default -> throw new AssertionError("metric value answered as the string " + value);
      };
    }
    assertThat(value.isNumber()).as("metric value %s", value).isTrue();
    return value.doubleValue();
  }

  private static boolean same(double a, double b) {
    return Double.doubleToLongBits(a) == Double.doubleToLongBits(b); // every NaN is one NaN
  }

  private static String show(double v) {
    return literal(v) + " (bits " + Long.toHexString(Double.doubleToRawLongBits(v)) + ")";
  }

  /**
   * Reads every series back completely and checks it against the ledger; the number of points stored.
   * Fails with the first problems found, each naming run, series, step, what was sent and what is stored.
   */
  private int verify(String base, String when) throws IOException {
    Map<Key, Point> sentPoints = new HashMap<>();
    Map<Key, Sent> sentBy = new HashMap<>();
    Map<Integer, Set<String>> names = new TreeMap<>();
    for (Sent s : ledger) {
      for (Point p : s.points) {
        Point before = sentPoints.putIfAbsent(p.key(), p);
        assertThat(before).as("the test sends each point once: %s", p).isNull();
        sentBy.put(p.key(), s);
        names.computeIfAbsent(p.run(), r -> new java.util.TreeSet<>()).add(p.name());
      }
    }
    List<String> problems = new ArrayList<>();
    Map<Key, Double> stored = new HashMap<>();
    for (int run = 0; run < RUNS; run++) {
      Set<String> sentNames = names.getOrDefault(run, Set.of());
      // without a name: one sample per stored series, so a series never written would show here
      JsonNode latest = getJson(base, runPaths.get(run) + "/metrics");
      for (JsonNode sample : latest.get("samples")) {
        if (!sentNames.contains(sample.get("name").asText())) {
          problems.add("run " + run + " holds series " + sample.get("name") + ", never written");
        }
      }
      for (String name : sentNames) {
        Map<Long, Double> series = readSeries(base, run, name, problems);
        int r = run;
        series.forEach((step, v) -> stored.put(new Key(r, name, step), v));
        if (!series.isEmpty() && series.size() <= 10_000) {
          crossCheckSeries(base, run, name, series, problems);
        }
      }
    }
    for (var e : stored.entrySet()) {
      Point p = sentPoints.get(e.getKey());
      if (p == null) {
        problems.add("stored " + e.getKey() + " = " + show(e.getValue()) + " was never sent");
      } else if (!same(p.value(), e.getValue())) {
        problems.add("stored " + e.getKey() + " = " + show(e.getValue()) + " but the one value sent was "
            + show(p.value()) + " in " + sentBy.get(e.getKey()).describe());
      }
    }
    for (Sent s : ledger) {
      int present = 0;
      for (Point p : s.points) {
        boolean there = stored.containsKey(p.key());
        present += there ? 1 : 0;
        if (!there && s.outcome == Outcome.ACKED) {
          problems.add("acknowledged " + p.key() + " = " + show(p.value()) + " is missing, from " + s.describe());
        } else if (there && s.outcome == Outcome.REFUSED) {
          problems.add("refused " + p.key() + " is stored, from " + s.describe());
        }
      }
      if (s.batch && present != 0 && present != s.points.size()) {
        problems.add("half a batch: " + present + " of its points stored, from " + s.describe());
      }
    }
    if (!problems.isEmpty()) {
      throw new AssertionError(problems.size() + " problem(s) " + when + " (" + counts(ledger) + "):\n  "
          + String.join("\n  ", problems.subList(0, Math.min(25, problems.size()))) + "\nserver log: "
          + tail(server.log()));
    }
    return stored.size();
  }

  /** Step → value of one series, every page of {@code GET …/metrics?name=} (highest steps first). */
  private Map<Long, Double> readSeries(String base, int run, String name, List<String> problems)
      throws IOException {
    Map<Long, Double> series = new HashMap<>();
    String token = null;
    do {
      JsonNode page = getJson(base, runPaths.get(run) + "/metrics?name=" + URLEncoder.encode(name,
          StandardCharsets.UTF_8) + "&limit=1000" + (token == null ? ""
          : "&page_token=" + URLEncoder.encode(token, StandardCharsets.UTF_8)));
      long previous = Long.MIN_VALUE;
      for (JsonNode sample : page.get("samples")) {
        long step = sample.get("step").asLong();
        if (!sample.get("name").asText().equals(name) || step <= previous) {
          problems.add("run " + run + " series " + name + ": page out of order or of another series at " + sample);
        }
        previous = step;
        if (series.put(step, answered(sample.get("value"))) != null) {
          problems.add("run " + run + " series " + name + ": step " + step + " answered twice");
        }
      }
      token = page.hasNonNull("next_page_token") ? page.get("next_page_token").asText() : null;
      if (token != null && page.get("samples").isEmpty()) {
        problems.add("run " + run + " series " + name + ": an empty page with a next_page_token");
        break;
      }
    } while (token != null);
    return series;
  }

  /** With at most max_points samples every bucket of {@code …/metrics/series} is one exact sample. */
  private void crossCheckSeries(String base, int run, String name, Map<Long, Double> series, List<String> problems)
      throws IOException {
    JsonNode s = getJson(base, runPaths.get(run) + "/metrics/series?name=" + URLEncoder.encode(name,
        StandardCharsets.UTF_8) + "&max_points=10000");
    String what = "run " + run + " series " + name + " (metrics/series)";
    if (s.get("total_points").asLong() != series.size() || s.get("buckets").size() != series.size()) {
      problems.add(what + ": " + s.get("total_points") + " points in " + s.get("buckets").size()
          + " buckets, but the sample pages hold " + series.size());
      return;
    }
    for (JsonNode b : s.get("buckets")) {
      long step = b.get("step_min").asLong();
      Double v = series.get(step);
      if (b.get("step_max").asLong() != step || b.get("count").asInt() != 1 || v == null
          || !same(v, answered(b.get("last")))) {
        problems.add(what + ": bucket " + b + " differs from the sample " + (v == null ? "(none)" : show(v)));
      }
    }
  }

  /**
   * The SDK sends again what got no answer; each such request must now be acknowledged. The answer of a
   * batch also tells whether it had been stored before the kill: all of it (every point a duplicate) or
   * none of it, never a part. The points of a request stored before the kill keep the value then stored,
   * which {@link #verify} checks against the one value ever sent. The number of requests sent again.
   */
  private int retryLostAnswers(String base) throws IOException {
    List<String> problems = new ArrayList<>();
    int retried = 0;
    for (Sent s : ledger) {
      if (s.outcome != Outcome.UNKNOWN) {
        continue;
      }
      retried++;
      HttpResponse<String> r = send("POST", base + runPaths.get(s.run) + (s.batch ? "/metrics:batch" : "/metrics"),
          s.body);
      if (r == null || r.statusCode() / 100 != 2) {
        problems.add("retry of " + s.describe() + " answered " + (r == null ? "nothing" : r.statusCode() + " "
            + abbreviate(r.body())));
        continue;
      }
      JsonNode answer = JSON.readTree(r.body());
      int inserted = answer.get("inserted").asInt();
      s.answer = "sent again after the restart: " + r.statusCode() + ", inserted " + inserted;
      s.outcome = Outcome.ACKED;
      if (answer.get("received").asInt() != s.points.size()
          || s.batch && inserted != 0 && inserted != s.points.size()) {
        problems.add("half a batch had been stored before the kill: " + s.describe() + ": " + abbreviate(r.body()));
      }
    }
    assertThat(problems).as("%d requests whose answer was lost, sent again", retried).isEmpty();
    return retried;
  }

  /** A second write of acknowledged steps with other values is a duplicate (200) and changes nothing. */
  private void firstWriteWins(String base, Random random) {
    List<Sent> acked = ledger.stream().filter(s -> s.outcome == Outcome.ACKED).toList();
    for (int i = 0; i < 5; i++) {
      Point p = acked.get(random.nextInt(acked.size())).points.get(0);
      String body = "{\"metrics\":{\"" + p.name() + "\":" + literal(value(random)) + "},\"step\":" + p.step() + "}";
      HttpResponse<String> r = send("POST", base + runPaths.get(p.run()) + "/metrics", body);
      assertThat(r).as("answer to a second write of %s", p).isNotNull();
      assertThat(r.statusCode()).as("a second write of %s with another value: %s", p, r.body()).isEqualTo(200);
    }
  }

  private static String counts(List<Sent> sent) {
    Map<String, Integer> c = new TreeMap<>();
    for (Sent s : sent) {
      c.merge((s.batch ? "batch " : "single ") + s.outcome, 1, Integer::sum);
      c.merge("points " + s.outcome, s.points.size(), Integer::sum);
    }
    return c.toString();
  }

  private static JsonNode postJson(String base, String path, String body, int expected) throws IOException {
    HttpResponse<String> r = send("POST", base + path, body);
    assertThat(r).as("answer to POST %s", path).isNotNull();
    assertThat(r.statusCode()).as("POST %s: %s", path, r.body()).isEqualTo(expected);
    return JSON.readTree(r.body());
  }

  private static JsonNode getJson(String base, String path) throws IOException {
    HttpResponse<String> r = send("GET", base + path, null);
    assertThat(r).as("answer to GET %s", path).isNotNull();
    assertThat(r.statusCode()).as("GET %s: %s", path, r.body()).isEqualTo(200);
    return JSON.readTree(r.body());
  }

  /** The answer, or null when none came (refused, reset, timed out). */
  private static HttpResponse<String> send(String method, String url, String json) {
    HttpRequest request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30))
        .header("Content-Type", "application/json")
        .method(method, json == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(json))
        .build();
    try {
      return HTTP.send(request, HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      return null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    }
  }

  private static String abbreviate(String text) {
    return text.length() <= 300 ? text : text.substring(0, 300) + "…";
  }

  private static String tail(String log) {
    return log.length() <= 4000 ? log : log.substring(log.length() - 4000);
  }
}
