package io.animus.datapilot.execution;

import io.animus.datapilot.config.ExecutorKind;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.animus.datapilot.config.Config;
import io.animus.datapilot.config.ConfigException;
import io.animus.datapilot.config.ConfigLoader;
import io.animus.datapilot.kernel.Json;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The {@code kubernetes} executor's settings (docs/protocol.md §8.1) and how run resources are read. */
class KubernetesConfigTest {
  @TempDir
  Path dir;

  private static Config.Execution load(Map<String, String> env) {
    Map<String, String> all = new HashMap<>(Map.of("DATAPILOT_EXECUTOR", "kubernetes",
        "DATAPILOT_PUBLIC_URL", "http://datapilot.svc:8080"));
    all.putAll(env);
    return new ConfigLoader(all, Map.of()).load().execution();
  }

  @Test
  void defaultsFollowTheProtocol() {
    Config.Execution e = load(Map.of());
    assertThat(e.executor()).contains(ExecutorKind.KUBERNETES);
    Config.Kubernetes k = e.kubernetes();
    assertThat(k.namespace()).isEmpty();
    assertThat(k.jobTtlSeconds()).isEqualTo(3600);
    assertThat(k.serviceAccount()).isEmpty();
    assertThat(k.kubeconfig()).isEmpty();
  }

  @Test
  void settingsAreRead() throws Exception {
    Path kubeconfig = Files.writeString(dir.resolve("config"), "apiVersion: v1\nkind: Config\n");
    Config.Kubernetes k = load(Map.of("DATAPILOT_K8S_NAMESPACE", "ml-train", "DATAPILOT_K8S_JOB_TTL_SECONDS", "0",
        "DATAPILOT_K8S_SERVICE_ACCOUNT", "trainer", "DATAPILOT_K8S_KUBECONFIG", kubeconfig.toString())).kubernetes();
    assertThat(k.namespace()).contains("ml-train");
    assertThat(k.jobTtlSeconds()).isZero();
    assertThat(k.serviceAccount()).contains("trainer");
    assertThat(k.kubeconfig()).contains(kubeconfig);
  }

  @Test
  void withoutANamespaceSettingJobsGoToTheKubeconfigContextsNamespace() throws Exception {
    Path kubeconfig = Files.writeString(dir.resolve("config"), """
        apiVersion: v1
        kind: Config
        clusters:
        - {name: c, cluster: {server: "http://127.0.0.1:1"}}
        contexts:
        - {name: ctx, context: {cluster: c, user: u, namespace: team-a}}
        current-context: ctx
        users:
        - {name: u, user: {token: t}}
        """);
    Config.Kubernetes settings = load(Map.of("DATAPILOT_K8S_KUBECONFIG", kubeconfig.toString())).kubernetes();
    try (KubernetesExecutor executor = KubernetesExecutor.connect(settings, dir)) {
      assertThat(executor.namespace()).isEqualTo("team-a");
    }
    Config.Kubernetes named = load(Map.of("DATAPILOT_K8S_KUBECONFIG", kubeconfig.toString(),
        "DATAPILOT_K8S_NAMESPACE", "team-b")).kubernetes();
    try (KubernetesExecutor executor = KubernetesExecutor.connect(named, dir)) {
      assertThat(executor.namespace()).isEqualTo("team-b");
    }
  }

  @Test
  void badValuesNameTheirSetting() {
    Map<String, String> noPublicUrl = new HashMap<>();
    noPublicUrl.put("DATAPILOT_PUBLIC_URL", "");
    for (Map<String, String> env : List.of(Map.of("DATAPILOT_K8S_NAMESPACE", "ML_Train"),
        Map.of("DATAPILOT_K8S_NAMESPACE", "-x"), Map.of("DATAPILOT_K8S_JOB_TTL_SECONDS", "-1"),
        Map.of("DATAPILOT_K8S_JOB_TTL_SECONDS", "1h"), Map.of("DATAPILOT_K8S_SERVICE_ACCOUNT", "Trainer!"),
        Map.of("DATAPILOT_K8S_KUBECONFIG", dir.resolve("missing").toString()), noPublicUrl)) {
      String name = env.keySet().iterator().next();
      assertThatThrownBy(() -> load(env)).as(env.toString()).isInstanceOf(ConfigException.class)
          .hasMessageContaining(name);
    }
  }

  @Test
  void resourcesBecomeNumbers() {
    ObjectNode r = Json.object().put("gpus", "2").put("cpu", 0.5).put("memory", "1.5Gi");
    assertThat(JobResources.of(r)).isEqualTo(new JobResources(Optional.of(2), Optional.of(new BigDecimal("0.5")),
        Optional.of(3L << 29)));
    assertThat(JobResources.of(Json.object().put("memory", "2G")).memoryBytes()).contains(2_000_000_000L);
    assertThat(JobResources.of(Json.object().put("memory", "4g")).memoryBytes()).contains(4L << 30);
    assertThat(JobResources.of(Json.object().put("memory", 1024)).memoryBytes()).contains(1024L);
    assertThat(JobResources.of(Json.object())).isEqualTo(new JobResources(Optional.empty(), Optional.empty(),
        Optional.empty()));
  }
}
