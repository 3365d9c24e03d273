package io.animus.datapilot.telemetry;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Validated points of one write as parallel primitive arrays, in request order: each point's
 * name (an index into {@link #names}), step, value and time in microseconds since the epoch,
 * rounded as PostgreSQL rounds a timestamp's text, or {@link #UNSET} for a point that gave no time
 * (the service records it at the time of the write). Built by the request parsers, then handed to
 * {@link MetricService} as it is: the points are never copied on the way.
 */
public final class MetricBatch {
  /** The time of a point that named none. */
  static final long UNSET = Long.MIN_VALUE;
  private final List<String> names = new ArrayList<>();
  private final Map<String, Integer> nameIds = new HashMap<>();
  private int[] nameIndex;
  private long[] steps;
  private double[] values;
  private long[] micros;
  private int size;
  private boolean anyUnset;

  MetricBatch(int capacity) {
    int initial = Math.max(1, capacity);
    nameIndex = new int[initial];
    steps = new long[initial];
    values = new double[initial];
    micros = new long[initial];
  }

  void add(String name, long step, double value, long recordedAtMicros) {
    if (size == steps.length) {
      int grown = size * 2;
      nameIndex = Arrays.copyOf(nameIndex, grown);
      steps = Arrays.copyOf(steps, grown);
      values = Arrays.copyOf(values, grown);
      micros = Arrays.copyOf(micros, grown);
    }
    Integer id = nameIds.get(name);
    if (id == null) {
      id = names.size();
      names.add(name);
      nameIds.put(name, id);
    }
    nameIndex[size] = id;
    steps[size] = step;
    values[size] = value;
    micros[size] = recordedAtMicros;
    anyUnset |= recordedAtMicros == UNSET;
    size++;
  }

  public int size() {
    return size;
  }

  /** The distinct names, first occurrence first. */
  List<String> names() {
    return names;
  }

  /** The series id of each point, given the id of each distinct name (same order as {@link #names}). */
  int[] seriesIds(int[] idOfName) {
    int[] out = new int[size];
    for (int i = 0; i < size; i++) {
      out[i] = idOfName[nameIndex[i]];
    }
    return out;
  }

  long[] steps() {
    return size == steps.length ? steps : Arrays.copyOf(steps, size);
  }

  double[] values() {
    return size == values.length ? values : Arrays.copyOf(values, size);
  }

  /** The times, with {@code unsetAs} for every point that gave none. */
  long[] micros(long unsetAs) {
    if (anyUnset) {
      for (int i = 0; i < size; i++) {
        if (micros[i] == UNSET) {
          micros[i] = unsetAs;
        }
      }
      anyUnset = false;
    }
    return size == micros.length ? micros : Arrays.copyOf(micros, size);
  }

  /**
   * Microseconds since the epoch as PostgreSQL stores the instant's ISO text: the fraction of a
   * second, read as a double, times a million, rounded half to even ({@code rint}).
   */
  static long micros(Instant at) {
    return micros(at.getEpochSecond(), at.getNano());
  }

  static long micros(long epochSecond, int nanos) {
    long fraction;
    if (nanos % 1000 == 0) {
      fraction = nanos / 1000;
    } else {
      String digits = Integer.toString(1_000_000_000 + nanos).substring(1);
      fraction = (long) Math.rint(Double.parseDouble("0." + digits) * 1_000_000);
    }
    return Math.addExact(Math.multiplyExact(epochSecond, 1_000_000L), fraction);
  }
}
