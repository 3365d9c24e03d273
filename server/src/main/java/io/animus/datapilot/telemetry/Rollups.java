package io.animus.datapilot.telemetry;

import java.util.Arrays;

/**
 * Rollup rows of newly inserted points (docs/adr/0034): per series, level and bucket of
 * {@code 2^level} steps, the count, the NaN count, min and max ignoring NaN, and the first and
 * last point. Computed here, in the writer, so PostgreSQL only merges a few rows per write into
 * {@code points.rollups} instead of aggregating every point.
 */
public final class Rollups {
  /** Bucket widths 2^6 … 2^18 steps; each level is 16 times coarser than the one below. */
  public static final int[] LEVELS = {6, 10, 14, 18};

  /** Parallel arrays, one entry per (series, level, bucket), in key order. */
  public record Rows(int[] series, short[] levels, long[] buckets, long[] counts, long[] nanCounts,
                     double[] mins, double[] maxes, long[] firstSteps, double[] firstValues,
                     long[] lastSteps, double[] lastValues) {
    public int size() {
      return series.length;
    }
  }

  private Rollups() {}

  /**
   * Rollups of points sorted by (series, step). min/max of a bucket of only NaN are NaN here
   * (stored as null).
   */
  public static Rows of(int[] series, long[] steps, double[] values, int n) {
    Builder b = new Builder(Math.max(4, n / 16 + 8));
    int start = 0;
    while (start < n) {
      int end = start;
      while (end < n && series[end] == series[start]) {
        end++;
      }
      for (int level : LEVELS) {
        int i = start;
        while (i < end) {
          long bucket = steps[i] >> level;
          long count = 0;
          long nan = 0;
          double min = Double.NaN;
          double max = Double.NaN;
          int j = i;
          for (; j < end && steps[j] >> level == bucket; j++) {
            double v = values[j];
            count++;
            if (Double.isNaN(v)) {
              nan++;
            } else {
              min = Double.isNaN(min) ? v : Math.min(min, v);
              max = Double.isNaN(max) ? v : Math.max(max, v);
            }
          }
          b.add(series[start], (short) level, bucket, count, nan, min, max, steps[i], values[i], steps[j - 1],
              values[j - 1]);
          i = j;
        }
      }
      start = end;
    }
    return b.rows();
  }

  private static final class Builder {
    int size;
    int[] series;
    short[] levels;
    long[] buckets;
    long[] counts;
    long[] nans;
    double[] mins;
    double[] maxes;
    long[] firstSteps;
    double[] firstValues;
    long[] lastSteps;
    double[] lastValues;

    Builder(int capacity) {
      series = new int[capacity];
      levels = new short[capacity];
      buckets = new long[capacity];
      counts = new long[capacity];
      nans = new long[capacity];
      mins = new double[capacity];
      maxes = new double[capacity];
      firstSteps = new long[capacity];
      firstValues = new double[capacity];
      lastSteps = new long[capacity];
      lastValues = new double[capacity];
    }

    void add(int s, short level, long bucket, long count, long nan, double min, double max, long firstStep,
             double firstValue, long lastStep, double lastValue) {
      if (size == series.length) {
        int grown = size * 2;
        series = Arrays.copyOf(series, grown);
        levels = Arrays.copyOf(levels, grown);
        buckets = Arrays.copyOf(buckets, grown);
        counts = Arrays.copyOf(counts, grown);
        nans = Arrays.copyOf(nans, grown);
        mins = Arrays.copyOf(mins, grown);
        maxes = Arrays.copyOf(maxes, grown);
        firstSteps = Arrays.copyOf(firstSteps, grown);
        firstValues = Arrays.copyOf(firstValues, grown);
        lastSteps = Arrays.copyOf(lastSteps, grown);
        lastValues = Arrays.copyOf(lastValues, grown);
      }
      series[size] = s;
      levels[size] = level;
      buckets[size] = bucket;
      counts[size] = count;
      nans[size] = nan;
      mins[size] = min;
      maxes[size] = max;
      firstSteps[size] = firstStep;
      firstValues[size] = firstValue;
      lastSteps[size] = lastStep;
      lastValues[size] = lastValue;
      size++;
    }

    Rows rows() {
      return new Rows(Arrays.copyOf(series, size), Arrays.copyOf(levels, size), Arrays.copyOf(buckets, size),
          Arrays.copyOf(counts, size), Arrays.copyOf(nans, size), Arrays.copyOf(mins, size),
          Arrays.copyOf(maxes, size), Arrays.copyOf(firstSteps, size), Arrays.copyOf(firstValues, size),
          Arrays.copyOf(lastSteps, size), Arrays.copyOf(lastValues, size));
    }
  }
}
