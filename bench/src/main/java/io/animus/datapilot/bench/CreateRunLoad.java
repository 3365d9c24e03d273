package io.animus.datapilot.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.animus.datapilot.App;
import io.animus.datapilot.audit.AuditLog;
import io.animus.datapilot.audit.AuditStore;
import io.animus.datapilot.common.Clock;
import io.animus.datapilot.common.ProjectScope;
import io.animus.datapilot.config.ConfigLoader;
import io.animus.datapilot.experiments.ExperimentStore;
import io.animus.datapilot.experiments.RunService;
import io.animus.datapilot.experiments.RunStatus;
import io.animus.datapilot.experiments.RunStore;
import io.animus.datapilot.kernel.Json;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.stream.Stream;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.postgres.PostgresPlugin;

/**
 * Create-run load generator. Starts the server in-process on loopback with an embedded PostgreSQL
 * in a temporary data directory, creates one experiment, then measures in one run:
 *
 * <ol>
 *   <li>{@code http}: N closed-loop clients POSTing create-run requests shaped like the published
 *       Python SDK (the acceptance figure);
 *   <li>{@code jdbc}: the ceiling, the same inserts issued directly over JDBC by N threads against
 *       the same database (runs + run_states in one autocommit statement, then the audit_events row
 *       in its own autocommit statement: two commits per run, as the server does);
 *   <li>{@code service}: the server's own {@link RunService#create} and {@link AuditLog#append}
 *       called directly (all of the server's SQL, none of its HTTP);
 *   <li>{@code jdbc1}: a diagnostic, the whole create (experiment check, run, first state, audit row)
 *       as one statement: one round trip and one commit;
 *   <li>{@code healthz}: {@code GET /healthz} with the same clients (HTTP stack and load generator
 *       alone, no database).
 * </ol>
 *
 * <p>Warm-up matters on two shared cores: the JIT compiler threads compete with the load, and a
 * cold server is three to four times slower. Each phase therefore warms up in 5-second slices until
 * a slice spends less than {@code --jit-quiet} milliseconds compiling (at least {@code --warmup-min},
 * at most {@code --warmup} seconds).
 *
 * <p>Usage: {@code CreateRunLoad [seconds] [--clients=16] [--warmup=120] [--warmup-min=10]
 * [--jit-quiet=150] [--client=per-thread|shared] [--max-requests=1000000] [--pool=CLIENTS]
 * [--server-pool=N] [--phases=http,jdbc,service,jdbc1,healthz]}. {@code --pool} sizes the
 * benchmark's own Hikari pool (JDBC phases only; the server's pool is fixed at 16).
 * {@code --server-pool=N} is a what-if: it resizes the running server's pool without a server
 * change. Every loop is bounded both by the duration and by {@code --max-requests} per phase.
 * Prints results to stdout; the server's own log (including its access log) goes to stderr. Exit
 * status: 0, 3 when any request failed, 2 for bad arguments.
 */
public final class CreateRunLoad {
  private static final String RUN_BODY =
      "{\"metrics\":{\"accuracy\":0.91},\"params\":{\"lr\":0.001},\"status\":\"succeeded\"}";
  private static final String RUN_INSERT = """
      WITH run AS (
        INSERT INTO runs (run_id, experiment_id, project_id, dataset_version_id, status, started_at, ended_at,
                          terminal_at, git_repo, git_commit, git_ref, params, metrics, artifacts_prefix,
                          created_at, created_by)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, CAST(? AS json), CAST(? AS json), ?, ?, ?)
        RETURNING run_id)
      INSERT INTO run_states (state_id, run_id, status, observed_at, details)
      SELECT ?, run_id, ?, ?, CAST(? AS json) FROM run
      """;
  private static final String AUDIT_INSERT = """
      INSERT INTO audit_events (request_id, actor, action, path, status, outcome, project_id, details)
      VALUES (?, ?, ?, ?, ?, ?, ?, CAST(? AS jsonb))
      """;
  /** The jdbc1 diagnostic: the whole create, audit row included, in one statement. */
  private static final String ONE_STATEMENT = """
      WITH run AS (
        INSERT INTO runs (run_id, experiment_id, project_id, status, started_at, terminal_at, params, metrics,
                          created_at, created_by)
        SELECT ?, e.experiment_id, e.project_id, ?, ?, ?, CAST(? AS json), CAST(? AS json), ?, ?
        FROM experiments e WHERE e.experiment_id = ?
        RETURNING run_id, project_id, status),
      state AS (
        INSERT INTO run_states (state_id, run_id, status, observed_at, details)
        SELECT ?, run_id, status, ?, CAST(? AS json) FROM run),
      audit AS (
        INSERT INTO audit_events (request_id, actor, action, path, status, outcome, project_id, details)
        SELECT ?, ?, ?, ?, 201, 'ok', project_id, '{}' FROM run)
      SELECT run_id, project_id FROM run
      """;
  private static final String RUN_ROUTE = "/api/experiments/experiments/{experiment_id}/runs";
  private static final double GOAL_THROUGHPUT = 3000;
  private static final double GOAL_P99_MS = 20;

