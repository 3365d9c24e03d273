package io.animus.datapilot.bench;

import io.animus.datapilot.storage.CrashLoad;
import io.animus.datapilot.testing.ForkedServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The crash suite at length: {@code kills} SIGKILLs at seeded random moments (of the server or of its
 * embedded postmaster, see {@code victims}) during concurrent metrics, batches, events and uploads, with
 * every acknowledged item checked after each restart; then the restart times (SIGKILL to /readyz 200).
 * {@code mode=restart} only measures restarts: an orderly restart (the ceiling) then SIGKILL restarts.
 *
 * <pre>java -cp "bench/target/classes:bench/target/lib/*" io.animus.datapilot.bench.CrashSoak \
 *     kills=20 seconds=8 seed=1 victims=alternate</pre>
 */
public final class CrashSoak {
  private CrashSoak() {}

  public static void main(String[] args) throws Exception {
    Map<String, String> opt = TelemetryLoad.options(args);
    Path dir = Files.createTempDirectory("datapilot-crash");
    if (opt.getOrDefault("mode", "soak").equals("restart")) {
      restarts(dir, Integer.parseInt(opt.getOrDefault("reps", "5")));
      return;
    }
    int kills = Integer.parseInt(opt.getOrDefault("kills", "10"));
    Duration load = Duration.ofSeconds(Long.parseLong(opt.getOrDefault("seconds", "8")));
    long seed = Long.parseLong(opt.getOrDefault("seed", "1"));
    CrashLoad.Victims victims = CrashLoad.Victims.valueOf(opt.getOrDefault("victims", "alternate").toUpperCase());
    long started = System.nanoTime();
    CrashLoad.Result r = CrashLoad.run(dir, kills, load, seed, victims, System.out);
    System.out.printf("%d kills in %.0f s, every round verified after every kill; items %s%n", kills,
        (System.nanoTime() - started) / 1e9, r.items());
    System.out.println("server SIGKILL → ready (s): " + summary(r.serverRestarts()));
    System.out.println("postmaster SIGKILL → ready (s): " + summary(r.postmasterRestarts()));
  }

  /** An orderly stop and start (the ceiling), then {@code reps} SIGKILLs of the server, each timed to ready. */
  private static void restarts(Path dir, int reps) throws Exception {
    Map<String, String> env = Map.of("DATAPILOT_DATA_DIR", dir.resolve("data").toString());
    ForkedServer server = ForkedServer.start(dir, env);
    server.await("/readyz", Duration.ofSeconds(120));
    List<Double> orderly = new ArrayList<>();
    List<Double> killed = new ArrayList<>();
    try {
      for (int i = 0; i < reps; i++) {
        long t = System.nanoTime();
        server.close();
        server = ForkedServer.start(dir, env);
        server.await("/readyz", Duration.ofSeconds(60));
        orderly.add((System.nanoTime() - t) / 1e9);
      }
      for (int i = 0; i < reps; i++) {
        // some writes, so that the killed database has work to recover
        server.client().post("/api/experiments/experiments", "{\"description\":\"\",\"metadata\":{},\"name\":\"r" + i
            + "\"}");
        long t = System.nanoTime();
        server.kill();
        server = ForkedServer.start(dir, env);
        server.await("/readyz", Duration.ofSeconds(60));
        killed.add((System.nanoTime() - t) / 1e9);
      }
    } finally {
      server.close();
    }
    System.out.println("orderly stop + start → ready (s): " + summary(orderly));
    System.out.println("SIGKILL + start → ready (s): " + summary(killed));
  }

  private static String summary(List<Double> seconds) {
    if (seconds.isEmpty()) {
      return "none";
    }
    List<Double> sorted = new ArrayList<>(seconds);
    sorted.sort(null);
    return String.format("n=%d min %.2f median %.2f max %.2f all %s", sorted.size(), sorted.get(0),
        sorted.get(sorted.size() / 2), sorted.get(sorted.size() - 1),
        seconds.stream().map(s -> String.format("%.2f", s)).toList());
  }
}
