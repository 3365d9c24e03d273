package io.animus.datapilot.telemetry;

import static io.animus.datapilot.telemetry.PointsStoreHttpTest.assertBitsEqual;
import static io.animus.datapilot.telemetry.RunFixtures.RUNS;
import static io.animus.datapilot.telemetry.RunFixtures.newRun;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.animus.datapilot.config.ConfigException;
import io.animus.datapilot.testing.TestClient;
import io.animus.datapilot.testing.TestDatabase;
import io.animus.datapilot.testing.TestServer;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A database written by the previous version (one row per point in {@code metric_samples}) is
 * moved into the points store when the server starts, and every read answers what it did before.
 */
@Timeout(300)
class PointsMigrationTest {

  /** The previous version's metric tables, as its migration V002 created them. */
  private static String previousTables() throws IOException {
    try (InputStream in = PointsMigrationTest.class.getResourceAsStream("/db/migration/V002__telemetry.sql")) {
      String sql = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      return sql.substring(sql.indexOf("CREATE TABLE metric_series"), sql.indexOf("CREATE SEQUENCE run_event_ids"));
    }
  }

  static double wave(long step) {
    return step % 41 == 0 ? Double.NaN : Math.sin(step / 10.0) + step * 1e-3;
  }

  @Test
  void withThePointsApartPointsLeftInTheMetadataDatabaseStopTheServerWithAClearMessage() throws Exception {
    assumeTrue(TestDatabase.pointsApart(), "only when the suite runs with the points on a database of their own");
    TestServer server = TestServer.start();
    String runId = newRun(server.client());
    try (Connection c = DriverManager.getConnection(server.databaseUrl(), "postgres", "");
         Statement st = c.createStatement()) {
      // the metadata database still has the previous layout's (empty) tables; give them a point
      st.execute("INSERT INTO metric_series (run_id, name) VALUES ('" + runId + "', 'loss')");
      st.execute("INSERT INTO metric_writes (run_id, recorded_by) VALUES ('" + runId + "', 'old')");
      st.execute("INSERT INTO metric_samples SELECT series_id, 0, 1.5, now(), 1 FROM metric_series");
    }
    assertThatThrownBy(() -> server.restart(Map.of()))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("previous layout")
        .hasMessageContaining("DATAPILOT_POINTS_DATABASE_URL");
  }

