package io.animus.datapilot;

import io.animus.datapilot.audit.AuditStore;
import io.animus.datapilot.auth.AccessPolicy;
import io.animus.datapilot.auth.ApiTokenService;
import io.animus.datapilot.auth.ApiTokenStore;
import io.animus.datapilot.auth.AuthResource;
import io.animus.datapilot.auth.Authenticator;
import io.animus.datapilot.common.Clock;
import io.animus.datapilot.config.Config;
import io.animus.datapilot.experiments.ExperimentResource;
import io.animus.datapilot.experiments.ExperimentService;
import io.animus.datapilot.experiments.ExperimentStore;
import io.animus.datapilot.experiments.RunResource;
import io.animus.datapilot.experiments.RunService;
import io.animus.datapilot.experiments.RunStore;
import io.animus.datapilot.http.HttpServer;
import io.animus.datapilot.http.Idempotency;
import io.animus.datapilot.http.IdempotencyStore;
import io.animus.datapilot.http.Router;
import io.animus.datapilot.ops.HttpMetrics;
import io.animus.datapilot.ops.OpsResource;
import io.animus.datapilot.projects.ProjectResource;
import io.animus.datapilot.projects.ProjectService;
import io.animus.datapilot.projects.ProjectStore;
import io.animus.datapilot.storage.Database;
import java.nio.file.Files;
import java.io.IOException;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The one place where long-lived objects are constructed and wired. */
public final class App implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(App.class);
  private final Config config;
  private final Database database;
  private final HttpServer http;

  private App(Config config, Database database, HttpServer http) {
    this.config = config;
    this.database = database;
    this.http = http;
  }

  /** Opens storage, wires every component and starts listening. */
  public static App start(Config config) {
    try {
      Files.createDirectories(config.dataDir());
    } catch (IOException e) {
      throw new io.animus.datapilot.config.ConfigException("DATAPILOT_DATA_DIR " + config.dataDir()
          + " cannot be created: " + e.getMessage());
    }
    Database database = Database.open(config.database(), config.dataDir());
    try {
      HttpServer http = wire(config, database);
      http.start(config.http().host(), config.http().port());
      App app = new App(config, database, http);
      LOG.info("DataPilot listening on http://{}:{} (auth mode {}, data dir {})", config.http().host(), http.port(),
          config.auth().mode().name().toLowerCase(java.util.Locale.ROOT), config.dataDir());
      return app;
    } catch (RuntimeException e) {
      database.close();
      throw e;
    }
  }

  private static HttpServer wire(Config config, Database database) {
    Jdbi jdbi = database.jdbi();
    Clock clock = Clock.system();
    HttpMetrics metrics = new HttpMetrics();

    ApiTokenService tokens = new ApiTokenService(jdbi, new ApiTokenStore(), clock);
    Authenticator authenticator = new Authenticator(config.auth(), tokens);
    if (config.auth().mode() == Config.AuthMode.TOKEN && config.auth().adminToken().isEmpty()) {
      LOG.warn("token auth mode without DATAPILOT_ADMIN_TOKEN: set it to create the first API tokens");
    }
    ExperimentStore experimentStore = new ExperimentStore();
    RunStore runStore = new RunStore();

    Router router = new Router();
    new OpsResource(database, metrics, config.auth().mode(), () -> jdbi.withHandle(runStore::countByStatus))
        .register(router);
    new AuthResource(tokens).register(router);
    new ExperimentResource(new ExperimentService(jdbi, experimentStore, clock)).register(router);
    new RunResource(new RunService(jdbi, runStore, experimentStore, clock, config.runStaleAfter()))
        .register(router);
    new ProjectResource(new ProjectService(jdbi, new ProjectStore()))
        .register(router);

    return new HttpServer(router, authenticator, new AccessPolicy(),
        new Idempotency(new IdempotencyStore(jdbi), clock), new AuditStore(jdbi), metrics);
  }

  public int port() {
    return http.port();
  }

  public Config config() {
    return config;
  }

  public Database database() {
    return database;
  }

  /** Drains requests, then stops the database (the embedded PostgreSQL shuts down cleanly). */
  @Override
  public void close() {
    http.stop();
    database.close();
  }
}