  private CreateRunLoad() {}

  /** Command-line options. */
  record Options(int seconds, int clients, int warmupSeconds, int warmupMinSeconds, long jitQuietMillis,
                 boolean sharedClient, long maxRequests, List<String> phases, int pool, int serverPool) {
    static Options parse(String[] args) {
      int seconds = 20;
      int clients = 16;
      int warmup = 120;
      int warmupMin = 10;
      long jitQuiet = 150;
      boolean shared = false;
      long max = 1_000_000;
      List<String> phases = List.of("http", "jdbc", "service", "jdbc1", "healthz");
      int pool = 0;
      int serverPool = 0;
      for (String arg : args) {
        if (!arg.startsWith("--")) {
          seconds = Integer.parseInt(arg);
        } else if (arg.startsWith("--clients=")) {
          clients = Integer.parseInt(value(arg));
        } else if (arg.startsWith("--warmup=")) {
          warmup = Integer.parseInt(value(arg));
        } else if (arg.startsWith("--warmup-min=")) {
          warmupMin = Integer.parseInt(value(arg));
        } else if (arg.startsWith("--jit-quiet=")) {
          jitQuiet = Long.parseLong(value(arg));
        } else if (arg.startsWith("--client=")) {
          shared = switch (value(arg)) {
            case "shared" -> true;
            case "per-thread" -> false;
            default -> throw new IllegalArgumentException("--client must be per-thread or shared");
          };
        } else if (arg.startsWith("--max-requests=")) {
          max = Long.parseLong(value(arg));
        } else if (arg.startsWith("--server-pool=")) {
          serverPool = Integer.parseInt(value(arg));
        } else if (arg.startsWith("--pool=")) {
          pool = Integer.parseInt(value(arg));
        } else if (arg.startsWith("--phases=")) {
          phases = List.of(value(arg).split(","));
        } else {
          throw new IllegalArgumentException("unknown option " + arg);
        }
      }
      if (seconds < 1 || seconds > 600 || clients < 1 || clients > 256 || warmup < 0 || warmup > 300
          || warmupMin < 0 || warmupMin > warmup || jitQuiet < 0 || max < 1 || max > 20_000_000 || pool < 0
          || pool > 256 || serverPool < 0 || serverPool > 256) {
        throw new IllegalArgumentException("out of range: seconds 1-600, clients 1-256, warmup 0-300, "
            + "warmup-min 0-warmup, max-requests 1-20000000, pool 1-256");
      }
      for (String phase : phases) {
        if (!List.of("http", "jdbc", "service", "jdbc1", "healthz").contains(phase.trim())) {
          throw new IllegalArgumentException("unknown phase " + phase + " (http, jdbc, service, jdbc1, healthz)");
        }
      }
      return new Options(seconds, clients, warmup, warmupMin, jitQuiet, shared, max, phases,
          pool == 0 ? clients : pool, serverPool);
    }

    private static String value(String arg) {
      return arg.substring(arg.indexOf('=') + 1);
    }
  }

  /** The outcome of one measured phase. */
  record Result(String label, long ok, Map<String, Long> errors, double seconds, LatencyRecorder.Sorted latency,
                CpuAccounting.Usage cpu, long transactions) {
    double throughput() {
      return seconds <= 0 ? 0 : ok / seconds;
    }

    long errorCount() {
      return errors.values().stream().mapToLong(Long::longValue).sum();
    }

    String ms(double percentile) {
      return String.format(Locale.ROOT, "%.2f", latency.percentile(percentile) / 1e6);
    }
  }

