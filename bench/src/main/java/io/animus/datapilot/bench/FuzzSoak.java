package io.animus.datapilot.bench;

import io.animus.datapilot.testing.TestServer;
import io.animus.datapilot.testing.fuzz.MutationFuzzer;
import java.time.Duration;
import java.util.Map;

/**
 * The mutation fuzzer of the test suite, for as long as asked and with any seed:
 * {@code FuzzSoak seed=14 seconds=600}. A server with its own embedded PostgreSQL; exits 1 when a
 * problem was found (each listed with the request that caused it), 0 otherwise.
 */
public final class FuzzSoak {
  private FuzzSoak() {}

  public static void main(String[] args) {
    Map<String, String> opt = TelemetryLoad.options(args);
    long seed = Long.parseLong(opt.getOrDefault("seed", Long.toString(System.nanoTime())));
    int seconds = Integer.parseInt(opt.getOrDefault("seconds", "600"));
    String secret = "fuzz-soak-ci-secret";
    TelemetryLoad.say("fuzz soak: seed %d, %d s, %d cpus, load %s", seed, seconds,
        Runtime.getRuntime().availableProcessors(), TelemetryLoad.load());
    MutationFuzzer.Result result;
    try (TestServer server = TestServer.start(Map.of("ANIMUS_CI_WEBHOOK_SECRET", secret))) {
      result = new MutationFuzzer(server, secret, seed, s -> TelemetryLoad.say("%s", s)).run(Duration.ofSeconds(seconds));
    }
    TelemetryLoad.say("RESULT seed %d: %s; load %s", seed, result.summary(), TelemetryLoad.load());
    result.problems().forEach(p -> TelemetryLoad.say("PROBLEM %s", p));
    System.exit(result.problemCount() == 0 ? 0 : 1);
  }
}
