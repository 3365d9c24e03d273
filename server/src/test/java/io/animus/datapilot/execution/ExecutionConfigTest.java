package io.animus.datapilot.execution;

import io.animus.datapilot.config.ExecutorKind;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.animus.datapilot.config.Config;
import io.animus.datapilot.config.ConfigException;
import io.animus.datapilot.config.ConfigLoader;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The execution settings of docs/protocol.md §1.10 and §8.1. */
class ExecutionConfigTest {
  private static Config.Execution load(Map<String, String> env) {
    return new ConfigLoader(env, Map.of()).load().execution();
  }

  @Test
  void defaultsLeaveExecutionDisabled() {
    Config.Execution e = load(Map.of());
    assertThat(e.executor()).isEmpty();
    assertThat(e.localCommand()).isEmpty();
    assertThat(e.localEnvPassthrough()).isEmpty();
    assertThat(e.jobStartTimeout()).isEqualTo(Duration.ofMinutes(15));
    assertThat(e.syncInterval()).isEqualTo(Duration.ofSeconds(5));
  }

  @Test
  void localSettingsAreParsed() {
    Config.Execution e = load(Map.of("DATAPILOT_EXECUTOR", "LOCAL", "DATAPILOT_LOCAL_COMMAND",
        "[\"python3\",\"-u\",\"train.py\"]", "DATAPILOT_LOCAL_ENV_PASSTHROUGH", " CUDA_VISIBLE_DEVICES , HF_HOME,",
        "DATAPILOT_JOB_START_TIMEOUT", "90s", "DATAPILOT_EXECUTOR_SYNC_INTERVAL", "2"));
    assertThat(e.executor()).contains(ExecutorKind.LOCAL);
    assertThat(e.localCommand()).contains(List.of("python3", "-u", "train.py"));
    assertThat(e.localEnvPassthrough()).containsExactly("CUDA_VISIBLE_DEVICES", "HF_HOME");
    assertThat(e.jobStartTimeout()).isEqualTo(Duration.ofSeconds(90));
    assertThat(e.syncInterval()).isEqualTo(Duration.ofSeconds(2));
    assertThat(load(Map.of("DATAPILOT_LOCAL_COMMAND", "  python3   -u train.py ")).localCommand())
        .contains(List.of("python3", "-u", "train.py"));
  }

  @Test
  void badValuesNameTheirSetting() {
    for (Map<String, String> env : List.of(Map.of("DATAPILOT_EXECUTOR", "slurm"),
        Map.of("DATAPILOT_EXECUTOR", "kubernetes"), Map.of("DATAPILOT_DOCKER_HOST", "/var/run/docker.sock"),
        Map.of("DATAPILOT_LOCAL_COMMAND", "[]"), Map.of("DATAPILOT_LOCAL_COMMAND", "[1]"),
        Map.of("DATAPILOT_LOCAL_COMMAND", "[\"a\""), Map.of("DATAPILOT_LOCAL_ENV_PASSTHROUGH", "A-B"),
        Map.of("DATAPILOT_JOB_START_TIMEOUT", "soon"), Map.of("DATAPILOT_EXECUTOR_SYNC_INTERVAL", "0"))) {
      String name = env.keySet().iterator().next();
      assertThatThrownBy(() -> load(env)).as(env.toString()).isInstanceOf(ConfigException.class)
          .hasMessageContaining(name);
    }
  }
}
