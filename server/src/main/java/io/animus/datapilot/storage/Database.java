package io.animus.datapilot.storage;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.animus.datapilot.config.Config;
import io.animus.datapilot.config.ConfigException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Optional;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.migration.JavaMigration;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.postgres.PostgresPlugin;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The connection pool, migrations and the embedded PostgreSQL when no external one is configured. */
public final class Database implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Database.class);
  /** The readiness check's own connection waits this long at most: it must answer within its 750 ms. */
  private static final int READINESS_WAIT_MS = 500;
  private final HikariDataSource pool;
  private final HikariDataSource readiness;
  private final EmbeddedPostgresServer embedded;
  private final Jdbi jdbi;

  private Database(HikariDataSource pool, HikariDataSource readiness, EmbeddedPostgresServer embedded) {
    this.pool = pool;
    this.readiness = readiness;
    this.embedded = embedded;
    this.jdbi = Jdbi.create(pool).installPlugin(new PostgresPlugin());
  }

  /** The pool's connections right now, and the requests waiting for one. */
  public record PoolState(int size, int active, int idle, int waiting) {}

  /**
   * Opens the configured database, starting the embedded one if needed, and migrates it: first the
   * metadata schema ({@code db/migration}), then the points store's own schema {@code points}
   * ({@code db/points}, with its own history table, plus the given Java migrations).
   */
  public static Database open(Config.Database settings, Path dataDir, JavaMigration... pointsMigrations) {
    return open(settings, dataDir, "DATAPILOT_DATABASE", true, true, pointsMigrations);
  }

  /** Opens the metadata database alone (the points store lives in another), and migrates it. */
  public static Database openMetadata(Config.Database settings, Path dataDir) {
    return open(settings, dataDir, "DATAPILOT_DATABASE", true, false);
  }

  /**
   * Opens the points store's own database ({@code DATAPILOT_POINTS_DATABASE_URL}; never embedded)
   * and migrates schema {@code points} there.
   */
  public static Database openPoints(Config.Database settings, JavaMigration... pointsMigrations) {
    if (settings.url().isEmpty()) {
      throw new IllegalArgumentException("the points database is always an external one");
    }
    return open(settings, null, "DATAPILOT_POINTS_DATABASE", false, true, pointsMigrations);
  }

  private static Database open(Config.Database settings, Path dataDir, String setting, boolean metadata,
                               boolean points, JavaMigration... pointsMigrations) {
    EmbeddedPostgresServer embedded = null;
    HikariConfig hikari = new HikariConfig();
    if (settings.url().isPresent()) {
      hikari.setJdbcUrl(settings.url().get());
      settings.user().ifPresent(hikari::setUsername);
      settings.password().ifPresent(hikari::setPassword);
    } else {
      embedded = EmbeddedPostgresServer.start(dataDir.resolve("pg"), settings.embeddedPort());
      hikari.setJdbcUrl(embedded.jdbcUrl());
      hikari.setUsername("postgres");
    }
    HikariConfig reserved = new HikariConfig();
    hikari.copyStateTo(reserved);
    hikari.setPoolName(metadata ? "datapilot" : "datapilot-points");
    hikari.setMaximumPoolSize(settings.poolSize());
    // A fixed-size pool: growing it on demand opens connections one at a time, just when a burst
    // (200 uploads starting at once) needs them all.
    hikari.setMinimumIdle(settings.poolSize());
    // A request waits this long for a connection, then answers 503 (DatabaseUnavailable): an
    // outage or a pool that stays full must not hold requests until the client gives up.
    hikari.setConnectionTimeout(settings.connectionWaitMs());
    hikari.setValidationTimeout(Math.max(250, Math.min(1000, settings.connectionWaitMs() / 2)));
    hikari.setInitializationFailTimeout(30_000);
    // Readiness has a connection of its own, so a pool busy with uploads cannot make it time out;
    // it asks "does the database answer", not "is a pooled connection free" (that is load, not a fault).
    reserved.setPoolName(metadata ? "datapilot-readiness" : "datapilot-points-readiness");
    reserved.setMaximumPoolSize(1);
    reserved.setMinimumIdle(1);
    reserved.setConnectionTimeout(READINESS_WAIT_MS);
    reserved.setValidationTimeout(250);
    reserved.setInitializationFailTimeout(-1);
    HikariDataSource pool;
    try {
      pool = new HikariDataSource(hikari);
    } catch (RuntimeException e) {
      if (embedded != null) {
        embedded.close();
      }
      throw new ConfigException("cannot connect to the database (check " + setting + "_URL, "
          + setting + "_USER and " + setting + "_PASSWORD): " + rootMessage(e));
    }
    Database database = new Database(pool, new HikariDataSource(reserved), embedded);
    try {
      database.migrate(metadata, points, pointsMigrations);
    } catch (RuntimeException e) {
      database.close();
      throw e;
    }
    return database;
  }

  private static String rootMessage(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null) {
      t = t.getCause();
    }
    return t.getMessage();
  }

  private void migrate(boolean metadata, boolean points, JavaMigration... pointsMigrations) {
    // Flyway holds two connections at once; its own keep a pool of one usable.
    if (metadata) {
      Flyway.configure()
          .dataSource(pool.getJdbcUrl(), pool.getUsername(), pool.getPassword())
          .locations("classpath:db/migration")
          .load()
          .migrate();
    }
    if (!points) {
      return;
    }
    Flyway.configure()
        .dataSource(pool.getJdbcUrl(), pool.getUsername(), pool.getPassword())
        .locations("classpath:db/points")
        .schemas(POINTS_SCHEMA)
        .createSchemas(true)
        .javaMigrations(pointsMigrations)
        .load()
        .migrate();
  }

  /** The schema of the points store (docs/adr/0034). */
  public static final String POINTS_SCHEMA = "points";

  public Jdbi jdbi() {
    return jdbi;
  }

  /**
   * A cheap round trip used by readiness, on the reserved connection (at most 500 ms to get it);
   * false when the database does not answer in time.
   */
  public boolean ping(int timeoutSeconds) {
    try (Connection c = readiness.getConnection(); Statement s = c.createStatement()) {
      s.setQueryTimeout(timeoutSeconds);
      return s.execute("SELECT 1");
    } catch (SQLException e) {
      return false;
    }
  }

  public PoolState poolState() {
    var bean = pool.getHikariPoolMXBean();
    return new PoolState(pool.getMaximumPoolSize(), bean.getActiveConnections(), bean.getIdleConnections(),
        bean.getThreadsAwaitingConnection());
  }

  /**
   * A connection outside the pool, for long-lived sessions such as LISTEN; the caller closes it.
   */
  public Connection openDedicatedConnection() throws SQLException {
    return java.sql.DriverManager.getConnection(pool.getJdbcUrl(), pool.getUsername(), pool.getPassword());
  }

  public Optional<Integer> embeddedPort() {
    return Optional.ofNullable(embedded).map(EmbeddedPostgresServer::port);
  }

  /** What happened to the embedded PostgreSQL (restarting, restarted), for readiness; empty otherwise. */
  public Optional<String> embeddedStatus() {
    return embedded == null ? Optional.empty() : embedded.status();
  }

  @Override
  public void close() {
    readiness.close();
    pool.close();
    if (embedded != null) {
      embedded.close();
    }
    LOG.info("database closed");
  }
}
