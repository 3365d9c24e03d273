package io.animus.datapilot.execution;

import io.animus.datapilot.config.ExecutorKind;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.dockerjava.api.model.HostConfig;
import io.animus.datapilot.config.Config;
import io.animus.datapilot.config.ConfigException;
import io.animus.datapilot.config.ConfigLoader;
import io.animus.datapilot.kernel.Json;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The docker executor's settings (§8.1) and how a request's resources become a container's limits (§8.4). */
class DockerSettingsTest {
  private static Config.Docker load(Map<String, String> env) {
    return new ConfigLoader(env, Map.of()).load().execution().docker();
  }

  @Test
  void theHostComesFromDatapilotDockerHostThenDockerHostThenTheDefaultSocket() {
    assertThat(load(Map.of("DATAPILOT_EXECUTOR", "docker")))
        .isEqualTo(new Config.Docker("unix:///var/run/docker.sock", "host"));
    assertThat(load(Map.of("DOCKER_HOST", "tcp://10.0.0.5:2375")).host()).isEqualTo("tcp://10.0.0.5:2375");
    assertThat(load(Map.of("DOCKER_HOST", "tcp://10.0.0.5:2375", "DATAPILOT_DOCKER_HOST", "unix:///run/p.sock",
        "DATAPILOT_DOCKER_NETWORK", "training"))).isEqualTo(new Config.Docker("unix:///run/p.sock", "training"));
    assertThat(new ConfigLoader(Map.of("DATAPILOT_EXECUTOR", "DOCKER"), Map.of()).load().execution().executor())
        .contains(ExecutorKind.DOCKER);
  }

  @Test
  void aHostThatIsNotAnAddressIsRefusedNamingTheSetting() {
    for (String name : List.of("DATAPILOT_DOCKER_HOST", "DOCKER_HOST")) {
      assertThatThrownBy(() -> load(Map.of(name, "/var/run/docker.sock"))).isInstanceOf(ConfigException.class)
          .hasMessageContaining("DATAPILOT_DOCKER_HOST");
    }
  }

  @Test
  void resourcesBecomeCpuQuotaMemoryLimitAndGpuDeviceRequest() {
    HostConfig host = DockerContainers.hostConfig(Json.readObject("{\"cpu\":\"1.5\",\"memory\":\"256Mi\",\"gpus\":2,"
        + "\"tpu\":1}"), "host");
    assertThat(host.getNetworkMode()).isEqualTo("host");
    assertThat(host.getCpuPeriod()).isEqualTo(100_000L);
    assertThat(host.getCpuQuota()).isEqualTo(150_000L);
    assertThat(host.getMemory()).isEqualTo(256L << 20);
    assertThat(host.getDeviceRequests()).hasSize(1);
    assertThat(host.getDeviceRequests().get(0).getCount()).isEqualTo(2);
    assertThat(host.getDeviceRequests().get(0).getCapabilities()).containsExactly(List.of("gpu"));

    HostConfig none = DockerContainers.hostConfig(Json.readObject("{\"gpus\":0}"), "bridge");
    assertThat(none.getNetworkMode()).isEqualTo("bridge");
    assertThat(none.getCpuQuota()).isNull();
    assertThat(none.getMemory()).isNull();
    assertThat(none.getDeviceRequests()).isNull();
  }

  @Test
  void containersCarryTheRunIdInTheirNameAndLabels() {
    UUID runId = UUID.randomUUID();
    assertThat(DockerContainers.labels(runId)).containsEntry("animus.run_id", runId.toString())
        .containsEntry("app.kubernetes.io/name", "animus-datapilot")
        .containsEntry("app.kubernetes.io/component", "training-job");
  }

  @Test
  void engineErrorsAreReadWithoutTheirJsonWrapping() {
    assertThat(DockerContainers.readable(new RuntimeException("Status 500: {\"cause\":\"x\",\"message\":\"manifest "
        + "unknown\",\"response\":500}"))).isEqualTo("manifest unknown");
    assertThat(DockerContainers.readable(new RuntimeException("connection refused"))).isEqualTo("connection refused");
  }

  @Test
  void theLogFileKeepsItsTailAndShowsItWasCut(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("job.log");
    StringBuilder all = new StringBuilder();
    try (TailFile out = new TailFile(file, 100)) {
      for (int i = 0; i < 500; i++) {
        String line = "line " + i + "\n";
        all.append(line);
        out.write(line.getBytes(StandardCharsets.UTF_8));
      }
    }
    String kept = Files.readString(file);
    assertThat(kept.length()).isBetween(101, 200 + 9);
    assertThat(all.toString()).endsWith(kept);

    try (TailFile out = new TailFile(file, 100)) {
      out.write("short\n".getBytes(StandardCharsets.UTF_8));
    }
    assertThat(Files.readString(file)).isEqualTo("short\n");
  }
}
