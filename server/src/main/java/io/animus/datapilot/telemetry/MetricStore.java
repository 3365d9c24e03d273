package io.animus.datapilot.telemetry;

import io.animus.datapilot.experiments.LatestMetrics;
import io.animus.datapilot.kernel.Json;
import io.animus.datapilot.storage.Rows;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
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
 * Rows of the points store, schema {@code points} (docs/adr/0034): {@code series}, {@code writes},
 * {@code segments}, {@code rollups}; also what run lists read of them ({@link LatestMetrics}). Every
 * statement names its run, so the schema can be distributed by {@code run_id}.
 */
public final class MetricStore {
  private final RollupStore rollups = new RollupStore();
  /** The latest value of metric {@code :key} of the run of the enclosing {@code runs} row. */
  private static final String LATEST_VALUE_OF_KEY = """
      (SELECT s.last_value FROM points.series s
       WHERE s.run_id = r.run_id AND s.name = :key AND s.last_step IS NOT NULL)""";

  /**
   * One write's new points, one segment per series: the writes row (unless {@code :new_write} is
   * false), the series rows and the segments, in one statement. With {@code :checked}, a series is
   * written only when every new step lies above its stored ones (the append path, needing no look
   * at stored segments); the series it skipped come back out of {@code written}. With
   * {@code :defer} (appends only) the points' rollups are left to the compactor; a series that
   * already has such a tail keeps it, and comes back in {@code tails}.
   */
  private static final String WRITE = """
      WITH w AS (
        INSERT INTO points.writes (run_id, recorded_by, metadata)
        SELECT :run_id, :recorded_by, CAST(:metadata AS json) WHERE :new_write
        RETURNING write_id),
      wid AS (SELECT coalesce((SELECT write_id FROM w), :write_id) AS id),
      x AS (
        SELECT * FROM unnest(CAST(:s_series AS integer[]), CAST(:s_first AS bigint[]), CAST(:s_last AS bigint[]),
                             CAST(:s_n AS integer[]), CAST(:s_last_value AS float8[]), CAST(:s_last_us AS bigint[]),
                             CAST(:s_body AS bytea[]))
          AS x(sid, first_step, last_step, n, last_value, last_us, body)),
      upd AS (
        UPDATE points.series s SET
          point_count = s.point_count + x.n,
          segment_count = s.segment_count + 1,
          last_value = CASE WHEN s.last_step IS NULL OR x.last_step > s.last_step
                            THEN x.last_value ELSE s.last_value END,
          last_recorded_at = CASE WHEN s.last_step IS NULL OR x.last_step > s.last_step
                                  THEN timestamptz 'epoch' + (x.last_us / 1000000) * interval '1 second'
                                       + (x.last_us % 1000000) * interval '1 microsecond'
                                  ELSE s.last_recorded_at END,
          last_write_id = CASE WHEN s.last_step IS NULL OR x.last_step > s.last_step
                               THEN (SELECT id FROM wid) ELSE s.last_write_id END,
          last_step = greatest(s.last_step, x.last_step),
          unrolled_from = CASE WHEN :defer OR s.unrolled_from IS NOT NULL
                               THEN coalesce(s.unrolled_from, x.first_step) END
        FROM x
        WHERE s.run_id = :run_id AND s.series_id = x.sid
          AND (NOT :checked OR s.last_step IS NULL OR s.last_step < x.first_step)
        RETURNING s.series_id, s.unrolled_from IS NULL AS rolled),
      seg AS (
        INSERT INTO points.segments (run_id, series_id, first_step, last_step, n, write_id, body)
        SELECT :run_id, x.sid, x.first_step, x.last_step, x.n, (SELECT id FROM wid), x.body
        FROM x WHERE x.sid IN (SELECT series_id FROM upd)
        RETURNING 1)
      SELECT (SELECT id FROM wid) AS write_id, array(SELECT series_id FROM upd) AS written,
             array(SELECT series_id FROM upd WHERE NOT rolled) AS tails, (SELECT count(*) FROM seg) AS segments
      """;

  /** See {@link LatestMetrics#latestValueOfKey()}: valid where the points share the runs' database. */
  public String latestValueOfKey() {
    return LATEST_VALUE_OF_KEY;
  }

  /** The latest value of metric {@code key} of each of these runs that has one. */
  public Map<UUID, Double> valuesOf(Handle h, String key, Collection<UUID> runIds) {
    Map<UUID, Double> out = new HashMap<>();
    h.createQuery("""
            SELECT run_id, last_value FROM points.series
            WHERE run_id = ANY(:run_ids) AND name = :key AND last_step IS NOT NULL""")
        .bindArray("run_ids", UUID.class, runIds)
        .bind("key", key)
        .map((rs, ctx) -> Map.entry(rs.getObject(1, UUID.class), rs.getDouble(2)))
        .forEach(e -> out.put(e.getKey(), e.getValue()));
    return out;
  }

