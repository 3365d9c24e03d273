package io.animus.datapilot.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/** The server's whole configuration, validated once at start-up. */
public record Config(Http http, Auth auth, Database database, Optional<Database> pointsDatabase, Path dataDir,
                     Duration runStaleAfter, Trust trust, Blobs blobs, Uploads uploads, boolean requireQualityGate,
                     Execution execution, Streams streams, Retention retention) {

  /**
   * Deletion (docs/protocol.md §3.6): things archived longer than {@code archivedDays} are deleted (0: never);
   * {@code sweepStepPause} waits between the sweeper's steps (0 in production; crash tests set it).
   */
  public record Retention(int archivedDays, Duration sweepStepPause) {}

  /** Caps on open live streams: on this server, and per caller (a token, a run token, the dev user). */
  public record Streams(int maxOpen, int maxPerPrincipal) {}

  /**
   * CI and run-token secrets. Without {@code ciWebhookSecret} the CI endpoints answer 503; without
   * {@code runTokenSecret} one is generated once and kept in the data directory.
   */
  public record Trust(Optional<String> ciWebhookSecret, Optional<String> runTokenSecret, Duration runTokenGrace,
                      Duration runTokenMaxTtl) {}

  /** Where the server listens and the base URL it gives to jobs. */
  public record Http(String host, int port, Optional<String> publicUrl) {
    public boolean loopback() {
      return host.equals("localhost") || host.startsWith("127.") || host.equals("::1")
          || host.equals("[::1]");
    }
  }

  public enum AuthMode { DEV, TOKEN }

  public record Auth(AuthMode mode, Optional<String> adminToken) {}

  /**
   * An external PostgreSQL when {@code url} is present, else the embedded one (on {@code embeddedPort},
   * 0 for a free port); {@code connectionWaitMs} bounds how long a request waits for a pooled
   * connection before it answers 503.
   */
  public record Database(Optional<String> url, Optional<String> user, Optional<String> password, int poolSize,
                         int connectionWaitMs, int embeddedPort) {}

  /** The blob store: {@code file} under the data directory, or {@code s3} (docs/protocol.md §5.4). */
  public record Blobs(String kind, Optional<S3> s3) {}

  /** S3 settings; credentials come from the AWS SDK's default chain. */
  public record S3(String bucket, String prefix, Optional<String> endpoint, String region, boolean pathStyle) {}

  /** Upload size limits in bytes. */
  public record Uploads(long artifactMaxBytes, long datasetMaxBytes) {}

  /**
   * Training execution (docs/protocol.md §8.1): {@code executor} is empty when execution is disabled;
   * {@code localCommand} is the local executor's command when a request has none.
   */
  public record Execution(Optional<ExecutorKind> executor, Optional<java.util.List<String>> localCommand,
                          java.util.List<String> localEnvPassthrough, Duration jobStartTimeout,
                          Duration syncInterval, Kubernetes kubernetes, Docker docker) {}

  /** The {@code docker} executor: the engine's address ({@code unix://…} or {@code tcp://…}) and the jobs' network. */
  public record Docker(String host, String network) {}

  /**
   * The {@code kubernetes} executor (docs/protocol.md §8.1): an empty {@code namespace} means the one the
   * credentials name (in-cluster or the kubeconfig context); an empty {@code kubeconfig} lets fabric8
   * find its credentials ({@code KUBECONFIG}, {@code ~/.kube/config}, then the in-cluster service account).
   */
  public record Kubernetes(Optional<String> namespace, long jobTtlSeconds, Optional<String> serviceAccount,
                           Optional<Path> kubeconfig) {}
}