  /** One operation of a worker; returns null on success or a short error kind. */
  @FunctionalInterface
  interface Operation {
    String call(int worker) throws Exception;
  }

  public static void main(String[] args) throws Exception {
    Options options;
    try {
      options = Options.parse(args);
    } catch (IllegalArgumentException e) {
      System.err.println("CreateRunLoad: " + e.getMessage());
      System.exit(2);
      return;
    }
    int status = new Runner(options).run();
    System.exit(status);
  }

  /** Owns the server, the database and the phases of one invocation. */
  static final class Runner {
    private final Options options;
    private final List<Result> results = new ArrayList<>();
    private Path dataDir;
    private App app;
    private CpuAccounting cpu;
    private String jdbcUrl;

    Runner(Options options) {
      this.options = options;
    }

    int run() throws Exception {
      Instant begun = Instant.now();
      dataDir = Files.createTempDirectory("datapilot-bench");
      // The embedded PostgreSQL drops to an unprivileged user when started as root.
      Files.setPosixFilePermissions(dataDir, PosixFilePermissions.fromString("rwxr-xr-x"));
      try {
        Map<String, String> env = new HashMap<>();
        env.put("DATAPILOT_LISTEN", "127.0.0.1:0");
        env.put("DATAPILOT_DATA_DIR", dataDir.toString());
        long t0 = System.nanoTime();
        app = App.start(new ConfigLoader(env, Map.of()).load());
        System.out.printf(Locale.ROOT, "server started in %.1f s on port %d (auth mode %s, data dir %s)%n",
            (System.nanoTime() - t0) / 1e9, app.port(), app.config().auth().mode(), dataDir);
        int pgPort = app.database().embeddedPort().orElseThrow(() ->
            new IllegalStateException("expected the embedded PostgreSQL"));
        // The same URL and user the server's pool uses (zonky's getJdbcUrl("postgres", "postgres")).
        jdbcUrl = "jdbc:postgresql://localhost:" + pgPort + "/postgres";
        cpu = new CpuAccounting(postmasterPid(dataDir.resolve("pg")));
        printMachine();
        return measure();
      } finally {
        if (app != null) {
          app.close();
        }
        deleteTree(dataDir);
        System.out.printf(Locale.ROOT, "server and embedded PostgreSQL stopped; total wall time %d s%n",
            Duration.between(begun, Instant.now()).toSeconds());
      }
    }

    private int measure() throws Exception {
      String base = "http://127.0.0.1:" + app.port();
      String experimentId = createExperiment(base);
      System.out.println("experiment " + experimentId);
      HikariDataSource pool = benchPool(options.pool());
      if (options.serverPool() > 0) {
        resizeServerPool(options.serverPool());
      }
      try {
        for (String phase : options.phases()) {
          switch (phase.trim()) {
            case "http" -> httpPhase("HTTP create-run", base + "/api/experiments/experiments/" + experimentId
                + "/runs", true, pool);
            case "healthz" -> httpPhase("HTTP GET /healthz (no database)", base + "/healthz", false, pool);
            case "jdbc" -> jdbcPhase(pool, UUID.fromString(experimentId));
            case "service" -> servicePhase(pool, experimentId);
            case "jdbc1" -> oneStatementPhase(pool, UUID.fromString(experimentId));
            default -> throw new IllegalArgumentException("unknown phase " + phase);
          }
        }
      } finally {
        pool.close();
      }
      printSummary();
      long errors = results.stream().mapToLong(Result::errorCount).sum();
      return errors == 0 ? 0 : 3;
    }

    // ---- phases ---------------------------------------------------------------------------------

