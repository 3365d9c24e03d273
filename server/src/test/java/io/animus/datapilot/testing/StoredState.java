package io.animus.datapilot.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * What a server has stored: the row count of every table and the number of files in its data
 * directory. Two snapshots around refused requests must be equal ("a refused request changes
 * nothing"); the audit log is left out, since refusals are audited by design.
 */
public final class StoredState {
  private static final Set<String> IGNORED = Set.of("audit_events", "flyway_schema_history");

  private StoredState() {}

  /** Table name (and {@code files:} for the data directory) to count. */
  public static Map<String, Long> of(TestServer server) {
    try (Counter counter = counter(server)) {
      return counter.counts();
    }
  }

  /** One connection for many snapshots (a fuzzer takes one around every refused write). */
  public static Counter counter(TestServer server) {
    try {
      return new Counter(server, DriverManager.getConnection(server.databaseUrl(), "postgres", ""));
    } catch (SQLException e) {
      throw new IllegalStateException("cannot connect to count the stored rows", e);
    }
  }

  /** Counts over one open connection. */
  public static final class Counter implements AutoCloseable {
    private final TestServer server;
    private final Connection connection;
    private String query;

    private Counter(TestServer server, Connection connection) {
      this.server = server;
      this.connection = connection;
    }

    public Map<String, Long> counts() {
      Map<String, Long> counts = new TreeMap<>();
      try (Statement s = connection.createStatement()) {
        if (query == null) {
          List<String> selects = new ArrayList<>();
          try (ResultSet rs = s.executeQuery(
              "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() ORDER BY tablename")) {
            while (rs.next()) {
              if (!IGNORED.contains(rs.getString(1))) {
                selects.add("SELECT '" + rs.getString(1) + "', count(*) FROM \"" + rs.getString(1) + "\"");
              }
            }
          }
          query = String.join(" UNION ALL ", selects);
        }
        try (ResultSet rs = s.executeQuery(query)) {
          while (rs.next()) {
            counts.put(rs.getString(1), rs.getLong(2));
          }
        }
      } catch (SQLException e) {
        throw new IllegalStateException("cannot count the stored rows", e);
      }
      counts.put("files:", files(server.dataDir()));
      return counts;
    }

    @Override
    public void close() {
      try {
        connection.close();
      } catch (SQLException ignored) {
        // closing anyway
      }
    }
  }

  private static long files(Path dir) {
    if (!Files.isDirectory(dir)) {
      return 0;
    }
    try (Stream<Path> all = Files.walk(dir)) {
      return all.filter(Files::isRegularFile).count();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
