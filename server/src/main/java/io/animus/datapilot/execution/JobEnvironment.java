package io.animus.datapilot.execution;

import io.animus.datapilot.config.ExecutorKind;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.function.Supplier;

/**
 * The environment contract of docs/protocol.md §8.4: what a job inherits from the server (only an
 * executor kind that {@link ExecutorKind#inheritsServerEnv inherits it}), then the request's
 * variables, then the reserved ones, among them the URL and the run token it reports with.
 */
public final class JobEnvironment {
  /** The server's variables a job may inherit besides {@code LC_*} and the configured passthrough names. */
  static final Set<String> ALLOWED_ENV = Set.of("PATH", "HOME", "USER", "LANG", "TZ", "TMPDIR", "PYTHONPATH",
      "VIRTUAL_ENV", "JAVA_HOME");
  private final Map<String, String> inherited;
  private final Supplier<String> datapilotUrl;
  private final JobTokens tokens;

  public JobEnvironment(Map<String, String> inherited, Supplier<String> datapilotUrl, JobTokens tokens) {
    this.inherited = Map.copyOf(inherited);
    this.datapilotUrl = datapilotUrl;
    this.tokens = tokens;
  }

  /** The server's variables every job of {@code kind} inherits: the allowlist, {@code LC_*} and the passthrough. */
  public static Map<String, String> inherited(ExecutorKind kind, Map<String, String> serverEnv,
                                              List<String> passthrough) {
    Map<String, String> out = new TreeMap<>();
    if (!kind.inheritsServerEnv()) {
      return out;
    }
    serverEnv.forEach((name, value) -> {
      if (ALLOWED_ENV.contains(name) || name.startsWith("LC_") || passthrough.contains(name)) {
        out.put(name, value);
      }
    });
    return out;
  }

  /** What one job is given: the URL it reaches the server at, its token and its whole environment. */
  record Granted(String datapilotUrl, String token, Map<String, String> env) {}

  Granted grant(UUID runId, UUID versionId, Instant now, Map<String, String> requested) {
    String url = datapilotUrl.get();
    String token = tokens.issue(runId, versionId, now);
    Map<String, String> env = new TreeMap<>(inherited);
    env.putAll(requested);
    env.put("RUN_ID", runId.toString());
    env.put("DATASET_VERSION_ID", versionId.toString());
    env.put("DATAPILOT_URL", url);
    env.put("TOKEN", token);
    env.put("ANIMUS_JOB_KIND", "training");
    return new Granted(url, token, env);
  }
}
