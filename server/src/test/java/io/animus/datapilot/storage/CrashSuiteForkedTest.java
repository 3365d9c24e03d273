package io.animus.datapilot.storage;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three kills at seeded random moments (server, postmaster, server) during concurrent single-step and
 * batch metrics, events and uploads; after each restart every acknowledged item is stored with its
 * value and nothing refused or half-sent is visible ({@link CrashLoad} checks). The long version is the
 * {@code CrashSoak} bench.
 */
class CrashSuiteForkedTest {

  @Test
  void acknowledgedWritesSurviveKillsOfTheServerAndOfItsPostmasterAndNothingRefusedIsVisible(@TempDir Path dir)
      throws Exception {
    CrashLoad.Result result = CrashLoad.run(dir, 3, Duration.ofSeconds(4), 20261202L, System.out);
    System.out.println("crash suite: " + result);
    assertThat(result.serverRestarts()).hasSize(2);
    assertThat(result.postmasterRestarts()).hasSize(1);
    assertThat(result.items().get(CrashLoad.Outcome.ACKED)).isPositive();
  }
}