  /** The latest value of metric {@code key} of every run that has one (run search; index series_by_name). */
  public Map<UUID, Double> valuesOfName(Handle h, String key) {
    Map<UUID, Double> out = new HashMap<>();
    h.createQuery("SELECT run_id, last_value FROM points.series WHERE name = :key AND last_step IS NOT NULL")
        .bind("key", key)
        .map((rs, ctx) -> Map.entry(rs.getObject(1, UUID.class), rs.getDouble(2)))
        .forEach(e -> out.put(e.getKey(), e.getValue()));
    return out;
  }

  /** For each run, {name: value} of the highest-step point of every metric. */
  public Map<UUID, Map<String, Double>> latestByRun(Handle h, Collection<UUID> runIds) {
    Map<UUID, Map<String, Double>> out = new HashMap<>();
    if (runIds.isEmpty()) {
      return out;
    }
    h.createQuery("""
            SELECT run_id, name, last_value FROM points.series
            WHERE run_id = ANY(:run_ids) AND last_step IS NOT NULL
            ORDER BY run_id, name
            """)
        .bindArray("run_ids", UUID.class, runIds)
        .map((rs, ctx) -> new Object[] {rs.getObject("run_id", UUID.class), rs.getString("name"),
            rs.getDouble("last_value")})
        .forEach(row -> out.computeIfAbsent((UUID) row[0], k -> new TreeMap<>())
            .put((String) row[1], (Double) row[2]));
    return out;
  }

