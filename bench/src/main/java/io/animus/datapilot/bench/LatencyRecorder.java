package io.animus.datapilot.bench;

import java.util.Arrays;
import java.util.List;

/**
 * Exact latency recording for one worker thread: every sample is kept in a growing {@code long[]}
 * (bounded by {@code capacityLimit}), and percentiles come from the merged, sorted array. A run of
 * a few hundred thousand requests costs a few megabytes, so no bucketing error is needed.
 */
final class LatencyRecorder {
  private final int capacityLimit;
  private long[] samples = new long[4096];
  private int size;
  private long dropped;

  LatencyRecorder(int capacityLimit) {
    this.capacityLimit = capacityLimit;
  }

  /** Records one latency in nanoseconds; samples beyond the capacity limit are only counted. */
  void record(long nanos) {
    if (size == samples.length) {
      if (size >= capacityLimit) {
        dropped++;
        return;
      }
      samples = Arrays.copyOf(samples, (int) Math.min((long) size * 2, capacityLimit));
    }
    samples[size++] = nanos;
  }

  int size() {
    return size;
  }

  long dropped() {
    return dropped;
  }

  /** All samples of the given recorders, sorted ascending. */
  static Sorted merge(List<LatencyRecorder> recorders) {
    int total = 0;
    long dropped = 0;
    for (LatencyRecorder r : recorders) {
      total += r.size;
      dropped += r.dropped;
    }
    long[] all = new long[total];
    int at = 0;
    for (LatencyRecorder r : recorders) {
      System.arraycopy(r.samples, 0, all, at, r.size);
      at += r.size;
    }
    Arrays.sort(all);
    return new Sorted(all, dropped);
  }

  /** A sorted set of latencies (nanoseconds). */
  static final class Sorted {
    private final long[] values;
    private final long dropped;

    Sorted(long[] values, long dropped) {
      this.values = values;
      this.dropped = dropped;
    }

    int count() {
      return values.length;
    }

    long dropped() {
      return dropped;
    }

    /** Nearest-rank percentile: the smallest sample with at least {@code p}% of samples at or below it. */
    long percentile(double p) {
      if (values.length == 0) {
        return 0;
      }
      int rank = (int) Math.ceil(p / 100.0 * values.length);
      return values[Math.max(0, Math.min(values.length - 1, rank - 1))];
    }

    long max() {
      return values.length == 0 ? 0 : values[values.length - 1];
    }

    double mean() {
      if (values.length == 0) {
        return 0;
      }
      double sum = 0;
      for (long v : values) {
        sum += v;
      }
      return sum / values.length;
    }
  }
}
