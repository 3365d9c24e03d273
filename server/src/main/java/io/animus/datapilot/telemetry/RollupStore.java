package io.animus.datapilot.telemetry;

import java.util.UUID;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.argument.Argument;

/** Rows of {@code points.rollups}: merges rollups of newly stored points into the stored ones. */
final class RollupStore {
  private static final String UPSERT = """
      INSERT INTO points.rollups (run_id, series_id, level, bucket, point_count, nan_count, min_value, max_value,
                                  first_step, first_value, last_step, last_value)
      SELECT :run_id, r.sid, r.lvl, r.bucket, r.cnt, r.nan, NULLIF(r.mn, 'NaN'), NULLIF(r.mx, 'NaN'),
             r.fs, r.fv, r.ls, r.lv
      FROM unnest(CAST(:r_series AS integer[]), CAST(:r_level AS smallint[]), CAST(:r_bucket AS bigint[]),
                  CAST(:r_count AS bigint[]), CAST(:r_nan AS bigint[]), CAST(:r_min AS float8[]),
                  CAST(:r_max AS float8[]), CAST(:r_first_step AS bigint[]), CAST(:r_first_value AS float8[]),
                  CAST(:r_last_step AS bigint[]), CAST(:r_last_value AS float8[]))
        AS r(sid, lvl, bucket, cnt, nan, mn, mx, fs, fv, ls, lv)
      ORDER BY r.sid, r.lvl, r.bucket
      ON CONFLICT (run_id, series_id, level, bucket) DO UPDATE SET
        point_count = rollups.point_count + EXCLUDED.point_count,
        nan_count = rollups.nan_count + EXCLUDED.nan_count,
        min_value = least(rollups.min_value, EXCLUDED.min_value),
        max_value = greatest(rollups.max_value, EXCLUDED.max_value),
        first_value = CASE WHEN EXCLUDED.first_step < rollups.first_step
                           THEN EXCLUDED.first_value ELSE rollups.first_value END,
        first_step = least(rollups.first_step, EXCLUDED.first_step),
        last_value = CASE WHEN EXCLUDED.last_step > rollups.last_step
                          THEN EXCLUDED.last_value ELSE rollups.last_value END,
        last_step = greatest(rollups.last_step, EXCLUDED.last_step)
      """;

  /** Merges {@code r} (rows of new points, in key order) into the stored rollups of the run. */
  void upsert(Handle h, UUID runId, Rollups.Rows r) {
    if (r.size() == 0) {
      return;
    }
    h.createUpdate(UPSERT)
        .bind("run_id", runId)
        .bind("r_series", array(r.series()))
        .bind("r_level", array(r.levels()))
        .bind("r_bucket", array(r.buckets()))
        .bind("r_count", array(r.counts()))
        .bind("r_nan", array(r.nanCounts()))
        .bind("r_min", array(r.mins()))
        .bind("r_max", array(r.maxes()))
        .bind("r_first_step", array(r.firstSteps()))
        .bind("r_first_value", array(r.firstValues()))
        .bind("r_last_step", array(r.lastSteps()))
        .bind("r_last_value", array(r.lastValues()))
        .execute();
  }

  /** A primitive array sent in PostgreSQL's binary array format. */
  private static Argument array(Object primitiveArray) {
    return (position, statement, ctx) -> statement.setObject(position, primitiveArray);
  }

  void purgeRun(Handle h, UUID runId) {
    h.createUpdate("DELETE FROM points.rollups WHERE run_id = :run_id").bind("run_id", runId).execute();
  }
}
