package io.animus.datapilot.telemetry;

import io.animus.datapilot.kernel.Json;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.UUID;
import org.jdbi.v3.core.Handle;

/**
 * A metric's points newest first, page by page ({@code GET …/metrics?name=}), read from segments
 * whose step ranges may interleave: segments by descending last step, a chunk at a time, until
 * none unread can hold a step above the page's lowest.
 */
final class SampleHistoryStore {
  private SampleHistoryStore() {}

  /** One metric's points with steps below the cursor, highest steps first, at most {@code limit}. */
  static List<MetricSample> before(Handle h, UUID runId, String name, int seriesId, Long beforeStep, int limit) {
    long below = beforeStep == null ? Long.MAX_VALUE : beforeStep;
    // Segments by descending last step, a chunk at a time, until no unread segment can hold a
    // step above the limit-th highest found so far.
    PriorityQueue<long[]> best = new PriorityQueue<>((a, b) -> Long.compare(a[0], b[0]));
    Map<Long, double[]> values = new HashMap<>();
    Map<Long, long[]> meta = new HashMap<>();
    long cursorLast = Long.MAX_VALUE;
    long cursorFirst = Long.MAX_VALUE;
    int chunk = 16;
    while (true) {
      List<Object[]> rows = h.createQuery("""
              SELECT first_step, last_step, write_id, body FROM points.segments
              WHERE run_id = :run_id AND series_id = :series_id AND first_step < :below
                AND (last_step, first_step) < (:cursor_last, :cursor_first)
              ORDER BY last_step DESC, first_step DESC
              LIMIT :chunk""")
          .bind("run_id", runId)
          .bind("series_id", seriesId)
          .bind("below", below)
          .bind("cursor_last", cursorLast)
          .bind("cursor_first", cursorFirst)
          .bind("chunk", chunk)
          .map((rs, ctx) -> new Object[] {rs.getLong(1), rs.getLong(2), rs.getLong(3), rs.getBytes(4)})
          .list();
      for (Object[] row : rows) {
        long lastStep = (Long) row[1];
        if (best.size() >= limit && lastStep < best.peek()[0]) {
          return samples(h, runId, name, best, values, meta);
        }
        SegmentCodec.Points p = SegmentCodec.decode((byte[]) row[3], (Long) row[2]);
        for (int i = 0; i < p.size(); i++) {
          long step = p.steps()[i];
          if (step >= below || best.size() >= limit && step < best.peek()[0]) {
            continue;
          }
          best.add(new long[] {step});
          values.put(step, new double[] {p.values()[i]});
          meta.put(step, new long[] {p.micros()[i], p.writeIds()[i]});
          if (best.size() > limit) {
            long dropped = best.poll()[0];
            values.remove(dropped);
            meta.remove(dropped);
          }
        }
        cursorLast = lastStep;
        cursorFirst = (Long) row[0];
      }
      if (rows.size() < chunk) {
        return samples(h, runId, name, best, values, meta);
      }
      chunk = Math.min(chunk * 4, 1024);
    }
  }

  private static List<MetricSample> samples(Handle h, UUID runId, String name, PriorityQueue<long[]> best,
                                     Map<Long, double[]> values, Map<Long, long[]> meta) {
    long[] steps = best.stream().mapToLong(a -> a[0]).sorted().toArray();
    long[] writeIds = Arrays.stream(steps).map(st -> meta.get(st)[1]).distinct().toArray();
    Map<Long, String[]> writes = new HashMap<>();
    if (writeIds.length > 0) {
      h.createQuery("""
              SELECT write_id, recorded_by, metadata FROM points.writes
              WHERE run_id = :run_id AND write_id = ANY(:ids)""")
          .bind("run_id", runId)
          .bind("ids", (position, statement, ctx) -> statement.setObject(position, writeIds))
          .map((rs, ctx) -> Map.entry(rs.getLong(1), new String[] {rs.getString(2), rs.getString(3)}))
          .forEach(e -> writes.put(e.getKey(), e.getValue()));
    }
    List<MetricSample> out = new ArrayList<>(steps.length);
    for (int i = steps.length - 1; i >= 0; i--) {
      long step = steps[i];
      long[] m = meta.get(step);
      String[] w = writes.get(m[1]);
      out.add(new MetricSample(MetricSample.idOf(runId, name, step), runId, MetricStore.instantOfMicros(m[0]), w[0], step,
          name, values.get(step)[0], Json.readObject(w[1])));
    }
    return out;
  }

}
