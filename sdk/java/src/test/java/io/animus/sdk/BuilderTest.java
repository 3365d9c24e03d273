package io.animus.sdk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class BuilderTest {
  @Test
  void fromEnvPrefersTheJobVariables() {
    Map<String, String> env = Map.of("DATAPILOT_URL", "http://job:9000", "ANIMUS_GATEWAY_URL", "http://gw:1",
        "TOKEN", "run-token", "ANIMUS_AUTH_TOKEN", "api");
    assertThat(ExperimentsClient.fromEnv(env).gatewayUrl()).isEqualTo("http://job:9000");
    assertThat(DatasetRegistryClient.fromEnv(env).gatewayUrl()).isEqualTo("http://job:9000");
    assertThat(ExperimentsClient.fromEnv(Map.of("ANIMUS_GATEWAY_URL", "http://gw:1")).gatewayUrl())
        .isEqualTo("http://gw:1");
    assertThat(ExperimentsClient.fromEnv(Map.of()).gatewayUrl()).isEqualTo("http://localhost:8080");
  }

  @Test
  void invalidSettingsAreRefusedAtBuild() {
    assertThatThrownBy(() -> ExperimentsClient.builder().gatewayUrl("ftp://x").build())
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> ExperimentsClient.builder().gatewayUrl("http://x").timeout(Duration.ZERO).build())
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> RunTelemetryLogger.builder().build()).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("RUN_ID");
    assertThatThrownBy(() -> RunTelemetryLogger.fromEnv(Map.of("DATAPILOT_URL", "http://x")))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> RunTelemetryLogger.builder().runId("r").maxQueue(0).build())
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> RunTelemetryLogger.builder().runId("r").maxQueue((1 << 30) + 1).build())
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxQueue");
    assertThatThrownBy(() -> RunTelemetryLogger.builder().runId("r").parallelRequests(0).build())
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("parallelRequests");
    assertThatThrownBy(() -> RunTelemetryLogger.builder().runId("r").maxRetries(-1).build())
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void invalidArgumentsAreRefusedAtTheCall() {
    try (RunTelemetryLogger logger = RunTelemetryLogger.builder().gatewayUrl("http://127.0.0.1:9").runId("r")
        .maxRetries(0).build()) {
      assertThatThrownBy(() -> logger.logMetric(-1, "loss", 1)).isInstanceOf(IllegalArgumentException.class);
      assertThatThrownBy(() -> logger.logMetric(0, " ", 1)).isInstanceOf(IllegalArgumentException.class);
      assertThatThrownBy(() -> logger.logMetric(0, "x".repeat(256), 1)).isInstanceOf(IllegalArgumentException.class);
      assertThatThrownBy(() -> logger.logEvent("loud", "m")).isInstanceOf(IllegalArgumentException.class);
      assertThatThrownBy(() -> logger.logEvent("info", " ")).isInstanceOf(IllegalArgumentException.class);
      assertThatThrownBy(() -> logger.logProgress(1, 0L, null, null)).isInstanceOf(IllegalArgumentException.class);
      assertThatThrownBy(() -> logger.logProgress(1, 10L, Double.NaN, null))
          .isInstanceOf(IllegalArgumentException.class);
      assertThatThrownBy(() -> logger.logMetrics(0, Map.of())).isInstanceOf(IllegalArgumentException.class);
      assertThat(logger.stats().queued()).isZero();
    }
  }

  @Test
  void backoffDoublesWithJitterUpToTheCap() {
    long base = 200_000_000L;
    long max = 5_000_000_000L;
    assertThat(RetryingPoster.backoffNanos(0, base, max, 0.0)).isEqualTo(100_000_000L);
    assertThat(RetryingPoster.backoffNanos(0, base, max, 0.999)).isBetween(199_000_000L, 200_000_000L);
    assertThat(RetryingPoster.backoffNanos(3, base, max, 0.0)).isEqualTo(800_000_000L);
    assertThat(RetryingPoster.backoffNanos(10, base, max, 0.0)).isEqualTo(2_500_000_000L);
    assertThat(RetryingPoster.backoffNanos(50, base, max, 0.999)).isLessThanOrEqualTo(max);
  }
}
