package io.animus.datapilot.telemetry;

import java.util.ArrayList;
import java.util.List;

/**
 * Splits a step-ordered series into at most {@code maxPoints} consecutive buckets of near-equal
 * count (PROTOCOL.md §4.1), either from single samples (exact) or from pre-aggregated blocks of
 * 64 steps when every block is small next to a bucket.
 */
public final class Downsampler {
  /** A block may be used when it holds at most this fraction of a bucket's target size. */
  static final int BLOCK_TO_BUCKET_RATIO = 8;

  private Downsampler() {}

  /** Whether blocks of at most {@code maxBlockCount} samples are fine enough for these buckets. */
  public static boolean blocksAreFineEnough(long total, int maxPoints, long maxBlockCount) {
    long target = ceilDiv(total, maxPoints);
    return maxBlockCount * BLOCK_TO_BUCKET_RATIO <= target;
  }

  /**
   * Greedy assembly: consecutive parts (samples or blocks, in step order) are merged until a bucket
   * reaches ceil(total / maxPoints) samples. Every closed bucket holds at least that many, so there
   * are at most {@code maxPoints} buckets; with single samples this is exact equal-count bucketing.
   * Parts are fed one at a time, so a long series is never held in memory.
   */
  public static final class Assembler {
    private final long target;
    private final List<Bucket> out = new ArrayList<>();
    private Bucket current;

    public Assembler(long total, int maxPoints) {
      this.target = Math.max(1, ceilDiv(total, maxPoints));
    }

    public void add(Bucket part) {
      current = current == null ? part : current.plus(part);
      if (current.count() >= target) {
        out.add(current);
        current = null;
      }
    }

    public List<Bucket> finish() {
      if (current != null) {
        out.add(current);
        current = null;
      }
      return List.copyOf(out);
    }
  }

  static long ceilDiv(long a, long b) {
    return (a + b - 1) / b;
  }
}
