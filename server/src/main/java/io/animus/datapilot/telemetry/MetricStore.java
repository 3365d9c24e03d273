package io.animus.datapilot.telemetry;

import io.animus.datapilot.experiments.LatestMetrics;
import io.animus.datapilot.kernel.Json;
import io.animus.datapilot.storage.Rows;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.UUID;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.argument.Argument;

/**
 * Rows of {@code metric_series}, {@code metric_writes}, {@code metric_samples}, {@code metric_blocks};
 * also what run lists read of them ({@link LatestMetrics}).
 */
public final class MetricStore implements LatestMetrics {
  /** The latest value of metric {@code :key} of the run of the enclosing {@code runs} row. */
  private static final String LATEST_VALUE_OF_KEY = """
      (SELECT m.value FROM metric_series s
       CROSS JOIN LATERAL (SELECT value FROM metric_samples WHERE series_id = s.series_id
                           ORDER BY step DESC LIMIT 1) m
       WHERE s.run_id = runs.run_id AND s.name = :key)""";

  @Override
  public String latestValueOfKey() {
    return LATEST_VALUE_OF_KEY;
  }

  @Override
  public Map<UUID, Map<String, Double>> latestByRun(Handle h, Collection<UUID> runIds) {
    Map<UUID, Map<String, Double>> out = new HashMap<>();
    if (runIds.isEmpty()) {
      return out;
    }
    h.createQuery("""
            SELECT s.run_id, s.name, m.value
            FROM metric_series s
            CROSS JOIN LATERAL (SELECT value FROM metric_samples WHERE series_id = s.series_id
                                ORDER BY step DESC LIMIT 1) m
            WHERE s.run_id = ANY(:run_ids)
            ORDER BY s.run_id, s.name
            """)
        .bindArray("run_ids", UUID.class, runIds)
        .map((rs, ctx) -> new Object[] {rs.getObject("run_id", UUID.class), rs.getString("name"),
            rs.getDouble("value")})
        .forEach(row -> out.computeIfAbsent((UUID) row[0], k -> new TreeMap<>())
            .put((String) row[1], (Double) row[2]));
    return out;
  }

  /** The series id of each name of a run, creating the missing series. */
  public Map<String, Integer> ensureSeries(Handle h, UUID runId, Collection<String> names) {
    h.createUpdate("""
            INSERT INTO metric_series (run_id, name)
            SELECT :run_id, n FROM unnest(CAST(:names AS text[])) AS n
            ON CONFLICT (run_id, name) DO NOTHING
            """)
        .bind("run_id", runId)
        .bindArray("names", String.class, names)
        .execute();
    Map<String, Integer> ids = new HashMap<>();
    h.createQuery("SELECT name, series_id FROM metric_series WHERE run_id = :run_id AND name = ANY(:names)")
        .bind("run_id", runId)
        .bindArray("names", String.class, names)
        .map((rs, ctx) -> Map.entry(rs.getString("name"), rs.getInt("series_id")))
        .forEach(e -> ids.put(e.getKey(), e.getValue()));
    return ids;
  }

  /** A point as inserted: first write of (series, step) wins, so only these were new. */
  public record Inserted(int seriesId, long step, double value, Instant recordedAt) {}

  /** The steps a write inserted into one series. */
  public record SeriesRange(int seriesId, long count, long fromStep, long toStep) {}

  /**
   * The write and what it inserted: the points themselves for small writes (they travel inline
   * to live watchers), per-series ranges for large ones.
   */
  public record WriteResult(long writeId, long insertedCount, List<Inserted> points, List<SeriesRange> ranges) {}

  /** Writes of at most this many points return their inserted points; larger ones only ranges. */
  public static final int RETURN_POINTS_UP_TO = 48;

