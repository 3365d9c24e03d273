package io.animus.datapilot.storage;

import com.fasterxml.jackson.databind.JsonNode;
import io.animus.datapilot.kernel.Json;
import io.animus.datapilot.testing.ForkedServer;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;

/**
 * Kills the server, or its embedded postmaster, at seeded random moments while four clients write
 * single-step metrics, metric batches, events and artifact uploads, and checks after every restart that
 * every acknowledged item of every round so far is stored with its value and that nothing refused or
 * half-sent is visible. Used by {@code CrashSuiteForkedTest} (short) and the {@code CrashSoak} bench.
 */
public final class CrashLoad {
  /** Restart times (seconds to /readyz 200) and item counts. */
  public record Result(List<Double> serverRestarts, List<Double> postmasterRestarts, Map<Outcome, Long> items) {}

  public enum Outcome { ACKED, REFUSED, UNKNOWN, HALF_SENT }

  /** Whom each kill hits. */
  public enum Victims { ALTERNATE, SERVER, POSTMASTER }

  private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(3)).build();
  private final Path dir;
  private final Random random;
  private final PrintStream out;
  private final List<CrashRound> rounds = new ArrayList<>();
  private ForkedServer server;

  private final Victims victims;

  private CrashLoad(Path dir, long seed, Victims victims, PrintStream out) {
    this.dir = dir;
    this.victims = victims;
    this.random = new Random(seed);
    this.out = out;
  }

  /** {@code kills} kills (server and postmaster alternately), each after 0.5 s to {@code maxLoad} of load. */
  public static Result run(Path dir, int kills, Duration maxLoad, long seed, PrintStream out) throws Exception {
    return run(dir, kills, maxLoad, seed, Victims.ALTERNATE, out);
  }

  public static Result run(Path dir, int kills, Duration maxLoad, long seed, Victims victims, PrintStream out)
      throws Exception {
    return new CrashLoad(dir, seed, victims, out).run(kills, maxLoad);
  }

  private Map<String, String> env() {
    return Map.of("DATAPILOT_DATA_DIR", dir.resolve("data").toString());
  }

  private Path pgDir() {
    return dir.resolve("data").resolve("pg");
  }

  private Result run(int kills, Duration maxLoad) throws Exception {
    List<Double> serverRestarts = new ArrayList<>();
    List<Double> postmasterRestarts = new ArrayList<>();
    server = ForkedServer.start(dir, env());
    try {
      server.await("/readyz", Duration.ofSeconds(120));
      for (int kill = 0; kill < kills; kill++) {
        CrashRound round = new CrashRound(rounds.size(), server.base(), random.nextInt(1 << 30), dir);
        rounds.add(round);
        List<Thread> workers = round.startWorkers();
        long loadMs = 500 + (long) (random.nextDouble() * Math.max(0, maxLoad.toMillis() - 500));
        Thread.sleep(loadMs);
        if (victims == Victims.SERVER || victims == Victims.ALTERNATE && kill % 2 == 0) {
          long killed = System.nanoTime();
          server.kill();
          round.stop(workers); // at once: requests to a dead server only pile up refused connections
          server = ForkedServer.start(dir, env());
          server.await("/readyz", Duration.ofSeconds(60));
          double seconds = (System.nanoTime() - killed) / 1e9; // from the SIGKILL, the JVM's start included
          serverRestarts.add(seconds);
          out.printf("kill %d: server SIGKILL after %d ms of load; ready again in %.2f s%n", kill + 1, loadMs, seconds);
        } else {
          Postmaster postmaster = Postmaster.serving(pgDir()).orElseThrow(() -> new AssertionError("no postmaster"));
          long started = System.nanoTime();
          ProcessHandle.of(postmaster.pid()).ifPresent(ProcessHandle::destroyForcibly);
          double seconds = awaitRestartedPostmaster(postmaster.pid(), started);
          postmasterRestarts.add(seconds);
          Thread.sleep(500); // the clients write through the restarted database for a moment
          round.stop(workers);
          out.printf("kill %d: postmaster SIGKILL after %d ms of load; ready again in %.2f s%n", kill + 1, loadMs,
              seconds);
        }
        List<String> problems = new ArrayList<>();
        for (CrashRound r : rounds) {
          r.verify(server.base(), problems);
        }
        try (Stream<Path> files = Files.walk(dir.resolve("data").resolve("blobs"))) {
          files.filter(p -> p.getFileName().toString().startsWith(".tmp-"))
              .forEach(p -> problems.add("temporary blob file left: " + p));
        }
        if (!problems.isEmpty()) {
          throw new AssertionError(problems.size() + " problem(s) after kill " + (kill + 1) + ": "
              + problems.subList(0, Math.min(20, problems.size())) + "\nserver log: " + tail(server.log()));
        }
        out.printf("  round %d: %s; all %d round(s) verified%n", round.index, round.counts(), rounds.size());
      }
    } finally {
      server.close();
      Postmaster.serving(pgDir()).ifPresent(p -> p.stop(Duration.ofSeconds(10), Duration.ofSeconds(5)));
    }
    Map<Outcome, Long> items = new HashMap<>();
    rounds.forEach(r -> r.counts().forEach((k, v) -> items.merge(k, v, Long::sum)));
    return new Result(serverRestarts, postmasterRestarts, items);
  }

  private double awaitRestartedPostmaster(long deadPid, long started) throws Exception {
    long deadline = started + Duration.ofSeconds(60).toNanos();
    while (System.nanoTime() < deadline) {
      var again = Postmaster.serving(pgDir());
      if (again.isPresent() && again.get().pid() != deadPid && status(server.base() + "/readyz") == 200) {
        return (System.nanoTime() - started) / 1e9;
      }
      Thread.sleep(50);
    }
    throw new AssertionError("the postmaster was not restarted within 60 s: " + tail(server.log()));
  }

  private static String tail(String log) {
    return log.length() <= 6000 ? log : log.substring(log.length() - 6000);
  }

  private static int status(String url) {
    try {
      return HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).build(),
          HttpResponse.BodyHandlers.discarding()).statusCode();
    } catch (IOException e) {
      return 0;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return 0;
    }
  }

  /** Answer status and body, or null when no answer came (connection refused, reset, timed out). */
  static HttpResponse<String> send(String method, String url, String json) {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(15))
        .header("Content-Type", "application/json")
        .method(method, json == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(json));
    try {
      return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      return null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    }
  }

  static Outcome outcome(HttpResponse<?> r) {
    return r == null ? Outcome.UNKNOWN : r.statusCode() / 100 == 2 ? Outcome.ACKED : Outcome.REFUSED;
  }

  static JsonNode json(String base, String path) {
    HttpResponse<String> r = send("GET", base + path, null);
    if (r == null || r.statusCode() != 200) {
      throw new AssertionError("GET " + path + " answered "
          + (r == null ? "nothing" : r.statusCode() + " " + r.body()));
    }
    try {
      return Json.mapper().readTree(r.body());
    } catch (IOException e) {
      throw new AssertionError("GET " + path + ": " + e.getMessage());
    }
  }
}
