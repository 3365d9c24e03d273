package io.animus.datapilot.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Builds {@link Config} from {@code DATAPILOT_*} variables, with command-line flags (given under the
 * same names) taking precedence. Every rejection names the setting.
 */
public final class ConfigLoader {
  private static final Pattern DURATION = Pattern.compile("(\\d+)([smhd]?)");
  private static final Pattern ENV_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
  private static final Duration MAX_DURATION = Duration.ofDays(36_500);
  private final Map<String, String> env;
  private final Map<String, String> flags;

  public ConfigLoader(Map<String, String> env, Map<String, String> flags) {
    this.env = Map.copyOf(env);
    this.flags = Map.copyOf(flags);
  }

  public Config load() {
    Config.Http http = http();
    Config.Auth auth = auth(http);
    Config.Database database = new Config.Database(
        value("DATAPILOT_DATABASE_URL"), value("DATAPILOT_DATABASE_USER"), value("DATAPILOT_DATABASE_PASSWORD"),
        poolSize(), connectionWaitMs(), embeddedPort());
    database.url().ifPresent(url -> {
      if (!url.startsWith("jdbc:postgresql:")) {
        throw new ConfigException("DATAPILOT_DATABASE_URL must be a jdbc:postgresql: URL");
      }
    });
    // The points store on a PostgreSQL of its own (docs/points-store.md); it never runs embedded.
    Optional<Config.Database> points = value("DATAPILOT_POINTS_DATABASE_URL").map(url -> {
      if (!url.startsWith("jdbc:postgresql:")) {
        throw new ConfigException("DATAPILOT_POINTS_DATABASE_URL must be a jdbc:postgresql: URL");
      }
      return new Config.Database(Optional.of(url),
          value("DATAPILOT_POINTS_DATABASE_USER").or(() -> value("DATAPILOT_DATABASE_USER")),
          value("DATAPILOT_POINTS_DATABASE_PASSWORD").or(() -> value("DATAPILOT_DATABASE_PASSWORD")),
          database.poolSize(), database.connectionWaitMs(), 0);
    });
    Path dataDir = Path.of(value("DATAPILOT_DATA_DIR").orElse("./data")).toAbsolutePath().normalize();
    Duration stale = duration("DATAPILOT_RUN_STALE_AFTER", "10m");
    Config.Trust trust = new Config.Trust(value("ANIMUS_CI_WEBHOOK_SECRET"), value("DATAPILOT_RUN_TOKEN_SECRET"),
        duration("DATAPILOT_RUN_TOKEN_GRACE", "10m"), duration("DATAPILOT_RUN_TOKEN_MAX_TTL", "30d"));
    if (trust.runTokenMaxTtl().isZero()) {
      throw new ConfigException("DATAPILOT_RUN_TOKEN_MAX_TTL must be greater than zero");
    }
    return new Config(http, auth, database, points, dataDir, stale, trust, blobs(),
        new Config.Uploads(mebibytes("DATAPILOT_ARTIFACT_UPLOAD_MAX_MIB", 10240),
            mebibytes("DATAPILOT_DATASET_UPLOAD_MAX_MIB", 10240)),
        bool("DATAPILOT_REQUIRE_QUALITY_GATE"), execution(), streams(),
        new Config.Retention(wholeNumber("DATAPILOT_RETENTION_ARCHIVED_DAYS", 0, 36_500),
            Duration.ofMillis(wholeNumber("DATAPILOT_SWEEP_STEP_PAUSE_MS", 0, 60_000))));
  }

  /**
   * Live-stream caps. By default 10,000 streams, or half the process's open-file limit when that is
   * lower (each stream is a socket; the rest stays for ordinary connections, files and the
   * database); 1,000 per caller.
   */
  private Config.Streams streams() {
    int fallback = (int) Math.max(1, Math.min(10_000, OpenFileLimit.current() / 2));
    return new Config.Streams(count("DATAPILOT_STREAM_MAX_OPEN", fallback),
        count("DATAPILOT_STREAM_MAX_PER_PRINCIPAL", Math.min(1_000, fallback)));
  }

  /** A whole number from 1 to 1,000,000. */
  private int wholeNumber(String name, int min, int max) {
    try {
      int n = value(name).map(String::trim).map(Integer::parseInt).orElse(min);
      if (n >= min && n <= max) {
        return n;
      }
    } catch (NumberFormatException e) {
      // answered below
    }
    throw new ConfigException(name + " must be a whole number from " + min + " to " + max);
  }

