package io.animus.datapilot.telemetry;

import java.util.List;
import java.util.UUID;
import org.jdbi.v3.core.Handle;

/**
 * The compactor's reads of {@code points.segments} and {@code points.series} (docs/adr/0034); its
 * writes are {@link MetricStore#replaceSegments}, the tables' owner's:
 * small segments of one series (one per small write) are merged into segments of up to
 * {@link #TARGET_POINTS} consecutive points. The points, and so the rollups, stay exactly as they are.
 */
final class SegmentCompactionStore {
  /** Points per merged segment: a range read decodes whole segments, so reads bound it. */
  static final int TARGET_POINTS = 1000;
  /** Segments below this many points are merged. */
  static final int SMALL = TARGET_POINTS / 2;
  /** Small segments merged per series and transaction at most. */
  static final int PER_PASS = 4000;

  private SegmentCompactionStore() {}

  /** A series worth compacting. */
  record Candidate(UUID runId, int seriesId) {}

  /**
   * Series with at least {@code minSegments} segments averaging under {@link #SMALL} points, or
   * with points whose rollups small writes left to the compactor. A maintenance read across runs;
   * no write path reads this way.
   */
  static List<Candidate> candidates(Handle h, int minSegments, int limit) {
    return h.createQuery("""
            SELECT run_id, series_id FROM points.series
            WHERE segment_count >= :min_segments AND point_count < segment_count * CAST(:small AS bigint)
               OR unrolled_from IS NOT NULL
            LIMIT :limit""")
        .bind("min_segments", minSegments)
        .bind("small", SMALL)
        .bind("limit", limit)
        .map((rs, ctx) -> new Candidate(rs.getObject(1, UUID.class), rs.getInt(2)))
        .list();
  }

  /**
   * Rolls up the series' newest points if small writes left that to the compactor, then merges up
   * to {@link #PER_PASS} of its small segments, in step order, into segments of
   * {@link #TARGET_POINTS}; returns how many segments it removed. Holds the series row's lock, as
   * every writer of the series does.
   */
  static int compact(Handle h, MetricStore writer, UUID runId, int seriesId) {
    boolean exists = h.createQuery("""
            SELECT 1 FROM points.series WHERE run_id = :run_id AND series_id = :series_id FOR UPDATE""")
        .bind("run_id", runId)
        .bind("series_id", seriesId)
        .mapTo(Integer.class)
        .findOne()
        .isPresent();
    if (!exists) {
      return 0;
    }
    writer.rollUpTail(h, runId, seriesId, null);
    List<Object[]> small = h.createQuery("""
            SELECT first_step, write_id, body FROM points.segments
            WHERE run_id = :run_id AND series_id = :series_id AND n < :small
            ORDER BY first_step LIMIT :limit""")
        .bind("run_id", runId)
        .bind("series_id", seriesId)
        .bind("small", SMALL)
        .bind("limit", PER_PASS)
        .map((rs, ctx) -> new Object[] {rs.getLong(1), rs.getLong(2), rs.getBytes(3)})
        .list();
    if (small.size() < 2) {
      return 0;
    }
    long[] firstSteps = small.stream().mapToLong(r -> (Long) r[0]).toArray();
    SegmentCodec.Points all = SegmentMerge.merge(small.stream()
        .map(r -> SegmentCodec.decode((byte[]) r[2], (Long) r[1])).toList());
    int chunks = (all.size() + TARGET_POINTS - 1) / TARGET_POINTS;
    writer.replaceSegments(h, runId, seriesId, firstSteps, all, TARGET_POINTS);
    int removed = small.size() - chunks;
    return removed;
  }
}