  /** The series id of each name of a run, creating the missing series. */
  public Map<String, Integer> ensureSeries(Handle h, UUID runId, Collection<String> names) {
    h.createUpdate("""
            INSERT INTO points.series (run_id, name)
            SELECT :run_id, n FROM unnest(CAST(:names AS text[])) AS n
            ORDER BY n
            ON CONFLICT (run_id, name) DO NOTHING
            """)
        .bind("run_id", runId)
        .bindArray("names", String.class, names)
        .execute();
    Map<String, Integer> ids = new HashMap<>();
    h.createQuery("SELECT name, series_id FROM points.series WHERE run_id = :run_id AND name = ANY(:names)")
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
   * Inserts points (parallel arrays, in request order) as one write: duplicates of stored
   * (series, step) and repeats inside the request (first occurrence wins) are skipped. The common
   * case, every series appended above its stored steps, is one statement; a series that overlaps
   * what is stored (steps out of order, or a concurrent writer) is locked, its overlapping segments'
   * steps are read, and only its new steps are written.
   */
  public WriteResult insert(Handle h, UUID runId, String recordedBy, String metadataJson, int[] series,
                            long[] steps, double[] values, long[] recordedAtMicros, boolean deferRollups) {
    NewPoints fresh = NewPoints.of(series, steps, values, recordedAtMicros);
    Object[] first = write(h, runId, recordedBy, metadataJson, true, 0L, true, deferRollups, fresh);
    long writeId = (Long) first[0];
    java.util.Set<Integer> done = new java.util.HashSet<>(Arrays.asList((Integer[]) first[1]));
    java.util.Set<Integer> tails = new java.util.HashSet<>(Arrays.asList((Integer[]) first[2]));
    if (!deferRollups) {
      rollups.upsert(h, runId, fresh.onlySeries(sid -> done.contains(sid) && !tails.contains(sid)).rollups());
      for (int sid : tails) {
        rollUpTail(h, runId, sid, null);
      }
    }
    NewPoints stored = fresh;
    if (done.size() < fresh.seriesCount()) {
      NewPoints rest = fresh.onlySeries(sid -> !done.contains(sid));
      Map<Integer, Long> unrolled = new HashMap<>();
      h.createQuery("""
              SELECT series_id, unrolled_from FROM points.series WHERE run_id = :run_id AND series_id = ANY(:ids)
              ORDER BY series_id FOR UPDATE""")
          .bind("run_id", runId)
          .bind("ids", binaryArray(rest.distinctSeries()))
          .map((rs, ctx) -> Map.entry(rs.getInt(1), Optional.ofNullable((Long) rs.getObject(2))))
          .forEach(e -> e.getValue().ifPresent(from -> unrolled.put(e.getKey(), from)));
      // rolled up first, so that every point below the new ones' steps is in the rollups again
      unrolled.forEach((sid, from) -> rollUpTail(h, runId, sid, from));
      NewPoints remaining = rest.without(storedStepsIn(h, runId, rest));
      if (remaining.size() > 0) {
        write(h, runId, recordedBy, metadataJson, false, writeId, false, false, remaining);
        rollups.upsert(h, runId, remaining.rollups());
      }
      stored = fresh.onlySeries(done::contains).plus(remaining);
    }
    return stored.result(writeId);
  }

  /**
   * Puts a series' points from step {@code from} on (null: the series row's {@code unrolled_from})
   * into the rollups, and marks the series as wholly rolled up; the caller holds the series row.
   */
  void rollUpTail(Handle h, UUID runId, int seriesId, Long from) {
    Long start = from != null ? from : h.createQuery("""
            SELECT unrolled_from FROM points.series WHERE run_id = :run_id AND series_id = :series_id""")
        .bind("run_id", runId)
        .bind("series_id", seriesId)
        .mapTo(Long.class)
        .findOne()
        .orElse(null);
    if (start == null) {
      return;
    }
    SegmentCodec.Points tail = PointReadStore.pointsFrom(h, runId, seriesId, start);
    int[] ids = new int[tail.size()];
    Arrays.fill(ids, seriesId);
    rollups.upsert(h, runId, Rollups.of(ids, tail.steps(), tail.values(), tail.size()));
    h.createUpdate("""
            UPDATE points.series SET unrolled_from = NULL WHERE run_id = :run_id AND series_id = :series_id""")
        .bind("run_id", runId)
        .bind("series_id", seriesId)
        .execute();
  }

  private Object[] write(Handle h, UUID runId, String recordedBy, String metadataJson, boolean newWrite,
                         long writeId, boolean checked, boolean defer, NewPoints p) {
    NewPoints.Segments s = p.segments();
    return h.createQuery(WRITE)
        .bind("run_id", runId)
        .bind("recorded_by", recordedBy)
        .bind("metadata", metadataJson)
        .bind("new_write", newWrite)
        .bind("write_id", writeId)
        .bind("checked", checked)
        .bind("defer", defer)
        .bind("s_series", binaryArray(s.series()))
        .bind("s_first", binaryArray(s.first()))
        .bind("s_last", binaryArray(s.last()))
        .bind("s_n", binaryArray(s.n()))
        .bind("s_last_value", binaryArray(s.lastValue()))
        .bind("s_last_us", binaryArray(s.lastMicros()))
        .bind("s_body", binaryArray(s.bodies()))
        .map((rs, ctx) -> new Object[] {rs.getLong("write_id"), rs.getArray("written").getArray(),
            rs.getArray("tails").getArray()})
        .one();
  }

  /** For each series of {@code p}, the stored steps within the range of its new steps, ascending. */
  private Map<Integer, long[]> storedStepsIn(Handle h, UUID runId, NewPoints p) {
    NewPoints.Segments s = p.segments();
    Map<Integer, List<long[]>> parts = new HashMap<>();
    h.createQuery("""
            SELECT g.series_id, g.body FROM points.segments g
            JOIN unnest(CAST(:ids AS integer[]), CAST(:lo AS bigint[]), CAST(:hi AS bigint[])) AS x(sid, lo, hi)
              ON g.series_id = x.sid AND g.last_step >= x.lo AND g.first_step <= x.hi
            WHERE g.run_id = :run_id
            """)
        .bind("run_id", runId)
        .bind("ids", binaryArray(s.series()))
        .bind("lo", binaryArray(s.first()))
        .bind("hi", binaryArray(s.last()))
        .map((rs, ctx) -> Map.entry(rs.getInt(1), SegmentCodec.steps(rs.getBytes(2))))
        .forEach(e -> parts.computeIfAbsent(e.getKey(), k -> new ArrayList<>()).add(e.getValue()));
    Map<Integer, long[]> out = new HashMap<>();
    parts.forEach((id, list) -> {
      long[] all = list.stream().flatMapToLong(Arrays::stream).sorted().toArray();
      out.put(id, all);
    });
    return out;
  }

  /**
   * A primitive array ({@code int[]}, {@code long[]}, {@code double[]}, {@code short[]},
   * {@code byte[][]}) that pgjdbc sends in PostgreSQL's binary array format, so no number is
   * formatted as text or parsed back.
   */
  private static Argument binaryArray(Object primitiveArray) {
    return (position, statement, ctx) -> statement.setObject(position, primitiveArray);
  }

  /**
   * A stored series: its id, how many points it holds, and the step from which its points are not
   * in the rollups yet (null: all are).
   */
  public record SeriesInfo(int seriesId, long pointCount, Long unrolledFrom) {}

  public Optional<SeriesInfo> findSeries(Handle h, UUID runId, String name) {
    return h.createQuery("""
            SELECT series_id, point_count, unrolled_from FROM points.series
            WHERE run_id = :run_id AND name = :name""")
        .bind("run_id", runId)
        .bind("name", name)
        .map((rs, ctx) -> new SeriesInfo(rs.getInt(1), rs.getLong(2), (Long) rs.getObject(3)))
        .findOne();
  }

  /** The highest-step point of each metric of a run, by name, after the name cursor. */
  public List<MetricSample> latestPerName(Handle h, UUID runId, String afterName, int limit) {
    return h.createQuery("""
            SELECT s.name, s.last_step, s.last_value, s.last_recorded_at, w.recorded_by, w.metadata
            FROM points.series s
            JOIN points.writes w ON w.run_id = s.run_id AND w.write_id = s.last_write_id
            WHERE s.run_id = :run_id AND s.last_step IS NOT NULL
              AND (CAST(:after_name AS text) IS NULL OR s.name > :after_name)
            ORDER BY s.name
            LIMIT :limit
            """)
        .bind("run_id", runId)
        .bind("after_name", afterName)
        .bind("limit", limit)
        .map((rs, ctx) -> {
          String name = rs.getString("name");
          long step = rs.getLong("last_step");
          return new MetricSample(MetricSample.idOf(runId, name, step), runId,
              Rows.instant(rs, "last_recorded_at"), rs.getString("recorded_by"), step, name,
              rs.getDouble("last_value"), Json.readObject(rs.getString("metadata")));
        })
        .list();
  }

  /** One metric's points with steps below the cursor, highest steps first, at most {@code limit}. */
  public List<MetricSample> samplesBefore(Handle h, UUID runId, String name, Long beforeStep, int limit) {
    Optional<SeriesInfo> info = findSeries(h, runId, name);
    return info.isEmpty() ? List.of() : SampleHistoryStore.before(h, runId, name, info.get().seriesId(), beforeStep, limit);
  }

  /**
   * Replaces segments of one series (the compactor's merge): deletes those starting at
   * {@code oldFirstSteps} and inserts {@code merged}, which hold exactly their points; the caller
   * holds the series row.
   */
  void replaceSegments(Handle h, UUID runId, int seriesId, long[] oldFirstSteps, SegmentCodec.Points merged,
                       int pointsPerSegment) {
    h.createUpdate("""
            DELETE FROM points.segments
            WHERE run_id = :run_id AND series_id = :series_id AND first_step = ANY(:first_steps)""")
        .bind("run_id", runId)
        .bind("series_id", seriesId)
        .bind("first_steps", binaryArray(oldFirstSteps))
        .execute();
    var insert = h.prepareBatch("""
        INSERT INTO points.segments (run_id, series_id, first_step, last_step, n, write_id, body)
        VALUES (:run_id, :series_id, :first_step, :last_step, :n, :write_id, :body)""");
    int chunks = 0;
    for (int from = 0; from < merged.size(); from += pointsPerSegment, chunks++) {
      int n = Math.min(pointsPerSegment, merged.size() - from);
      long base = merged.writeIds()[from];
      insert.bind("run_id", runId).bind("series_id", seriesId).bind("first_step", merged.steps()[from])
          .bind("last_step", merged.steps()[from + n - 1]).bind("n", n).bind("write_id", base)
          .bind("body", SegmentCodec.encode(merged.steps(), merged.values(), merged.micros(), merged.writeIds(),
              base, from, n))
          .add();
    }
    insert.execute();
    h.createUpdate("""
            UPDATE points.series SET segment_count = segment_count - :removed
            WHERE run_id = :run_id AND series_id = :series_id""")
        .bind("removed", oldFirstSteps.length - chunks)
        .bind("run_id", runId)
        .bind("series_id", seriesId)
        .execute();
  }

  static Instant instantOfMicros(long micros) {
    return Instant.ofEpochSecond(Math.floorDiv(micros, 1_000_000L), Math.floorMod(micros, 1_000_000L) * 1000L);
  }

  /** Removes a run's series, writes, segments and rollups (a deleted run, docs/protocol.md §3.6). */
  public void purgeRun(Handle h, UUID runId) {
    rollups.purgeRun(h, runId);
    for (String table : List.of("DELETE FROM points.segments", "DELETE FROM points.writes",
        "DELETE FROM points.series")) {
      h.createUpdate(table + " WHERE run_id = :run_id").bind("run_id", runId).execute();
    }
  }
}
