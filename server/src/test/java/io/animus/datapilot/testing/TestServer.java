package io.animus.datapilot.testing;

import io.animus.datapilot.App;
import io.animus.datapilot.config.ConfigLoader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/** A real server on an ephemeral port with its own fresh database and data directory. */
public final class TestServer implements AutoCloseable {
  private final App app;
  private final Path dataDir;
  private final String databaseUrl;
  private final String pointsUrl;
  private io.animus.sdk.ExperimentsClient sdk;
  private io.animus.sdk.DatasetRegistryClient datasets;

  private TestServer(App app, Path dataDir, String databaseUrl, String pointsUrl) {
    this.app = app;
    this.dataDir = dataDir;
    this.databaseUrl = databaseUrl;
    this.pointsUrl = pointsUrl;
  }

  public static TestServer start() {
    return start(Map.of());
  }

  /** Starts with {@code DATAPILOT_*} settings on top of the test defaults. */
  public static TestServer start(Map<String, String> settings) {
    try {
      Path dir = Files.createTempDirectory("datapilot-test");
      String url = TestDatabase.freshDatabaseUrl();
      return startWith(dir, url, TestDatabase.pointsApart() ? TestDatabase.freshPointsDatabaseUrl() : null,
          settings);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static TestServer startWith(Path dir, String url, String pointsUrl, Map<String, String> settings) {
    Map<String, String> env = new HashMap<>();
    env.put("DATAPILOT_LISTEN", "127.0.0.1:0");
    env.put("DATAPILOT_DATA_DIR", dir.toString());
    env.put("DATAPILOT_DATABASE_URL", url);
    env.put("DATAPILOT_DATABASE_USER", "postgres");
    // The pool is opened whole at start, and a suite keeps several servers on one PostgreSQL (CI's
    // allows 100 connections): tests get 5 unless they ask for more.
    env.put("DATAPILOT_DATABASE_POOL_SIZE", "5");
    if (pointsUrl != null) {
      env.put("DATAPILOT_POINTS_DATABASE_URL", pointsUrl);
    }
    env.putAll(settings);
    return new TestServer(App.start(new ConfigLoader(env, Map.of()).load()), dir, url, pointsUrl);
  }

  /**
   * Starts a second server (another replica) on {@code other}'s database, with its own data
   * directory, as replicas behind a load balancer share one PostgreSQL.
   */
  public static TestServer startSharing(TestServer other, Map<String, String> settings) {
    try {
      return startWith(Files.createTempDirectory("datapilot-test"), other.databaseUrl, other.pointsUrl, settings);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Stops this server and starts another on the same database and data directory. */
  public TestServer restart(Map<String, String> settings) {
    app.close();
    return startWith(dataDir, databaseUrl, pointsUrl, settings);
  }

  public TestClient client() {
    return new TestClient("http://127.0.0.1:" + app.port());
  }

  /** The Java SDK's client for this server, without a token (see {@link TestClient#sdk()}); one per server. */
  public synchronized io.animus.sdk.ExperimentsClient sdk() {
    if (sdk == null) {
      sdk = client().sdk();
    }
    return sdk;
  }

  /** The Java SDK's client for this server with bearer {@code token}. */
  public io.animus.sdk.ExperimentsClient sdk(String token) {
    return client().withToken(token).sdk();
  }

  /** The Java SDK's dataset client for this server, without a token; one per server. */
  public synchronized io.animus.sdk.DatasetRegistryClient datasets() {
    if (datasets == null) {
      datasets = client().datasets();
    }
    return datasets;
  }

  public String baseUrl() {
    return "http://127.0.0.1:" + app.port();
  }

  public App app() {
    return app;
  }

  /** The server's data directory (blobs; the database of tests lives elsewhere). */
  public Path dataDir() {
    return dataDir;
  }

  public String databaseUrl() {
    return databaseUrl;
  }

  /** The points store's own database, or the metadata one when they are not apart. */
  public String pointsDatabaseUrl() {
    return pointsUrl == null ? databaseUrl : pointsUrl;
  }

  @Override
  public void close() {
    app.close();
  }
}