    private void httpPhase(String label, String url, boolean post, HikariDataSource pool) throws Exception {
      HttpClient shared = options.sharedClient() ? newClient() : null;
      HttpClient[] clients = new HttpClient[options.clients()];
      for (int i = 0; i < clients.length; i++) {
        clients[i] = shared != null ? shared : newClient();
      }
      byte[] body = RUN_BODY.getBytes(StandardCharsets.UTF_8);
      URI uri = URI.create(url);
      Operation op = worker -> {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri)
            .timeout(Duration.ofSeconds(10))
            .header("Accept", "application/json")
            .header("X-Request-Id", UUID.randomUUID().toString().replace("-", ""));
        if (post) {
          b.header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofByteArray(body));
        } else {
          b.GET();
        }
        HttpResponse<byte[]> response = clients[worker].send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
        int expected = post ? 201 : 200;
        if (response.statusCode() != expected) {
          return "HTTP " + response.statusCode();
        }
        byte[] answer = response.body();
        if (answer.length == 0 || answer[0] != '{') {
          return "non-JSON body";
        }
        return null;
      };
      String mode = options.sharedClient() ? "one shared HttpClient" : "one HttpClient per client thread";
      phase(label + " (" + options.clients() + " clients, " + mode + ", HTTP/1.1 keep-alive)", "bench-http-",
          op, pool);
    }

    private void jdbcPhase(HikariDataSource pool, UUID experimentId) throws Exception {
      String auditPath = "/api/experiments/experiments/" + experimentId + "/runs";
      String action = "POST " + RUN_ROUTE;
      String details = "{\"actor\":\"dev-user\"}";
      String params = "{\"lr\":0.001}";
      String metrics = "{\"accuracy\":0.91}";
      Operation op = worker -> {
        OffsetDateTime now = Instant.now().truncatedTo(ChronoUnit.MICROS).atOffset(ZoneOffset.UTC);
        UUID runId = UUID.randomUUID();
        try (Connection c = pool.getConnection(); PreparedStatement ps = c.prepareStatement(RUN_INSERT)) {
          ps.setObject(1, runId);
          ps.setObject(2, experimentId);
          ps.setString(3, ProjectScope.DEFAULT);
          ps.setObject(4, null);
          ps.setString(5, "succeeded");
          ps.setObject(6, now);
          ps.setObject(7, null);
          ps.setObject(8, now);
          ps.setString(9, null);
          ps.setString(10, null);
          ps.setString(11, null);
          ps.setString(12, params);
          ps.setString(13, metrics);
          ps.setString(14, null);
          ps.setObject(15, now);
          ps.setString(16, "dev-user");
          ps.setObject(17, UUID.randomUUID());
          ps.setString(18, "succeeded");
          ps.setObject(19, now);
          ps.setString(20, details);
          if (ps.executeUpdate() != 1) {
            return "run insert count";
          }
        }
        try (Connection c = pool.getConnection(); PreparedStatement ps = c.prepareStatement(AUDIT_INSERT)) {
          ps.setString(1, UUID.randomUUID().toString().replace("-", ""));
          ps.setString(2, "dev-user");
          ps.setString(3, action);
          ps.setString(4, auditPath);
          ps.setInt(5, 201);
          ps.setString(6, "ok");
          ps.setString(7, ProjectScope.DEFAULT);
          ps.setString(8, "{}");
          ps.executeUpdate();
        }
        return null;
      };
      phase("JDBC ceiling: runs+run_states insert, then audit_events insert, each autocommitted ("
          + options.clients() + " threads, Hikari pool " + options.pool() + ")", "bench-jdbc-", op, pool);
    }

    /**
     * Diagnostic, not the ceiling: what one create would cost if the experiment check, the run, its
     * first state and the audit row were a single statement (one round trip, one commit).
     */
    private void oneStatementPhase(HikariDataSource pool, UUID experimentId) throws Exception {
      String auditPath = "/api/experiments/experiments/" + experimentId + "/runs";
      String action = "POST " + RUN_ROUTE;
      Operation op = worker -> {
        OffsetDateTime now = Instant.now().truncatedTo(ChronoUnit.MICROS).atOffset(ZoneOffset.UTC);
        try (Connection c = pool.getConnection(); PreparedStatement ps = c.prepareStatement(ONE_STATEMENT)) {
          ps.setObject(1, UUID.randomUUID());
          ps.setString(2, "succeeded");
          ps.setObject(3, now);
          ps.setObject(4, now);
          ps.setString(5, "{\"lr\":0.001}");
          ps.setString(6, "{\"accuracy\":0.91}");
          ps.setObject(7, now);
          ps.setString(8, "dev-user");
          ps.setObject(9, experimentId);
          ps.setObject(10, UUID.randomUUID());
          ps.setObject(11, now);
          ps.setString(12, "{\"actor\":\"dev-user\"}");
          ps.setString(13, UUID.randomUUID().toString().replace("-", ""));
          ps.setString(14, "dev-user");
          ps.setString(15, action);
          ps.setString(16, auditPath);
          try (ResultSet rs = ps.executeQuery()) {
            if (!rs.next()) {
              return "experiment not found";
            }
          }
        }
        return null;
      };
      phase("JDBC diagnostic: one statement per create (experiment check + runs + run_states + audit_events, "
          + "1 commit; " + options.clients() + " threads, Hikari pool " + options.pool() + ")", "bench-jdbc-1-",
          op, pool);
    }

    private void servicePhase(HikariDataSource pool, String experimentId) throws Exception {
      Jdbi jdbi = Jdbi.create(pool).installPlugin(new PostgresPlugin());
      RunService service = new RunService(jdbi, new RunStore(), new ExperimentStore(), Clock.system(),
          Duration.ofMinutes(10), new io.animus.datapilot.datasets.QualityGate(false,
              new io.animus.datapilot.datasets.DatasetStore(), new io.animus.datapilot.datasets.QualityStore()),
          (h, versionId) -> java.util.Optional.empty());
      AuditLog audit = new AuditLog(new AuditStore(jdbi));
      ProjectScope project = ProjectScope.resolve(null, null);
      String path = "/api/experiments/experiments/" + experimentId + "/runs";
      Operation op = worker -> {
        // What RunResource.create builds from the SDK body, then the audit row HttpServer appends.
        JsonNode body = Json.parse(RUN_BODY.getBytes(StandardCharsets.UTF_8));
        var command = new RunService.CreateRun(RunStatus.parse(Optional.of(body.get("status").asText())),
            Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(),
            Optional.empty(), (ObjectNode) body.get("params"), (ObjectNode) body.get("metrics"), Optional.empty(),
            Optional.empty(), Json.object(), Optional.empty());
        service.create(project, "dev-user", experimentId, command);
        audit.append(new AuditStore.Entry(UUID.randomUUID().toString().replace("-", ""), "dev-user",
            "POST " + RUN_ROUTE, path, 201, "ok", ProjectScope.DEFAULT, Map.of()));
        return null;
      };
      phase("Service layer without HTTP: RunService.create + AuditLog.append (group commit) via Jdbi (" + options.clients()
          + " threads, Hikari pool " + options.pool() + ")", "bench-jdbc-svc-", op, pool);
    }

    /** Warm-up, then the measured window; both bounded by time and by --max-requests. */
    private void phase(String label, String threadPrefix, Operation op, HikariDataSource pool) throws Exception {
      System.out.println();
      System.out.println("== " + label);
      warmUp(threadPrefix, op, pool);
      checkpoint(pool);
      Result r = drive(label, threadPrefix, op, options.seconds(), pool, true);
      results.add(r);
      print(r);
      System.out.println("   PostgreSQL client connections open after the window (server + bench pools): "
          + clientConnections(pool));
    }

    /**
     * 5-second slices until one spends less than --jit-quiet ms in the JIT compiler, after at least
     * --warmup-min and at most --warmup seconds.
     */
    private void warmUp(String threadPrefix, Operation op, HikariDataSource pool) throws Exception {
      int total = 0;
      StringBuilder line = new StringBuilder("   warm-up:");
      long errors = 0;
      while (total < options.warmupSeconds()) {
        int slice = Math.min(5, options.warmupSeconds() - total);
        long jitBefore = jitMillis();
        Result warm = drive("warm-up", threadPrefix, op, slice, pool, false);
        long jit = jitMillis() - jitBefore;
        total += slice;
        errors += warm.errorCount();
        line.append(String.format(Locale.ROOT, " %ds %.0f/s jit %dms;", total, warm.throughput(), jit));
        if (total >= options.warmupMinSeconds() && jit < options.jitQuietMillis()) {
          break;
        }
      }
      if (total > 0) {
        System.out.println(line.append(" errors ").append(errors));
      }
    }

    private static long jitMillis() {
      var jit = ManagementFactory.getCompilationMXBean();
      return jit != null && jit.isCompilationTimeMonitoringSupported() ? jit.getTotalCompilationTime() : 0;
    }

    private Result drive(String label, String threadPrefix, Operation op, int seconds, HikariDataSource pool,
                         boolean account) throws Exception {
      int n = options.clients();
      long perThreadCap = Math.max(1, Math.min(Integer.MAX_VALUE - 8, options.maxRequests()));
      List<LatencyRecorder> recorders = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        recorders.add(new LatencyRecorder((int) perThreadCap));
      }
      AtomicLong budget = new AtomicLong(options.maxRequests());
      LongAdder ok = new LongAdder();
      Map<String, LongAdder> errors = new ConcurrentHashMap<>();
      CountDownLatch ready = new CountDownLatch(n);
      CountDownLatch go = new CountDownLatch(1);
      CountDownLatch done = new CountDownLatch(n);
      // Workers stay alive until the closing CPU snapshot, so their CPU time is still readable.
      CountDownLatch release = new CountDownLatch(1);
      long[] deadline = new long[1];
      List<Thread> threads = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        int worker = i;
        Thread t = new Thread(() -> {
          LatencyRecorder rec = recorders.get(worker);
          ready.countDown();
          try {
            go.await();
          } catch (InterruptedException e) {
            return;
          }
          long end = deadline[0];
          while (System.nanoTime() < end && budget.getAndDecrement() > 0) {
            long start = System.nanoTime();
            String error;
            try {
              error = op.call(worker);
            } catch (Exception e) {
              error = e.getClass().getSimpleName();
            }
            long took = System.nanoTime() - start;
            if (error == null) {
              ok.increment();
              rec.record(took);
            } else {
              errors.computeIfAbsent(error, k -> new LongAdder()).increment();
            }
          }
          done.countDown();
          try {
            release.await(seconds + 60L, TimeUnit.SECONDS);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        }, threadPrefix + i);
        t.setDaemon(true);
        threads.add(t);
        t.start();
      }
      ready.await();
      long xidBefore = account ? currentXid(pool) : 0;
      CpuAccounting.Snapshot before = account ? cpu.take() : null;
      long started = System.nanoTime();
      deadline[0] = started + TimeUnit.SECONDS.toNanos(seconds);
      go.countDown();
      // Each request has a 10 s timeout, so a worker ends at most that long after the deadline.
      if (!done.await(seconds + 30L, TimeUnit.SECONDS)) {
        release.countDown();
        throw new IllegalStateException(label + ": workers did not finish in time");
      }
      long elapsed = System.nanoTime() - started;
      CpuAccounting.Snapshot after = account ? cpu.take() : null;
      release.countDown();
      for (Thread t : threads) {
        t.join(10_000);
      }
      long transactions = account ? currentXid(pool) - xidBefore - 1 : 0;
      Map<String, Long> errorCounts = new LinkedHashMap<>();
      errors.forEach((k, v) -> errorCounts.put(k, v.sum()));
      return new Result(label, ok.sum(), errorCounts, elapsed / 1e9, LatencyRecorder.merge(recorders),
          account ? CpuAccounting.between(before, after) : null, transactions);
    }

    // ---- output ---------------------------------------------------------------------------------

    private void print(Result r) {
      LatencyRecorder.Sorted l = r.latency();
      System.out.printf(Locale.ROOT, "   %d ok in %.2f s = %.0f ops/s; errors %d %s%n", r.ok(), r.seconds(),
          r.throughput(), r.errorCount(), r.errors().isEmpty() ? "" : r.errors());
      System.out.printf(Locale.ROOT, "   latency ms: p50 %s  p90 %s  p99 %s  p99.9 %s  max %s  mean %.2f%n",
          r.ms(50), r.ms(90), r.ms(99), r.ms(99.9), String.format(Locale.ROOT, "%.2f", l.max() / 1e6),
          l.mean() / 1e6);
      if (l.dropped() > 0) {
        System.out.println("   (latency samples beyond the recorder capacity: " + l.dropped() + ")");
      }
      if (r.transactions() > 0 && r.ok() > 0) {
        System.out.printf(Locale.ROOT, "   write transactions (xids assigned): %d = %.2f per op%n",
            r.transactions(), (double) r.transactions() / r.ok());
      }
      if (r.cpu() != null) {
        System.out.printf(Locale.ROOT, "   CPU over the window (%d cores available):%n",
            Runtime.getRuntime().availableProcessors());
        System.out.print(r.cpu().format(r.ok(), "     "));
      }
    }

    private void printMachine() throws SQLException {
      System.out.println();
      System.out.println("== machine");
      System.out.printf(Locale.ROOT, "   cores (nproc): %d, CPU: %s%n", Runtime.getRuntime().availableProcessors(),
          cpuModel());
      System.out.printf(Locale.ROOT, "   java: %s %s (%s), max heap %d MiB%n", System.getProperty("java.vm.name"),
          System.getProperty("java.runtime.version"), System.getProperty("java.vm.vendor"),
          Runtime.getRuntime().maxMemory() >> 20);
      System.out.printf(Locale.ROOT, "   os: %s %s; load average at start %.2f%n", System.getProperty("os.name"),
          System.getProperty("os.version"), ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
      System.out.println("   the load generator, the server and PostgreSQL all share these cores");
      System.out.printf(Locale.ROOT, "   access log level: %s%n",
          Optional.ofNullable(System.getProperty("DATAPILOT_ACCESS_LOG_LEVEL"))
              .or(() -> Optional.ofNullable(System.getenv("DATAPILOT_ACCESS_LOG_LEVEL"))).orElse("INFO (default)"));
      try (Connection c = java.sql.DriverManager.getConnection(jdbcUrl, "postgres", null);
           Statement s = c.createStatement()) {
        try (ResultSet rs = s.executeQuery("SHOW server_version")) {
          rs.next();
          System.out.println("   PostgreSQL (embedded): " + rs.getString(1) + ", " + jdbcUrl);
        }
        StringBuilder settings = new StringBuilder("   durability settings:");
        for (String name : List.of("synchronous_commit", "fsync", "wal_sync_method", "full_page_writes",
            "shared_buffers", "max_connections")) {
          try (ResultSet rs = s.executeQuery("SHOW " + name)) {
            rs.next();
            settings.append(' ').append(name).append('=').append(rs.getString(1));
          }
        }
        System.out.println(settings);
      }
    }

    private void printSummary() {
      System.out.println();
      System.out.println("==================== SUMMARY ====================");
      System.out.printf(Locale.ROOT, "machine: %d cores (%s), %s; load generator, server and embedded "
              + "PostgreSQL share the cores; load average now %.2f%n", Runtime.getRuntime().availableProcessors(),
          cpuModel(), System.getProperty("java.runtime.version"),
          ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
      System.out.printf(Locale.ROOT, "%-44s %10s %8s %8s %8s %8s %7s %9s%n", "phase", "ops/s", "p50 ms",
          "p90 ms", "p99 ms", "max ms", "errors", "CPU us/op");
      for (Result r : results) {
        String name = r.label().length() > 44 ? r.label().substring(0, 41) + "..." : r.label();
        System.out.printf(Locale.ROOT, "%-44s %10.0f %8s %8s %8s %8.2f %7d %9.0f%n", name, r.throughput(),
            r.ms(50), r.ms(90), r.ms(99), r.latency().max() / 1e6, r.errorCount(),
            r.cpu() == null ? 0 : r.cpu().cpuMicrosPerOp(r.ok()));
      }
      Optional<Result> http = find("HTTP create-run");
      Optional<Result> jdbc = find("JDBC ceiling");
      if (http.isPresent() && jdbc.isPresent()) {
        System.out.printf(Locale.ROOT, "ratio HTTP create-run / JDBC ceiling: %.2f (%.0f / %.0f per s)%n",
            http.get().throughput() / jdbc.get().throughput(), http.get().throughput(), jdbc.get().throughput());
      }
      Optional<Result> service = find("Service layer");
      if (http.isPresent() && service.isPresent()) {
        System.out.printf(Locale.ROOT, "ratio HTTP create-run / service layer without HTTP: %.2f%n",
            http.get().throughput() / service.get().throughput());
      }
      http.ifPresent(r -> {
        boolean throughputOk = r.throughput() >= GOAL_THROUGHPUT;
        boolean p99Ok = r.latency().percentile(99) / 1e6 <= GOAL_P99_MS;
        System.out.printf(Locale.ROOT, "goal (>= %.0f creates/s with p99 <= %.0f ms, %d clients): throughput %.0f"
                + " %s, p99 %s ms %s -> %s%n", GOAL_THROUGHPUT, GOAL_P99_MS, options.clients(), r.throughput(),
            throughputOk ? "met" : "NOT met", r.ms(99), p99Ok ? "met" : "NOT met",
            throughputOk && p99Ok ? "GOAL MET" : "GOAL NOT MET");
      });
      System.out.println("=================================================");
    }

    private Optional<Result> find(String prefix) {
      return results.stream().filter(r -> r.label().startsWith(prefix)).findFirst();
    }

    // ---- helpers --------------------------------------------------------------------------------

    private static HttpClient newClient() {
      return HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(5))
          .build();
    }

    private static String createExperiment(String base) throws IOException, InterruptedException {
      HttpClient client = newClient();
      String body = "{\"description\":\"\",\"metadata\":{},\"name\":\"bench-" + UUID.randomUUID() + "\"}";
      HttpResponse<String> response = client.send(HttpRequest.newBuilder(URI.create(base
              + "/api/experiments/experiments"))
          .timeout(Duration.ofSeconds(10))
          .header("Accept", "application/json")
          .header("Content-Type", "application/json")
          .header("X-Request-Id", UUID.randomUUID().toString().replace("-", ""))
          .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
      if (response.statusCode() != 201) {
        throw new IllegalStateException("create experiment answered " + response.statusCode() + ": "
            + response.body());
      }
      return Json.parse(response.body().getBytes(StandardCharsets.UTF_8)).get("experiment_id").asText();
    }

    /**
     * What-if diagnostic (--server-pool): resizes the running server's Hikari pool, which the server
     * fixes at 16, through Hikari's runtime configuration bean. Reflection reads the private pool;
     * no server code changes. Applied before the first phase, when the pool holds few connections.
     */
    private void resizeServerPool(int size) throws ReflectiveOperationException {
      java.lang.reflect.Field field = io.animus.datapilot.storage.Database.class.getDeclaredField("pool");
      field.setAccessible(true);
      HikariDataSource serverPool = (HikariDataSource) field.get(app.database());
      serverPool.getHikariConfigMXBean().setMaximumPoolSize(size);
      serverPool.getHikariConfigMXBean().setMinimumIdle(Math.min(2, size));
      System.out.printf(Locale.ROOT, "what-if: server Hikari pool resized to %d (server default 16; %d open now)%n",
          size, serverPool.getHikariPoolMXBean().getTotalConnections());
    }

    private HikariDataSource benchPool(int size) {
      HikariConfig config = new HikariConfig();
      config.setJdbcUrl(jdbcUrl);
      config.setUsername("postgres");
      config.setPoolName("bench-jdbc-pool");
      config.setMaximumPoolSize(size);
      config.setMinimumIdle(2);
      config.setConnectionTimeout(10_000);
      return new HikariDataSource(config);
    }

    /** Flushes dirty pages before a measured window so a checkpoint does not land in only one phase. */
    private static void checkpoint(HikariDataSource pool) throws SQLException {
      try (Connection c = pool.getConnection(); Statement s = c.createStatement()) {
        s.execute("CHECKPOINT");
      }
    }

    private static long clientConnections(HikariDataSource pool) throws SQLException {
      try (Connection c = pool.getConnection(); Statement s = c.createStatement();
           ResultSet rs = s.executeQuery("SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend'")) {
        rs.next();
        return rs.getLong(1);
      }
    }

    private static long currentXid(HikariDataSource pool) throws SQLException {
      try (Connection c = pool.getConnection(); Statement s = c.createStatement();
           ResultSet rs = s.executeQuery("SELECT pg_current_xact_id()::text::bigint")) {
        rs.next();
        return rs.getLong(1);
      }
    }

    static long postmasterPid(Path pgDir) {
      try {
        return Long.parseLong(Files.readAllLines(pgDir.resolve("postmaster.pid")).get(0).trim());
      } catch (IOException | RuntimeException e) {
        System.out.println("(PostgreSQL CPU not measured: " + e.getMessage() + ")");
        return -1;
      }
    }

    private static String cpuModel() {
      try (Stream<String> lines = Files.lines(Path.of("/proc/cpuinfo"))) {
        return lines.filter(l -> l.startsWith("model name")).findFirst()
            .map(l -> l.substring(l.indexOf(':') + 1).trim()).orElse("unknown");
      } catch (IOException e) {
        return "unknown";
      }
    }

    private static void deleteTree(Path root) {
      if (root == null || !Files.exists(root)) {
        return;
      }
      try (Stream<Path> paths = Files.walk(root)) {
        paths.sorted(Comparator.reverseOrder()).forEach(p -> {
          try {
            Files.deleteIfExists(p);
          } catch (IOException e) {
            // left behind in the temporary directory; reported below
          }
        });
      } catch (IOException e) {
        System.out.println("could not delete " + root + ": " + e.getMessage());
      }
    }
  }
}
