package io.animus.datapilot.telemetry;

import io.animus.datapilot.config.ConfigException;
import io.animus.datapilot.storage.Database;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Arrays;
import org.flywaydb.core.api.MigrationVersion;
import org.flywaydb.core.api.migration.Context;
import org.flywaydb.core.api.migration.JavaMigration;

/**
 * Points store migration 2: moves the points of the previous layout (one row per point in
 * {@code public.metric_samples}, with {@code metric_series}, {@code metric_writes} and the 64-step
 * {@code metric_blocks}) into segments and rollups, keeping series and write ids, then drops the old
 * tables. Runs in the migration's one transaction, so a crash leaves either the old layout or the
 * new one. Nothing to do on a new database, or when the points store is a database of its own
 * (the old tables are not in it).
 */
public final class PointsFromRows implements JavaMigration {
  /** Points per migrated segment: the size the writer's segments are compacted to. */
  static final int SEGMENT_POINTS = 1000;

  /**
   * With the points store on a database of its own, refuses to start while the metadata database
   * still holds points of the previous layout: this migration cannot reach them there, and they
   * would silently vanish from every read (docs/points-store.md says how to move them).
   */
  public static void refusePointsLeftBehind(Database metadata) {
    try (Connection c = metadata.openDedicatedConnection(); Statement st = c.createStatement();
         ResultSet rs = st.executeQuery("SELECT to_regclass('public.metric_samples') IS NOT NULL")) {
      rs.next();
      if (!rs.getBoolean(1)) {
        return;
      }
      try (ResultSet any = st.executeQuery("SELECT EXISTS (SELECT 1 FROM public.metric_samples)")) {
        any.next();
        if (any.getBoolean(1)) {
          throw new ConfigException("the database holds metric points of the previous layout: start once without "
              + "DATAPILOT_POINTS_DATABASE_URL to move them into schema points, then move that schema "
              + "(docs/points-store.md)");
        }
      }
    } catch (SQLException e) {
      throw new IllegalStateException("cannot check the database for points of the previous layout", e);
    }
  }

  @Override
  public MigrationVersion getVersion() {
    return MigrationVersion.fromVersion("2");
  }

  @Override
  public String getDescription() {
    return "points from rows";
  }

  @Override
  public Integer getChecksum() {
    return 2;
  }

  @Override
  public boolean canExecuteInTransaction() {
    return true;
  }

  @Override
  public void migrate(Context context) throws SQLException {
    Connection c = context.getConnection();
    try (Statement st = c.createStatement();
         ResultSet rs = st.executeQuery("SELECT to_regclass('public.metric_samples') IS NOT NULL")) {
      rs.next();
      if (!rs.getBoolean(1)) {
        return;
      }
    }
    try (Statement st = c.createStatement()) {
      st.execute("""
          INSERT INTO points.series (run_id, series_id, name) SELECT run_id, series_id, name FROM public.metric_series""");
      st.execute("""
          INSERT INTO points.writes (run_id, write_id, recorded_by, metadata)
          SELECT run_id, write_id, recorded_by, metadata FROM public.metric_writes""");
      st.execute("""
          SELECT setval(pg_get_serial_sequence('points.series', 'series_id'),
                        greatest(1, (SELECT max(series_id) FROM points.series)))""");
      st.execute("""
          SELECT setval(pg_get_serial_sequence('points.writes', 'write_id'),
                        greatest(1, (SELECT max(write_id) FROM points.writes)))""");
    }
    copySegments(c);
    try (Statement st = c.createStatement()) {
      for (int level : Rollups.LEVELS) {
        st.execute("""
            INSERT INTO points.rollups (run_id, series_id, level, bucket, point_count, nan_count, min_value, max_value,
                                        first_step, first_value, last_step, last_value)
            SELECT s.run_id, m.series_id, %d, m.step >> %d, count(*), count(*) FILTER (WHERE m.value = 'NaN'),
                   min(m.value) FILTER (WHERE m.value <> 'NaN'), max(m.value) FILTER (WHERE m.value <> 'NaN'),
                   min(m.step), (array_agg(m.value ORDER BY m.step))[1],
                   max(m.step), (array_agg(m.value ORDER BY m.step DESC))[1]
            FROM public.metric_samples m JOIN public.metric_series s ON s.series_id = m.series_id
            GROUP BY s.run_id, m.series_id, m.step >> %d""".formatted(level, level, level));
      }
      st.execute("""
          UPDATE points.series s SET point_count = x.n, segment_count = x.segments, last_step = x.step,
                 last_value = x.value, last_recorded_at = x.recorded_at, last_write_id = x.write_id
          FROM (SELECT DISTINCT ON (m.series_id) m.series_id, m.step, m.value, m.recorded_at, m.write_id,
                       count(*) OVER (PARTITION BY m.series_id) AS n,
                       (SELECT count(*) FROM points.segments g WHERE g.series_id = m.series_id) AS segments
                FROM public.metric_samples m ORDER BY m.series_id, m.step DESC) x
          WHERE s.series_id = x.series_id""");
      st.execute("DROP TABLE public.metric_blocks, public.metric_samples, public.metric_writes, public.metric_series");
    }
  }

  /** Every series' points in step order, as segments of {@link #SEGMENT_POINTS}. */
  private static void copySegments(Connection c) throws SQLException {
    long[] steps = new long[SEGMENT_POINTS];
    double[] values = new double[SEGMENT_POINTS];
    long[] micros = new long[SEGMENT_POINTS];
    long[] writes = new long[SEGMENT_POINTS];
    try (PreparedStatement read = c.prepareStatement("""
             SELECT s.run_id, m.series_id, m.step, m.value,
                    CAST(extract(epoch FROM m.recorded_at) * 1000000 AS bigint), m.write_id
             FROM public.metric_samples m JOIN public.metric_series s ON s.series_id = m.series_id
             ORDER BY m.series_id, m.step""");
         PreparedStatement insert = c.prepareStatement("""
             INSERT INTO points.segments (run_id, series_id, first_step, last_step, n, write_id, body)
             VALUES (?, ?, ?, ?, ?, ?, ?)""")) {
      read.setFetchSize(10_000);
      Object runId = null;
      int seriesId = -1;
      int n = 0;
      int batched = 0;
      try (ResultSet rs = read.executeQuery()) {
        while (rs.next()) {
          int sid = rs.getInt(2);
          if (n > 0 && (sid != seriesId || n == SEGMENT_POINTS)) {
            batched += add(insert, runId, seriesId, steps, values, micros, writes, n);
            n = 0;
          }
          runId = rs.getObject(1);
          seriesId = sid;
          steps[n] = rs.getLong(3);
          values[n] = rs.getDouble(4);
          micros[n] = rs.getLong(5);
          writes[n] = rs.getLong(6);
          n++;
          if (batched >= 100) {
            insert.executeBatch();
            batched = 0;
          }
        }
      }
      if (n > 0) {
        add(insert, runId, seriesId, steps, values, micros, writes, n);
      }
      insert.executeBatch();
    }
  }

  private static int add(PreparedStatement insert, Object runId, int seriesId, long[] steps, double[] values,
                         long[] micros, long[] writes, int n) throws SQLException {
    long base = writes[0];
    insert.setObject(1, runId);
    insert.setInt(2, seriesId);
    insert.setLong(3, steps[0]);
    insert.setLong(4, steps[n - 1]);
    insert.setInt(5, n);
    insert.setLong(6, base);
    insert.setBytes(7, SegmentCodec.encode(Arrays.copyOf(steps, n), values, micros, writes, base, 0, n));
    insert.addBatch();
    return 1;
  }
}
