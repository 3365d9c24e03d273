package io.animus.datapilot.telemetry;

import java.util.Arrays;
import java.util.List;

/** Decoded segments of one series, read in first-step order, as one step-ordered run of points. */
final class SegmentMerge {
  private SegmentMerge() {}

  static SegmentCodec.Points merge(List<SegmentCodec.Points> parts) {
    int n = parts.stream().mapToInt(SegmentCodec.Points::size).sum();
    long[] steps = new long[n];
    double[] values = new double[n];
    long[] micros = new long[n];
    long[] writes = new long[n];
    int at = 0;
    boolean ordered = true;
    for (SegmentCodec.Points p : parts) {
      if (p.size() == 0) {
        continue;
      }
      if (at > 0 && p.steps()[0] <= steps[at - 1]) {
        ordered = false;
      }
      System.arraycopy(p.steps(), 0, steps, at, p.size());
      System.arraycopy(p.values(), 0, values, at, p.size());
      System.arraycopy(p.micros(), 0, micros, at, p.size());
      System.arraycopy(p.writeIds(), 0, writes, at, p.size());
      at += p.size();
    }
    if (ordered) {
      return new SegmentCodec.Points(steps, values, micros, writes);
    }
    // Segments whose step ranges interleave (steps that arrived out of order): sort by step.
    // Steps are unique within a series, so the order is total.
    Integer[] order = new Integer[n];
    for (int i = 0; i < n; i++) {
      order[i] = i;
    }
    Arrays.sort(order, (a, b) -> Long.compare(steps[a], steps[b]));
    long[] s = new long[n];
    double[] v = new double[n];
    long[] us = new long[n];
    long[] w = new long[n];
    for (int i = 0; i < n; i++) {
      s[i] = steps[order[i]];
      v[i] = values[order[i]];
      us[i] = micros[order[i]];
      w[i] = writes[order[i]];
    }
    return new SegmentCodec.Points(s, v, us, w);
  }
}