  private int count(String name, int fallback) {
    try {
      int n = value(name).map(Integer::parseInt).orElse(fallback);
      if (n >= 1 && n <= 1_000_000) {
        return n;
      }
    } catch (NumberFormatException e) {
      // answered below
    }
    throw new ConfigException(name + " must be a whole number from 1 to 1000000");
  }

  private Config.Execution execution() {
    Optional<ExecutorKind> executor = value("DATAPILOT_EXECUTOR").map(v -> ExecutorKind.parse(v).orElseThrow(
        () -> new ConfigException("DATAPILOT_EXECUTOR must be local, docker or kubernetes")));
    executor.filter(ExecutorKind::needsPublicUrl).ifPresent(kind -> {
      if (value("DATAPILOT_PUBLIC_URL").isEmpty()) {
        throw new ConfigException("DATAPILOT_PUBLIC_URL must be set when DATAPILOT_EXECUTOR=" + kind.wire()
            + ": jobs reach the server through it");
      }
    });
    Optional<List<String>> command = value("DATAPILOT_LOCAL_COMMAND").map(ConfigLoader::localCommand);
    List<String> passthrough = value("DATAPILOT_LOCAL_ENV_PASSTHROUGH")
        .map(v -> Arrays.stream(v.split(",")).map(String::trim).filter(n -> !n.isEmpty()).toList())
        .orElse(List.of());
    for (String name : passthrough) {
      if (!ENV_NAME.matcher(name).matches()) {
        throw new ConfigException("DATAPILOT_LOCAL_ENV_PASSTHROUGH holds an invalid variable name");
      }
    }
    Duration startTimeout = duration("DATAPILOT_JOB_START_TIMEOUT", "15m");
    Duration sync = duration("DATAPILOT_EXECUTOR_SYNC_INTERVAL", "5s");
    if (sync.isZero()) {
      throw new ConfigException("DATAPILOT_EXECUTOR_SYNC_INTERVAL must be greater than zero");
    }
    return new Config.Execution(executor, command, passthrough, startTimeout, sync, kubernetes(),
        docker());
  }

  private static final Pattern DNS_LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?");
  private static final Pattern DNS_SUBDOMAIN = Pattern.compile("[a-z0-9]([-.a-z0-9]{0,251}[a-z0-9])?");

  private Config.Kubernetes kubernetes() {
    Optional<String> namespace = value("DATAPILOT_K8S_NAMESPACE");
    if (namespace.isPresent() && !DNS_LABEL.matcher(namespace.get()).matches()) {
      throw new ConfigException("DATAPILOT_K8S_NAMESPACE must be a Kubernetes namespace name (lower-case DNS label)");
    }
    Optional<String> account = value("DATAPILOT_K8S_SERVICE_ACCOUNT");
    if (account.isPresent() && !DNS_SUBDOMAIN.matcher(account.get()).matches()) {
      throw new ConfigException("DATAPILOT_K8S_SERVICE_ACCOUNT must be a Kubernetes service account name");
    }
    long ttl;
    try {
      ttl = value("DATAPILOT_K8S_JOB_TTL_SECONDS").map(Long::parseLong).orElse(3600L);
    } catch (NumberFormatException e) {
      ttl = -1;
    }
    if (ttl < 0 || ttl > Integer.MAX_VALUE) {
      throw new ConfigException("DATAPILOT_K8S_JOB_TTL_SECONDS must be a whole number of seconds >= 0 (0 = none)");
    }
    Optional<Path> kubeconfig = value("DATAPILOT_K8S_KUBECONFIG").map(Path::of);
    kubeconfig.ifPresent(file -> {
      if (!java.nio.file.Files.isReadable(file)) {
        throw new ConfigException("DATAPILOT_K8S_KUBECONFIG names a file that cannot be read: " + file);
      }
    });
    return new Config.Kubernetes(namespace, ttl, account, kubeconfig);
  }

  /** {@code DATAPILOT_DOCKER_HOST}, else {@code DOCKER_HOST}, else the default socket; the network ({@code host}). */
  private Config.Docker docker() {
    String host = value("DATAPILOT_DOCKER_HOST").or(() -> value("DOCKER_HOST"))
        .orElse("unix:///var/run/docker.sock");
    if (!host.startsWith("unix://") && !host.startsWith("tcp://") && !host.startsWith("npipe://")) {
      throw new ConfigException("DATAPILOT_DOCKER_HOST (or DOCKER_HOST) must be a unix://, tcp:// or npipe:// "
          + "address");
    }
    String network = value("DATAPILOT_DOCKER_NETWORK").orElse("host");
    return new Config.Docker(host, network);
  }

