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
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.postgres.PostgresPlugin;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The connection pool, migrations and the embedded PostgreSQL when no external one is configured. */
public final class Database implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Database.class);
  private final HikariDataSource pool;
  private final EmbeddedPostgresServer embedded;
  private final Jdbi jdbi;

  private Database(HikariDataSource pool, EmbeddedPostgresServer embedded) {
    this.pool = pool;
    this.embedded = embedded;
    this.jdbi = Jdbi.create(pool).installPlugin(new PostgresPlugin());
  }

  /** Opens the configured database, starting the embedded one if needed, and migrates it. */
  public static Database open(Config.Database settings, Path dataDir) {
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
    hikari.setPoolName("datapilot");
    hikari.setMaximumPoolSize(settings.poolSize());
    hikari.setMinimumIdle(Math.min(2, settings.poolSize()));
    hikari.setConnectionTimeout(10_000);
    hikari.setInitializationFailTimeout(30_000);
    HikariDataSource pool;
    try {
      pool = new HikariDataSource(hikari);
    } catch (RuntimeException e) {
      if (embedded != null) {
        embedded.close();
      }
      throw new ConfigException("cannot connect to the database (check DATAPILOT_DATABASE_URL, "
          + "DATAPILOT_DATABASE_USER and DATAPILOT_DATABASE_PASSWORD): " + rootMessage(e));
    }
    Database database = new Database(pool, embedded);
    try {
      database.migrate();
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

  private void migrate() {
    Flyway.configure()
        .dataSource(pool)
        .locations("classpath:db/migration")
        .load()
        .migrate();
  }

  public Jdbi jdbi() {
    return jdbi;
  }

  /** A cheap round trip used by readiness; false when the database does not answer in time. */
  public boolean ping(int timeoutSeconds) {
    try (Connection c = pool.getConnection(); Statement s = c.createStatement()) {
      s.setQueryTimeout(timeoutSeconds);
      return s.execute("SELECT 1");
    } catch (SQLException e) {
      return false;
    }
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
    pool.close();
    if (embedded != null) {
      embedded.close();
    }
    LOG.info("database closed");
  }
}
