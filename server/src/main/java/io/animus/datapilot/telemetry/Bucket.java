package io.animus.datapilot.telemetry;

/**
 * A bucket of a downsampled series. {@code min}/{@code max} ignore NaN and are null when the
 * bucket holds only NaN; {@code last} is the value at {@code stepMax}.
 */
public record Bucket(long stepMin, long stepMax, Double min, Double max, double last, long count, long nanCount) {

  /** Merges a following bucket (higher steps) into this one. */
  public Bucket plus(Bucket next) {
    return new Bucket(stepMin, next.stepMax, lower(min, next.min), higher(max, next.max), next.last,
        count + next.count, nanCount + next.nanCount);
  }

  public static Bucket of(long step, double value) {
    boolean nan = Double.isNaN(value);
    return new Bucket(step, step, nan ? null : value, nan ? null : value, value, 1, nan ? 1 : 0);
  }

  // Written with ifs: in a conditional expression mixing Double and double, a null Double
  // would be unboxed (and throw) when both sides hold only NaN.
  private static Double lower(Double a, Double b) {
    if (a == null) {
      return b;
    }
    if (b == null) {
      return a;
    }
    return Math.min(a, b);
  }

  private static Double higher(Double a, Double b) {
    if (a == null) {
      return b;
    }
    if (b == null) {
      return a;
    }
    return Math.max(a, b);
  }
}