  /** A JSON array of strings, or a whitespace-separated line. */
  private static List<String> localCommand(String raw) {
    if (raw.startsWith("[")) {
      try {
        var node = new com.fasterxml.jackson.databind.ObjectMapper().readTree(raw);
        List<String> out = new ArrayList<>();
        if (node != null && node.isArray() && !node.isEmpty()) {
          for (var item : node) {
            if (!item.isTextual()) {
              out = null;
              break;
            }
            out.add(item.textValue());
          }
          if (out != null) {
            return List.copyOf(out);
          }
        }
      } catch (java.io.IOException e) {
        // answered below
      }
      throw new ConfigException("DATAPILOT_LOCAL_COMMAND must be a non-empty JSON array of strings "
          + "or a whitespace-separated command line");
    }
    return List.of(raw.trim().split("\\s+"));
  }

  private Config.Blobs blobs() {
    String kind = value("DATAPILOT_BLOB_STORE").orElse("file").toLowerCase(Locale.ROOT);
    switch (kind) {
      case "file":
        return new Config.Blobs(kind, Optional.empty());
      case "s3":
        String bucket = value("DATAPILOT_S3_BUCKET").orElseThrow(() ->
            new ConfigException("DATAPILOT_S3_BUCKET is required when DATAPILOT_BLOB_STORE=s3"));
        Optional<String> endpoint = value("DATAPILOT_S3_ENDPOINT");
        endpoint.ifPresent(e -> {
          if (!e.startsWith("http://") && !e.startsWith("https://")) {
            throw new ConfigException("DATAPILOT_S3_ENDPOINT must start with http:// or https://");
          }
        });
        String region = value("DATAPILOT_S3_REGION").orElse("us-east-1");
        return new Config.Blobs(kind, Optional.of(new Config.S3(bucket, value("DATAPILOT_S3_PREFIX").orElse(""),
            endpoint, region, bool("DATAPILOT_S3_PATH_STYLE"))));
      default:
        throw new ConfigException("DATAPILOT_BLOB_STORE must be file or s3");
    }
  }

  /** A positive whole number of MiB, returned in bytes. */
  private long mebibytes(String name, long fallback) {
    long mib;
    try {
      mib = value(name).map(Long::parseLong).orElse(fallback);
    } catch (NumberFormatException e) {
      throw new ConfigException(name + " must be a whole number of MiB");
    }
    if (mib < 1 || mib > (Long.MAX_VALUE >> 20)) {
      throw new ConfigException(name + " must be at least 1 (MiB)");
    }
    return mib << 20;
  }

  /**
   * Connections in the pool, 20 by default whatever the cores. A request holds one only for its
   * short statements, but a burst (200 uploads starting or committing at once on a busy disk)
   * queues for them, and the queue must clear within the connection wait; 5 (twice the cores
   * plus one on two cores) did not, 20 did (bench/README.md). Twenty also leaves room for four
   * replicas within PostgreSQL's default max_connections of 100.
   */
  public static final int DEFAULT_POOL_SIZE = 20;

  private int poolSize() {
    int fallback = DEFAULT_POOL_SIZE;
    try {
      int size = value("DATAPILOT_DATABASE_POOL_SIZE").map(Integer::parseInt).orElse(fallback);
      if (size >= 1 && size <= 1000) {
        return size;
      }
    } catch (NumberFormatException e) {
      // answered below
    }
    throw new ConfigException("DATAPILOT_DATABASE_POOL_SIZE must be a whole number from 1 to 1000");
  }

  /** The embedded PostgreSQL's port on 127.0.0.1; 0 (the default) takes a free one at each start. */
  private int embeddedPort() {
    try {
      int port = value("DATAPILOT_EMBEDDED_DB_PORT").map(Integer::parseInt).orElse(0);
      if (port >= 0 && port <= 65535) {
        return port;
      }
    } catch (NumberFormatException e) {
      // answered below
    }
    throw new ConfigException("DATAPILOT_EMBEDDED_DB_PORT must be a port number from 1 to 65535 (0: a free port)");
  }

  /**
   * How long a request waits for a pooled connection before it answers 503 (milliseconds). Long
   * enough to ride out a burst on a busy pool, short enough that an outage is answered before
   * clients time out; Hikari refuses less than 250 ms.
   */
  private int connectionWaitMs() {
    try {
      int ms = value("DATAPILOT_DATABASE_CONNECTION_WAIT_MS").map(Integer::parseInt).orElse(2000);
      if (ms >= 250 && ms <= 60_000) {
        return ms;
      }
    } catch (NumberFormatException e) {
      // answered below
    }
    throw new ConfigException("DATAPILOT_DATABASE_CONNECTION_WAIT_MS must be a whole number of milliseconds "
        + "from 250 to 60000");
  }

