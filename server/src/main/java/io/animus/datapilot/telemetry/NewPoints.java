package io.animus.datapilot.telemetry;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntPredicate;

/**
 * The points a write may add, sorted by (series, step) with each step at most once per series:
 * a repeat inside the request keeps its first occurrence (first write wins). Grouping is linear
 * in the points; only a series whose steps arrive out of order is sorted.
 */
final class NewPoints {
  final int[] series;
  final long[] steps;
  final double[] values;
  final long[] micros;

  private NewPoints(int[] series, long[] steps, double[] values, long[] micros) {
    this.series = series;
    this.steps = steps;
    this.values = values;
    this.micros = micros;
  }

  int size() {
    return series.length;
  }

  /** The points of a request (parallel arrays in request order). */
  static NewPoints of(int[] series, long[] steps, double[] values, long[] micros) {
    int n = series.length;
    Map<Integer, List<Integer>> bySeries = new LinkedHashMap<>();
    for (int i = 0; i < n; i++) {
      bySeries.computeIfAbsent(series[i], k -> new ArrayList<>()).add(i);
    }
    Integer[] order = bySeries.keySet().toArray(new Integer[0]);
    Arrays.sort(order);
    int[] outSeries = new int[n];
    long[] outSteps = new long[n];
    double[] outValues = new double[n];
    long[] outMicros = new long[n];
    int size = 0;
    for (Integer id : order) {
      List<Integer> positions = bySeries.get(id);
      boolean rising = true;
      for (int k = 1; k < positions.size() && rising; k++) {
        rising = steps[positions.get(k)] > steps[positions.get(k - 1)];
      }
      if (!rising) {
        // stable: equal steps keep request order, so the first occurrence comes first
        positions.sort(Comparator.comparingLong(p -> steps[p]));
      }
      long previous = 0;
      for (int k = 0; k < positions.size(); k++) {
        int p = positions.get(k);
        if (k > 0 && steps[p] == previous) {
          continue;
        }
        previous = steps[p];
        outSeries[size] = id;
        outSteps[size] = steps[p];
        outValues[size] = values[p];
        outMicros[size] = micros[p];
        size++;
      }
    }
    return new NewPoints(Arrays.copyOf(outSeries, size), Arrays.copyOf(outSteps, size),
        Arrays.copyOf(outValues, size), Arrays.copyOf(outMicros, size));
  }

  int seriesCount() {
    return distinctSeries().length;
  }

  int[] distinctSeries() {
    return Arrays.stream(series).distinct().toArray();
  }

  NewPoints onlySeries(IntPredicate keep) {
    return filter(i -> keep.test(series[i]));
  }

  /** Without the steps already stored: {@code stored} holds, per series, stored steps ascending. */
  NewPoints without(Map<Integer, long[]> stored) {
    return filter(i -> {
      long[] s = stored.get(series[i]);
      return s == null || Arrays.binarySearch(s, steps[i]) < 0;
    });
  }

  private NewPoints filter(IntPredicate keepIndex) {
    int n = size();
    int[] s = new int[n];
    long[] st = new long[n];
    double[] v = new double[n];
    long[] us = new long[n];
    int size = 0;
    for (int i = 0; i < n; i++) {
      if (keepIndex.test(i)) {
        s[size] = series[i];
        st[size] = steps[i];
        v[size] = values[i];
        us[size] = micros[i];
        size++;
      }
    }
    return new NewPoints(Arrays.copyOf(s, size), Arrays.copyOf(st, size), Arrays.copyOf(v, size),
        Arrays.copyOf(us, size));
  }

  /** These points and {@code other}'s, which hold other series, still sorted by (series, step). */
  NewPoints plus(NewPoints other) {
    int n = size() + other.size();
    int[] s = new int[n];
    long[] st = new long[n];
    double[] v = new double[n];
    long[] us = new long[n];
    int a = 0;
    int b = 0;
    for (int k = 0; k < n; k++) {
      boolean takeA = b >= other.size() || a < size() && series[a] < other.series[b];
      NewPoints from = takeA ? this : other;
      int i = takeA ? a++ : b++;
      s[k] = from.series[i];
      st[k] = from.steps[i];
      v[k] = from.values[i];
      us[k] = from.micros[i];
    }
    return new NewPoints(s, st, v, us);
  }

  /** The rollup rows of these points. */
  Rollups.Rows rollups() {
    return Rollups.of(series, steps, values, size());
  }

  /** One segment per series, as the columns of {@code points.segments} and the series' newest point. */
  record Segments(int[] series, long[] first, long[] last, int[] n, double[] lastValue, long[] lastMicros,
                  byte[][] bodies) {}

  Segments segments() {
    int count = seriesCount();
    int[] s = new int[count];
    long[] first = new long[count];
    long[] last = new long[count];
    int[] n = new int[count];
    double[] lastValue = new double[count];
    long[] lastMicros = new long[count];
    byte[][] bodies = new byte[count][];
    int start = 0;
    for (int k = 0; k < count; k++) {
      int end = start;
      while (end < size() && series[end] == series[start]) {
        end++;
      }
      s[k] = series[start];
      first[k] = steps[start];
      last[k] = steps[end - 1];
      n[k] = end - start;
      lastValue[k] = values[end - 1];
      lastMicros[k] = micros[end - 1];
      bodies[k] = SegmentCodec.encode(steps, values, micros, null, 0L, start, end - start);
      start = end;
    }
    return new Segments(s, first, last, n, lastValue, lastMicros, bodies);
  }

  MetricStore.WriteResult result(long writeId) {
    boolean small = size() <= MetricStore.RETURN_POINTS_UP_TO;
    List<MetricStore.Inserted> points = new ArrayList<>();
    List<MetricStore.SeriesRange> ranges = new ArrayList<>();
    if (small) {
      for (int i = 0; i < size(); i++) {
        points.add(new MetricStore.Inserted(series[i], steps[i], values[i], MetricStore.instantOfMicros(micros[i])));
      }
    } else {
      int start = 0;
      while (start < size()) {
        int end = start;
        while (end < size() && series[end] == series[start]) {
          end++;
        }
        ranges.add(new MetricStore.SeriesRange(series[start], end - start, steps[start], steps[end - 1]));
        start = end;
      }
    }
    return new MetricStore.WriteResult(writeId, size(), points, ranges);
  }
}
