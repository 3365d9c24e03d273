package io.animus.datapilot.execution;

import io.animus.datapilot.config.Config;
import java.util.Map;
import java.util.Optional;

/** Builds the executor that {@code DATAPILOT_EXECUTOR} names (PROTOCOL.md §8.1). */
public final class ExecutorFactory {
  private ExecutorFactory() {}

  /** Empty when execution is disabled; {@code serverEnv} is the server's own environment. */
  public static Optional<Executor> create(Config config, Map<String, String> serverEnv) {
    Config.Execution execution = config.execution();
    return execution.executor().map(kind -> switch (kind) {
      case "local" -> new LocalExecutor(config.dataDir(), execution.localEnvPassthrough(), serverEnv);
      case "kubernetes" -> KubernetesExecutor.connect(execution.kubernetes(), config.dataDir());
      case "docker" -> new DockerExecutor(config.dataDir(), execution.docker(), execution.jobStartTimeout());
      default -> throw new IllegalStateException("unknown executor " + kind);
    });
  }
}
