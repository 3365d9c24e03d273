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
    Map<String, Long> counts = new TreeMap<>();
    try (Connection c = DriverManager.getConnection(server.databaseUrl(), "postgres", "");
         Statement s = c.createStatement()) {
      List<String> tables = new ArrayList<>();
      try (ResultSet rs = s.executeQuery(
          "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() ORDER BY tablename")) {
        while (rs.next()) {
          tables.add(rs.getString(1));
        }
      }
      for (String table : tables) {
        if (IGNORED.contains(table)) {
          continue;
        }
        try (ResultSet rs = s.executeQuery("SELECT count(*) FROM \"" + table + "\"")) {
          rs.next();
          counts.put(table, rs.getLong(1));
        }
      }
    } catch (SQLException e) {
      throw new IllegalStateException("cannot count the stored rows", e);
    }
    counts.put("files:", files(server.dataDir()));
    return counts;
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
