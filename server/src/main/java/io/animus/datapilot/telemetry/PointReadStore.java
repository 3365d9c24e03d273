package io.animus.datapilot.telemetry;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.jdbi.v3.core.Handle;

/** Reads of the points store for charts and live frames: rollup rows, whole series, one write's points. */
final class PointReadStore {
  private PointReadStore() {}

  /** Every rollup row of a series at one level, in step order. */
  static List<Bucket> rollups(Handle h, UUID runId, int seriesId, int level) {
    return h.createQuery("""
            SELECT first_step, last_step, min_value, max_value, last_value, point_count, nan_count
            FROM points.rollups WHERE run_id = :run_id AND series_id = :series_id AND level = :level
            ORDER BY bucket
            """)
        .bind("run_id", runId)
        .bind("series_id", seriesId)
        .bind("level", (short) level)
        .map((rs, ctx) -> new Bucket(rs.getLong("first_step"), rs.getLong("last_step"),
            (Double) rs.getObject("min_value"), (Double) rs.getObject("max_value"), rs.getDouble("last_value"),
            rs.getLong("point_count"), rs.getLong("nan_count")))
        .list();
  }

  /** The point count of the largest bucket of a series at one rollup level; 0 when it has none. */
  static long largestRollup(Handle h, UUID runId, int seriesId, int level) {
    return h.createQuery("""
            SELECT coalesce(max(point_count), 0) FROM points.rollups
            WHERE run_id = :run_id AND series_id = :series_id AND level = :level""")
        .bind("run_id", runId)
        .bind("series_id", seriesId)
        .bind("level", (short) level)
        .mapTo(Long.class)
        .one();
  }

  /** Every point of a series (steps and values), in step order. */
  static SegmentCodec.Points allPoints(Handle h, UUID runId, int seriesId) {
    List<SegmentCodec.Points> parts = h.createQuery("""
            SELECT write_id, body FROM points.segments WHERE run_id = :run_id AND series_id = :series_id
            ORDER BY first_step""")
        .bind("run_id", runId)
        .bind("series_id", seriesId)
        .setFetchSize(256)
        .map((rs, ctx) -> SegmentCodec.decode(rs.getBytes(2), rs.getLong(1)))
        .list();
    return SegmentMerge.merge(parts);
  }

  /** Points of one write within a series' step range (for live frames of large writes). */
  static List<MetricStore.Inserted> writeRange(Handle h, UUID runId, int seriesId, long fromStep, long toStep, long writeId) {
    List<MetricStore.Inserted> out = new ArrayList<>();
    h.createQuery("""
            SELECT write_id, body FROM points.segments
            WHERE run_id = :run_id AND series_id = :series_id AND last_step >= :from_step AND first_step <= :to_step
            ORDER BY first_step""")
        .bind("run_id", runId)
        .bind("series_id", seriesId)
        .bind("from_step", fromStep)
        .bind("to_step", toStep)
        .map((rs, ctx) -> SegmentCodec.decode(rs.getBytes(2), rs.getLong(1)))
        .forEach(p -> {
          for (int i = 0; i < p.size(); i++) {
            long step = p.steps()[i];
            if (p.writeIds()[i] == writeId && step >= fromStep && step <= toStep) {
              out.add(new MetricStore.Inserted(seriesId, step, p.values()[i], MetricStore.instantOfMicros(p.micros()[i])));
            }
          }
        });
    out.sort((a, b) -> Long.compare(a.step(), b.step()));
    return out;
  }

  static Map<Integer, String> seriesNames(Handle h, UUID runId, Collection<Integer> seriesIds) {
    Map<Integer, String> names = new HashMap<>();
    h.createQuery("SELECT series_id, name FROM points.series WHERE run_id = :run_id AND series_id = ANY(:ids)")
        .bind("run_id", runId)
        .bindArray("ids", Integer.class, seriesIds)
        .map((rs, ctx) -> Map.entry(rs.getInt("series_id"), rs.getString("name")))
        .forEach(e -> names.put(e.getKey(), e.getValue()));
    return names;
  }

  /** The points of a series from step {@code from} on, in step order. */
  static SegmentCodec.Points pointsFrom(Handle h, UUID runId, int seriesId, long from) {
    List<SegmentCodec.Points> parts = h.createQuery("""
            SELECT write_id, body FROM points.segments
            WHERE run_id = :run_id AND series_id = :series_id AND last_step >= :from
            ORDER BY first_step""")
        .bind("run_id", runId)
        .bind("series_id", seriesId)
        .bind("from", from)
        .map((rs, ctx) -> SegmentCodec.decode(rs.getBytes(2), rs.getLong(1)))
        .list();
    SegmentCodec.Points all = SegmentMerge.merge(parts);
    int skip = 0;
    while (skip < all.size() && all.steps()[skip] < from) {
      skip++;
    }
    int n = all.size() - skip;
    long[] steps = new long[n];
    double[] values = new double[n];
    long[] micros = new long[n];
    long[] writes = new long[n];
    System.arraycopy(all.steps(), skip, steps, 0, n);
    System.arraycopy(all.values(), skip, values, 0, n);
    System.arraycopy(all.micros(), skip, micros, 0, n);
    System.arraycopy(all.writeIds(), skip, writes, 0, n);
    return new SegmentCodec.Points(steps, values, micros, writes);
  }
}
