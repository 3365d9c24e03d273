package io.animus.datapilot.telemetry;

import java.util.Arrays;

/**
 * The body of one points segment (docs/adr/0034): the points of one series, in ascending step
 * order, each step at most once. Layout, all integers as unsigned LEB128 varints unless said:
 * <ol>
 *   <li>{@code n}, the number of points;</li>
 *   <li>steps: the first as a varint, then each gap to the previous minus one (steps strictly rise);</li>
 *   <li>times in microseconds since the epoch: the first zig-zag encoded, then zig-zag deltas;</li>
 *   <li>write ids, run-length encoded: the number of runs, then per run the zig-zag delta of the
 *       write id from the previous run's (the first from the segment row's {@code write_id}) and the
 *       run's length, so a segment of one write is the same bytes whatever its write id;</li>
 *   <li>values: {@code n} raw IEEE 754 float64 bit patterns, little-endian, so every value comes
 *       back bit for bit (NaN payloads and signed zeros included).</li>
 * </ol>
 * PointsLayoutBench measured this layout at 12.5–14 bytes per point for training curves, against
 * about 92 for one row per point (bench/README.md).
 */
public final class SegmentCodec {
  private SegmentCodec() {}

  /** Decoded points of one segment, parallel arrays in step order. */
  public record Points(long[] steps, double[] values, long[] micros, long[] writeIds) {
    public int size() {
      return steps.length;
    }
  }

  /**
   * Encodes {@code n} points from index {@code from}; steps must strictly rise. {@code writeIds}
   * null means every point is of the write {@code baseWrite}.
   */
  public static byte[] encode(long[] steps, double[] values, long[] micros, long[] writeIds, long baseWrite,
                              int from, int n) {
    Out out = new Out(16 + n * 11);
    out.varint(n);
    long previous = 0;
    for (int i = from; i < from + n; i++) {
      long step = steps[i];
      if (i == from) {
        out.varint(step);
      } else {
        if (step <= previous) {
          throw new IllegalArgumentException("segment steps must strictly rise: " + previous + " then " + step);
        }
        out.varint(step - previous - 1);
      }
      previous = step;
    }
    long time = 0;
    for (int i = from; i < from + n; i++) {
      out.varint(zigzag(micros[i] - time));
      time = micros[i];
    }
    if (writeIds == null) {
      out.varint(1);
      out.varint(0);
      out.varint(n);
    } else {
      writeRuns(out, writeIds, baseWrite, from, n);
    }
    for (int i = from; i < from + n; i++) {
      out.float64(values[i]);
    }
    return out.bytes();
  }

  private static void writeRuns(Out out, long[] writeIds, long baseWrite, int from, int n) {
    int runs = 0;
    for (int i = from; i < from + n; i++) {
      if (i == from || writeIds[i] != writeIds[i - 1]) {
        runs++;
      }
    }
    out.varint(runs);
    long write = baseWrite;
    for (int i = from; i < from + n; ) {
      int j = i + 1;
      while (j < from + n && writeIds[j] == writeIds[i]) {
        j++;
      }
      out.varint(zigzag(writeIds[i] - write));
      out.varint(j - i);
      write = writeIds[i];
      i = j;
    }
  }

  /** The points of a segment whose row holds {@code baseWrite}. */
  public static Points decode(byte[] body, long baseWrite) {
    In in = new In(body);
    int n = Math.toIntExact(in.varint());
    long[] steps = new long[n];
    long[] micros = new long[n];
    long[] writes = new long[n];
    double[] values = new double[n];
    long step = 0;
    for (int i = 0; i < n; i++) {
      step = i == 0 ? in.varint() : step + in.varint() + 1;
      steps[i] = step;
    }
    long time = 0;
    for (int i = 0; i < n; i++) {
      time += unzigzag(in.varint());
      micros[i] = time;
    }
    int runs = Math.toIntExact(in.varint());
    long write = baseWrite;
    int at = 0;
    for (int r = 0; r < runs; r++) {
      write += unzigzag(in.varint());
      int length = Math.toIntExact(in.varint());
      Arrays.fill(writes, at, at + length, write);
      at += length;
    }
    if (at != n) {
      throw new IllegalStateException("segment write ids cover " + at + " of " + n + " points");
    }
    for (int i = 0; i < n; i++) {
      values[i] = in.float64();
    }
    return new Points(steps, values, micros, writes);
  }

  /** Only the steps of a segment (for duplicate checks), without decoding the rest. */
  public static long[] steps(byte[] body) {
    In in = new In(body);
    int n = Math.toIntExact(in.varint());
    long[] steps = new long[n];
    long step = 0;
    for (int i = 0; i < n; i++) {
      step = i == 0 ? in.varint() : step + in.varint() + 1;
      steps[i] = step;
    }
    return steps;
  }

  static long zigzag(long v) {
    return (v << 1) ^ (v >> 63);
  }

  static long unzigzag(long v) {
    return (v >>> 1) ^ -(v & 1);
  }

  private static final class Out {
    private byte[] buf;
    private int size;

    Out(int capacity) {
      buf = new byte[capacity];
    }

    private void ensure(int more) {
      if (size + more > buf.length) {
        buf = Arrays.copyOf(buf, Math.max(buf.length * 2, size + more));
      }
    }

    void varint(long v) {
      ensure(10);
      while ((v & ~0x7FL) != 0) {
        buf[size++] = (byte) ((v & 0x7F) | 0x80);
        v >>>= 7;
      }
      buf[size++] = (byte) v;
    }

    void float64(double d) {
      ensure(8);
      long bits = Double.doubleToRawLongBits(d);
      for (int k = 0; k < 8; k++) {
        buf[size++] = (byte) (bits >>> (8 * k));
      }
    }

    byte[] bytes() {
      return Arrays.copyOf(buf, size);
    }
  }

  private static final class In {
    private final byte[] buf;
    private int at;

    In(byte[] buf) {
      this.buf = buf;
    }

    long varint() {
      long v = 0;
      int shift = 0;
      while (true) {
        if (at >= buf.length || shift > 63) {
          throw new IllegalStateException("truncated or malformed segment body");
        }
        byte b = buf[at++];
        v |= (long) (b & 0x7F) << shift;
        if (b >= 0) {
          return v;
        }
        shift += 7;
      }
    }

    double float64() {
      if (at + 8 > buf.length) {
        throw new IllegalStateException("truncated segment body");
      }
      long bits = 0;
      for (int k = 0; k < 8; k++) {
        bits |= (buf[at++] & 0xFFL) << (8 * k);
      }
      return Double.longBitsToDouble(bits);
    }
  }
}