  /**
   * Inserts points (parallel arrays, in request order) as one write: duplicates of existing
   * (series, step) and repeats inside the request (first occurrence wins) are skipped, and the
   * 64-step block summaries absorb exactly the inserted points. One statement.
   */
  public WriteResult insert(Handle h, UUID runId, String recordedBy, String metadataJson, int[] series,
                            long[] steps, double[] values, long[] recordedAtMicros) {
    boolean small = series.length <= RETURN_POINTS_UP_TO;
    List<Object[]> rows = h.createQuery("""
            WITH w AS (
              INSERT INTO metric_writes (run_id, recorded_by, metadata)
              VALUES (:run_id, :recorded_by, CAST(:metadata AS json))
              RETURNING write_id),
            pts AS (
              SELECT DISTINCT ON (s, st) s, st, v,
                     timestamptz 'epoch' + (us / 1000000) * interval '1 second'
                       + (us % 1000000) * interval '1 microsecond' AS ts
              FROM unnest(CAST(:series AS integer[]), CAST(:steps AS bigint[]), CAST(:values AS float8[]),
                          CAST(:times AS bigint[])) WITH ORDINALITY AS p(s, st, v, us, ord)
              ORDER BY s, st, ord),
            ins AS (
              INSERT INTO metric_samples (series_id, step, value, recorded_at, write_id)
              SELECT s, st, v, ts, (SELECT write_id FROM w) FROM pts
              ON CONFLICT (series_id, step) DO NOTHING
              RETURNING series_id, step, value, recorded_at),
            blocks AS (
              INSERT INTO metric_blocks (series_id, block, sample_count, first_step, last_step, last_value,
                                         min_value, max_value, nan_count)
              SELECT series_id, step >> 6, count(*), min(step), max(step), (array_agg(value ORDER BY step DESC))[1],
                     min(value) FILTER (WHERE value <> 'NaN'), max(value) FILTER (WHERE value <> 'NaN'),
                     count(*) FILTER (WHERE value = 'NaN')
              FROM ins GROUP BY series_id, step >> 6
              ORDER BY series_id, step >> 6
              ON CONFLICT (series_id, block) DO UPDATE SET
                sample_count = metric_blocks.sample_count + EXCLUDED.sample_count,
                first_step = least(metric_blocks.first_step, EXCLUDED.first_step),
                last_value = CASE WHEN EXCLUDED.last_step > metric_blocks.last_step
                                  THEN EXCLUDED.last_value ELSE metric_blocks.last_value END,
                last_step = greatest(metric_blocks.last_step, EXCLUDED.last_step),
                min_value = least(metric_blocks.min_value, EXCLUDED.min_value),
                max_value = greatest(metric_blocks.max_value, EXCLUDED.max_value),
                nan_count = metric_blocks.nan_count + EXCLUDED.nan_count
              RETURNING 1),
            summary AS (
              SELECT series_id, count(*) AS n, min(step) AS from_step, max(step) AS to_step
              FROM ins GROUP BY series_id)
            SELECT (SELECT write_id FROM w) AS write_id, (SELECT count(*) FROM blocks) AS blocks,
                   x.series_id, x.n, x.from_step, x.to_step, x.value, x.recorded_at
            FROM (SELECT 1) AS one
            LEFT JOIN (SELECT series_id, 1 AS n, step AS from_step, step AS to_step, value, recorded_at
                       FROM ins WHERE :small
                       UNION ALL
                       SELECT series_id, n, from_step, to_step, NULL, NULL FROM summary WHERE NOT :small) x ON true
            """)
        .bind("run_id", runId)
        .bind("recorded_by", recordedBy)
        .bind("metadata", metadataJson)
        .bind("series", binaryArray(series))
        .bind("steps", binaryArray(steps))
        .bind("values", binaryArray(values))
        .bind("times", binaryArray(recordedAtMicros))
        .bind("small", small)
        .map((rs, ctx) -> new Object[] {rs.getLong("write_id"), rs.getObject("series_id", Integer.class),
            rs.getLong("n"), rs.getLong("from_step"), rs.getLong("to_step"), rs.getDouble("value"),
            Rows.instant(rs, "recorded_at")})
        .list();
    long writeId = (Long) rows.get(0)[0];
    List<Inserted> points = new java.util.ArrayList<>();
    List<SeriesRange> ranges = new java.util.ArrayList<>();
    long count = 0;
    for (Object[] r : rows) {
      if (r[1] == null) {
        continue;
      }
      count += (Long) r[2];
      if (small) {
        points.add(new Inserted((Integer) r[1], (Long) r[3], (Double) r[5], (Instant) r[6]));
      } else {
        ranges.add(new SeriesRange((Integer) r[1], (Long) r[2], (Long) r[3], (Long) r[4]));
      }
    }
    return new WriteResult(writeId, count, points, ranges);
  }

  /**
   * A primitive array ({@code int[]}, {@code long[]}, {@code double[]}) that pgjdbc sends in
   * PostgreSQL's binary array format, so no number is formatted as text or parsed back.
   */
  private static Argument binaryArray(Object primitiveArray) {
    return (position, statement, ctx) -> statement.setObject(position, primitiveArray);
  }

  /** The highest-step sample of each metric of a run, by name, after the name cursor. */
  public List<MetricSample> latestPerName(Handle h, UUID runId, String afterName, int limit) {
    return h.createQuery("""
            SELECT s.name, m.step, m.value, m.recorded_at, w.recorded_by, w.metadata
            FROM metric_series s
            CROSS JOIN LATERAL (SELECT step, value, recorded_at, write_id FROM metric_samples
                                WHERE series_id = s.series_id ORDER BY step DESC LIMIT 1) m
            JOIN metric_writes w ON w.write_id = m.write_id
            WHERE s.run_id = :run_id AND (CAST(:after_name AS text) IS NULL OR s.name > :after_name)
            ORDER BY s.name
            LIMIT :limit
            """)
        .bind("run_id", runId)
        .bind("after_name", afterName)
        .bind("limit", limit)
        .map((rs, ctx) -> sample(runId, rs))
        .list();
  }

