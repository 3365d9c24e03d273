package io.animus.sdk;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/**
 * One metric of a run, downsampled to at most {@code max_points} buckets of consecutive steps (docs/protocol.md §4.1).
 * With no more samples than buckets every sample is its own bucket, so small series are exact.
 *
 * @param runId the run
 * @param name the metric name
 * @param totalPoints the number of stored samples
 * @param downsampled true when buckets hold more than one sample
 * @param buckets the buckets in step order
 */
public record MetricSeries(String runId, String name, long totalPoints, boolean downsampled, List<Bucket> buckets) {

  /**
   * A run of consecutive samples.
   *
   * @param stepMin the first step
   * @param stepMax the last step
   * @param min the smallest value ignoring NaN; NaN when every value of the bucket is NaN
   * @param max the largest value ignoring NaN; NaN when every value of the bucket is NaN
   * @param last the value at {@code stepMax} (may be NaN or infinite)
   * @param count the number of samples
   * @param nanCount how many of them are NaN
   */
  public record Bucket(long stepMin, long stepMax, double min, double max, double last, long count, long nanCount) {

    /** Reads a bucket object. */
    static Bucket fromJson(JsonNode n) {
      return new Bucket(Wire.longValue(n, "step_min"), Wire.longValue(n, "step_max"), Wire.metric(n, "min"),
          Wire.metric(n, "max"), Wire.metric(n, "last"), Wire.longValue(n, "count"), Wire.longValue(n, "nan_count"));
    }
  }

  /** Reads a series answer; unknown fields are ignored. */
  static MetricSeries fromJson(JsonNode n) {
    return new MetricSeries(Wire.text(n, "run_id"), Wire.text(n, "name"), Wire.longValue(n, "total_points"),
        Wire.bool(n, "downsampled"), Wire.list(n, "buckets", Bucket::fromJson));
  }
}
