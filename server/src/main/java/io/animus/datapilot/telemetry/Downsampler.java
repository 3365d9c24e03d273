package io.animus.datapilot.telemetry;

import java.util.ArrayList;
import java.util.List;

/**
 * Splits a step-ordered series into at most {@code maxPoints} consecutive buckets of near-equal
 * count (docs/protocol.md §4.1), either from single samples (exact) or from pre-aggregated blocks of
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
   * Equal-count assembly: consecutive parts (samples or blocks, in step order) are merged, and the
   * k-th bucket closes once the parts so far hold ceil(k * total / maxPoints) samples. With single
   * samples, bucket counts differ by at most one (every sample is its own bucket when there are at
   * most {@code maxPoints}); with blocks, by at most one block from that. The last bucket takes
   * whatever remains, so there are never more than {@code maxPoints} buckets. Parts are fed one at
   * a time, so a long series is never held in memory.
   */
  public static final class Assembler {
    private final long total;
    private final int maxPoints;
    private final List<Bucket> out = new ArrayList<>();
    private Bucket current;
    private long seen;

    public Assembler(long total, int maxPoints) {
      this.total = total;
      this.maxPoints = maxPoints;
    }

    public void add(Bucket part) {
      current = current == null ? part : current.plus(part);
      seen += part.count();
      if (out.size() < maxPoints - 1 && seen >= boundary(out.size() + 1)) {
        out.add(current);
        current = null;
      }
    }

    /** Samples held by the first {@code k} buckets of an exact equal-count split. */
    private long boundary(long k) {
      return ceilDiv(k * total, maxPoints);
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