  /** One metric's samples with steps below the cursor, highest steps first. */
  public List<MetricSample> samplesBefore(Handle h, UUID runId, String name, Long beforeStep, int limit) {
    return h.createQuery("""
            SELECT s.name, m.step, m.value, m.recorded_at, w.recorded_by, w.metadata
            FROM metric_series s
            JOIN metric_samples m ON m.series_id = s.series_id
            JOIN metric_writes w ON w.write_id = m.write_id
            WHERE s.run_id = :run_id AND s.name = :name
              AND (CAST(:before_step AS bigint) IS NULL OR m.step < :before_step)
            ORDER BY m.step DESC
            LIMIT :limit
            """)
        .bind("run_id", runId)
        .bind("name", name)
        .bind("before_step", beforeStep)
        .bind("limit", limit)
        .map((rs, ctx) -> sample(runId, rs))
        .list();
  }

  public Optional<Integer> findSeries(Handle h, UUID runId, String name) {
    return h.createQuery("SELECT series_id FROM metric_series WHERE run_id = :run_id AND name = :name")
        .bind("run_id", runId)
        .bind("name", name)
        .mapTo(Integer.class)
        .findOne();
  }

  /** Every 64-step block summary of a series, in step order. */
  public List<Bucket> blocks(Handle h, int seriesId) {
    return h.createQuery("""
            SELECT first_step, last_step, min_value, max_value, last_value, sample_count, nan_count
            FROM metric_blocks WHERE series_id = :series_id ORDER BY block
            """)
        .bind("series_id", seriesId)
        .map((rs, ctx) -> new Bucket(rs.getLong("first_step"), rs.getLong("last_step"),
            (Double) rs.getObject("min_value"), (Double) rs.getObject("max_value"), rs.getDouble("last_value"),
            rs.getLong("sample_count"), rs.getLong("nan_count")))
        .list();
  }

  /**
   * Exact equal-count buckets computed in the database: sample {@code i} (in step order, of
   * {@code total}) goes to bucket {@code floor(i * buckets / total)}, so counts differ by at most one.
   */
  public List<Bucket> bucketsFromSamples(Handle h, int seriesId, long total, int buckets) {
    return h.createQuery("""
            SELECT min(step) AS step_min, max(step) AS step_max,
                   min(value) FILTER (WHERE value <> 'NaN') AS min_value,
                   max(value) FILTER (WHERE value <> 'NaN') AS max_value,
                   (array_agg(value ORDER BY step DESC))[1] AS last_value, count(*) AS n,
                   count(*) FILTER (WHERE value = 'NaN') AS nan_count
            FROM (SELECT step, value, (row_number() OVER (ORDER BY step) - 1) * :buckets / :total AS bucket
                  FROM metric_samples WHERE series_id = :series_id) ranked
            GROUP BY bucket ORDER BY bucket
            """)
        .bind("series_id", seriesId)
        .bind("buckets", (long) buckets)
        .bind("total", Math.max(1, total))
        .map((rs, ctx) -> new Bucket(rs.getLong("step_min"), rs.getLong("step_max"),
            (Double) rs.getObject("min_value"), (Double) rs.getObject("max_value"), rs.getDouble("last_value"),
            rs.getLong("n"), rs.getLong("nan_count")))
        .list();
  }

  /** Samples of one write within a series' step range (for live frames of large writes). */
  public List<Inserted> writeRange(Handle h, int seriesId, long fromStep, long toStep, long writeId) {
    return h.createQuery("""
            SELECT series_id, step, value, recorded_at FROM metric_samples
            WHERE series_id = :series_id AND step BETWEEN :from_step AND :to_step AND write_id = :write_id
            ORDER BY step
            """)
        .bind("series_id", seriesId)
        .bind("from_step", fromStep)
        .bind("to_step", toStep)
        .bind("write_id", writeId)
        .map((rs, ctx) -> new Inserted(rs.getInt("series_id"), rs.getLong("step"), rs.getDouble("value"),
            Rows.instant(rs, "recorded_at")))
        .list();
  }

  public Map<Integer, String> seriesNames(Handle h, Collection<Integer> seriesIds) {
    Map<Integer, String> names = new HashMap<>();
    h.createQuery("SELECT series_id, name FROM metric_series WHERE series_id = ANY(:ids)")
        .bindArray("ids", Integer.class, seriesIds)
        .map((rs, ctx) -> Map.entry(rs.getInt("series_id"), rs.getString("name")))
        .forEach(e -> names.put(e.getKey(), e.getValue()));
    return names;
  }

  private static MetricSample sample(UUID runId, ResultSet rs) throws SQLException {
    String name = rs.getString("name");
    long step = rs.getLong("step");
    return new MetricSample(MetricSample.idOf(runId, name, step), runId, Rows.instant(rs, "recorded_at"),
        rs.getString("recorded_by"), step, name, rs.getDouble("value"), Json.readObject(rs.getString("metadata")));
  }
}
