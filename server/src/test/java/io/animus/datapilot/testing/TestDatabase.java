package io.animus.datapilot.testing;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.UUID;

/**
 * One PostgreSQL for the whole test JVM: the external one named by the system property
 * {@code datapilot.test.databaseUrl} (CI sets it from {@code DATAPILOT_TEST_DATABASE_URL}), else an
 * embedded one. Each caller gets a fresh database in it.
 */
public final class TestDatabase {
  private static String baseUrl;
  private static String user = "postgres";

  private TestDatabase() {}

  /** A JDBC URL of a new, empty database. */
  public static synchronized String freshDatabaseUrl() {
    if (baseUrl == null) {
      baseUrl = external() ? System.getProperty("datapilot.test.databaseUrl") : startEmbedded();
    }
    return createDatabase(baseUrl, "t_");
  }

  private static String pointsBaseUrl;

  /**
   * With {@code -Ddatapilot.test.pointsApart=true}, every test server keeps its metric points on
   * a database of their own ({@code DATAPILOT_POINTS_DATABASE_URL}), on a second embedded
   * PostgreSQL (or, against an external one, a second database there: neither can join across).
   */
  public static boolean pointsApart() {
    return Boolean.getBoolean("datapilot.test.pointsApart");
  }

  /** A fresh database for a test server's points store (see {@link #pointsApart}). */
  public static synchronized String freshPointsDatabaseUrl() {
    if (pointsBaseUrl == null) {
      pointsBaseUrl = external() ? System.getProperty("datapilot.test.databaseUrl") : startEmbedded();
    }
    return createDatabase(pointsBaseUrl, "p_");
  }

  /** Starts an embedded PostgreSQL for the rest of the JVM; its URL. */
  private static String startEmbedded() {
    try {
      EmbeddedPostgres pg = EmbeddedPostgres.builder().start();
      Runtime.getRuntime().addShutdownHook(new Thread(() -> {
        try {
          pg.close();
        } catch (IOException ignored) {
          // the JVM is exiting
        }
      }));
      return pg.getJdbcUrl("postgres", "postgres");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String createDatabase(String base, String prefix) {
    String name = prefix + UUID.randomUUID().toString().replace("-", "");
    try (Connection c = DriverManager.getConnection(base, user, "");
         Statement s = c.createStatement()) {
      s.execute("CREATE DATABASE " + name);
    } catch (SQLException e) {
      throw new IllegalStateException("cannot create test database", e);
    }
    return replaceDatabase(base, name);
  }

  public static boolean external() {
    String external = System.getProperty("datapilot.test.databaseUrl", "");
    return !external.isBlank() && !external.startsWith("${");
  }

  static String replaceDatabase(String url, String database) {
    int slash = url.indexOf('/', "jdbc:postgresql://".length());
    int query = url.indexOf('?', slash);
    return url.substring(0, slash + 1) + database + (query < 0 ? "" : url.substring(query));
  }
}