  private Optional<String> value(String name) {
    String raw = flags.containsKey(name) ? flags.get(name) : env.get(name);
    return raw == null || raw.trim().isEmpty() ? Optional.empty() : Optional.of(raw.trim());
  }

  private Config.Http http() {
    String listen = value("DATAPILOT_LISTEN").orElse("127.0.0.1:8080");
    int colon = listen.lastIndexOf(':');
    if (colon <= 0 || colon == listen.length() - 1) {
      throw new ConfigException("DATAPILOT_LISTEN must be HOST:PORT, for example 127.0.0.1:8080");
    }
    String host = listen.substring(0, colon);
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    }
    int port;
    try {
      port = Integer.parseInt(listen.substring(colon + 1));
    } catch (NumberFormatException e) {
      throw new ConfigException("DATAPILOT_LISTEN has a port that is not a number");
    }
    if (port < 0 || port > 65535) {
      throw new ConfigException("DATAPILOT_LISTEN port must be between 0 and 65535");
    }
    Optional<String> publicUrl = value("DATAPILOT_PUBLIC_URL").map(ConfigLoader::stripApiSuffix);
    publicUrl.ifPresent(url -> {
      if (!url.startsWith("http://") && !url.startsWith("https://")) {
        throw new ConfigException("DATAPILOT_PUBLIC_URL must start with http:// or https://");
      }
    });
    return new Config.Http(host, port, publicUrl);
  }

  private static String stripApiSuffix(String url) {
    String trimmed = url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
    return trimmed.endsWith("/api") ? trimmed.substring(0, trimmed.length() - 4) : trimmed;
  }

  private Config.Auth auth(Config.Http http) {
    Config.AuthMode mode = value("DATAPILOT_AUTH_MODE")
        .map(raw -> switch (raw.toLowerCase(Locale.ROOT)) {
          case "dev" -> Config.AuthMode.DEV;
          case "token" -> Config.AuthMode.TOKEN;
          default -> throw new ConfigException("DATAPILOT_AUTH_MODE must be dev or token");
        })
        .orElse(http.loopback() ? Config.AuthMode.DEV : Config.AuthMode.TOKEN);
    boolean allowDevOnPublic = bool("DATAPILOT_ALLOW_DEV_AUTH_ON_PUBLIC");
    if (mode == Config.AuthMode.DEV && !http.loopback() && !allowDevOnPublic) {
      throw new ConfigException("DATAPILOT_AUTH_MODE=dev refused on the non-loopback address " + http.host()
          + "; use token mode or set DATAPILOT_ALLOW_DEV_AUTH_ON_PUBLIC=true");
    }
    Optional<String> admin = value("DATAPILOT_ADMIN_TOKEN");
    admin.ifPresent(token -> {
      if (token.length() < 16) {
        throw new ConfigException("DATAPILOT_ADMIN_TOKEN must be at least 16 characters");
      }
    });
    return new Config.Auth(mode, admin);
  }

  private boolean bool(String name) {
    return value(name).map(raw -> switch (raw.toLowerCase(Locale.ROOT)) {
      case "true", "1", "yes", "on" -> true;
      case "false", "0", "no", "off" -> false;
      default -> throw new ConfigException(name + " must be true or false");
    }).orElse(false);
  }

  private Duration duration(String name, String fallback) {
    return parseDuration(name, value(name).orElse(fallback));
  }

  /** Integer seconds, or a number with {@code s}, {@code m}, {@code h} or {@code d}. */
  public static Duration parseDuration(String name, String raw) {
    Matcher m = DURATION.matcher(raw.trim().toLowerCase(Locale.ROOT));
    if (!m.matches()) {
      throw new ConfigException(name + " must be a duration such as 30s, 10m, 2h or 1d");
    }
    Duration duration;
    try {
      long n = Long.parseLong(m.group(1));
      duration = switch (m.group(2)) {
        case "m" -> Duration.ofMinutes(n);
        case "h" -> Duration.ofHours(n);
        case "d" -> Duration.ofDays(n);
        default -> Duration.ofSeconds(n);
      };
    } catch (NumberFormatException | ArithmeticException e) {
      duration = null;
    }
    // Durations are added to instants; a bound keeps that arithmetic from overflowing.
    if (duration == null || duration.compareTo(MAX_DURATION) > 0) {
      throw new ConfigException(name + " must be at most " + MAX_DURATION.toDays() + "d");
    }
    return duration;
  }
}