  @Test
  void pointsOfThePreviousLayoutAreMovedIntoSegmentsAndReadTheSame() throws Exception {
    assumeFalse(TestDatabase.pointsApart(), "the previous layout had the points in the metadata database");
    TestServer server = TestServer.start();
    try {
      TestClient client = server.client();
      String runA = newRun(client);
      String runB = newRun(client);
      TreeMap<Long, Double> loss = new TreeMap<>();
      try (Connection c = DriverManager.getConnection(server.databaseUrl(), "postgres", "");
           Statement st = c.createStatement()) {
        // back to the previous layout: no points store, the old tables
        st.execute("DROP SCHEMA points CASCADE");
        st.execute(previousTables());
        st.execute("INSERT INTO metric_series (run_id, name) VALUES ('" + runA + "', 'loss'), ('" + runA
            + "', 'acc'), ('" + runB + "', 'loss')");
        st.execute("INSERT INTO metric_writes (run_id, recorded_by, metadata) VALUES ('" + runA
            + "', 'ci-bot', '{\"phase\":\"one\"}'), ('" + runA + "', 'trainer', '{\"phase\":\"two\"}'), ('" + runB
            + "', 'other', '{}')");
        try (PreparedStatement ps = c.prepareStatement("""
            INSERT INTO metric_samples (series_id, step, value, recorded_at, write_id)
            VALUES ((SELECT series_id FROM metric_series WHERE run_id = CAST(? AS uuid) AND name = ?), ?, ?,
                    timestamptz '2026-01-05T10:11:12.123456Z' + ? * interval '1 millisecond', ?)""")) {
          // loss of run A: 2,500 steps, the odd ones by a second write, so segments hold two writes
          for (long step = 0; step < 2500; step++) {
            add(ps, runA, "loss", step, wave(step), step, step % 2 == 0 ? 1 : 2);
            loss.put(step, wave(step));
          }
          add(ps, runA, "acc", 7, 0.5, 0, 1);
          add(ps, runA, "acc", 3, 0.25, 0, 1);
          add(ps, runB, "loss", 0, -1.0, 0, 3);
          ps.executeBatch();
        }
        st.execute("""
            INSERT INTO metric_blocks (series_id, block, sample_count, first_step, last_step, last_value,
                                       min_value, max_value, nan_count)
            SELECT series_id, step >> 6, count(*), min(step), max(step), (array_agg(value ORDER BY step DESC))[1],
                   min(value) FILTER (WHERE value <> 'NaN'), max(value) FILTER (WHERE value <> 'NaN'),
                   count(*) FILTER (WHERE value = 'NaN')
            FROM metric_samples GROUP BY series_id, step >> 6""");
      }
      server = server.restart(Map.of());
      client = server.client();

      assertBitsEqual(PointsStoreHttpTest.pages(client, runA, "loss"), loss);
      JsonNode downsampled = client.get(RUNS + runA + "/metrics/series?name=loss&max_points=50").json();
      assertThat(downsampled.get("total_points").asLong()).isEqualTo(2500);
      assertThat(downsampled.get("buckets").size()).isEqualTo(50);
      long nan = 0;
      for (JsonNode b : downsampled.get("buckets")) {
        nan += b.get("nan_count").asLong();
        var in = loss.subMap(b.get("step_min").asLong(), true, b.get("step_max").asLong(), true);
        assertThat(b.get("count").asLong()).isEqualTo(in.size());
        assertThat(b.get("max").asDouble()).isEqualTo(in.values().stream().filter(v -> !v.isNaN())
            .mapToDouble(Double::doubleValue).max().orElseThrow());
      }
      assertThat(nan).isEqualTo(loss.values().stream().filter(v -> v.isNaN()).count());

      // latest per name, with the writer and metadata of each point's write
      JsonNode latest = client.get(RUNS + runA + "/metrics").json().get("samples");
      assertThat(latest.size()).isEqualTo(2);
      assertThat(latest.get(0).get("name").asText()).isEqualTo("acc");
      assertThat(latest.get(0).get("step").asLong()).isEqualTo(7);
      assertThat(latest.get(0).get("value").asDouble()).isEqualTo(0.5);
      assertThat(latest.get(1).get("step").asLong()).isEqualTo(2499);
      assertThat(latest.get(1).get("recorded_by").asText()).isEqualTo("trainer");
      assertThat(latest.get(1).get("metadata").get("phase").asText()).isEqualTo("two");
      assertThat(latest.get(1).get("recorded_at").asText()).isEqualTo("2026-01-05T10:11:14.622456Z");
      JsonNode even = client.get(RUNS + runA + "/metrics?name=loss&limit=2").json().get("samples");
      assertThat(even.get(0).get("recorded_by").asText()).isEqualTo("ci-bot");
      assertThat(even.get(0).get("metadata").get("phase").asText()).isEqualTo("one");
      JsonNode other = client.get(RUNS + runB + "/metrics").json().get("samples");
      assertThat(other.get(0).get("value").asDouble()).isEqualTo(-1.0);

      // the old tables are gone, and new writes continue the moved ids without collisions
      try (Connection c = DriverManager.getConnection(server.databaseUrl(), "postgres", "");
           Statement st = c.createStatement();
           ResultSet rs = st.executeQuery("SELECT to_regclass('public.metric_samples') IS NULL, "
               + "(SELECT count(*) FROM points.segments), (SELECT max(version) FROM points.flyway_schema_history)")) {
        rs.next();
        assertThat(rs.getBoolean(1)).isTrue();
        assertThat(rs.getLong(2)).as("2,500 points in segments of 1,000, and two one-point series").isEqualTo(5);
        assertThat(rs.getString(3)).isEqualTo("3");
      }
      TestClient.Response more = client.post(RUNS + runA + "/metrics:batch",
          "{\"points\":[{\"name\":\"loss\",\"step\":2500,\"value\":9},{\"name\":\"loss\",\"step\":10,\"value\":9},"
              + "{\"name\":\"new\",\"step\":1,\"value\":2}]}");
      assertThat(more.status()).as(more.text()).isEqualTo(201);
      assertThat(more.json().get("inserted").asInt()).isEqualTo(2);
      assertThat(client.get(RUNS + runA + "/metrics").json().get("samples").size()).isEqualTo(3);
    } finally {
      server.close();
    }
  }

  private static void add(PreparedStatement ps, String runId, String name, long step, double value, long millis,
                          long writeId) throws SQLException {
    ps.setString(1, runId);
    ps.setString(2, name);
    ps.setLong(3, step);
    ps.setDouble(4, value);
    ps.setLong(5, millis);
    ps.setLong(6, writeId);
    ps.addBatch();
  }
}
