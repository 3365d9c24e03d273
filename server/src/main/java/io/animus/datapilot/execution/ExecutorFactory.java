package io.animus.datapilot.execution;

import io.animus.datapilot.config.Config;
import java.util.Map;
import java.util.Optional;

/** Builds the executor that {@code DATAPILOT_EXECUTOR} names (docs/protocol.md §8.1). */
public final class ExecutorFactory {
  private ExecutorFactory() {}

  /** Empty when execution is disabled; {@code serverEnv} is the server's own environment. */
  public static Optional<Executor> create(Config config, Map<String, String> serverEnv) {
    Config.Execution execution = config.execution();
    return execution.executor().map(kind -> switch (kind) {
      case LOCAL -> new LocalExecutor(config.dataDir(), serverEnv.get("PATH"));
      case KUBERNETES -> KubernetesExecutor.connect(execution.kubernetes(), config.dataDir());
      case DOCKER -> new DockerExecutor(config.dataDir(), execution.docker(), execution.jobStartTimeout());
    });
  }

  /** The server's variables every job inherits (§8.4): none unless the configured kind inherits them. */
  public static Map<String, String> inheritedEnv(Config config, Map<String, String> serverEnv) {
    Config.Execution execution = config.execution();
    return execution.executor().map(kind -> JobEnvironment.inherited(kind, serverEnv,
        execution.localEnvPassthrough())).orElse(Map.of());
  }
}
