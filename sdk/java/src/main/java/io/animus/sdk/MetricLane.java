package io.animus.sdk;

import java.util.function.BooleanSupplier;

/**
 * One request's worth of points, copied out of the queue so that its slots are free while the request is in
 * flight, and sent as {@code metrics:batch} requests. A metric name always travels in the same lane.
 */
final class MetricLane {
  private static final String BATCH = "/metrics:batch";

  final String[] names;
  private final byte[][] encoded;
  final long[] steps;
  final double[] values;
  private final long[] times;
  private final PointsBody body = new PointsBody();
  /** The helper thread sending this lane, while one does. */
  volatile Thread runner;
  int size;
  private long bytes;

  MetricLane(int batchPoints) {
    names = new String[batchPoints];
    encoded = new byte[batchPoints][];
    steps = new long[batchPoints];
    values = new double[batchPoints];
    times = new long[batchPoints];
  }

  void clear() {
    size = 0;
    bytes = 0;
  }

  /** True when a point of {@code nameBytes} still fits in this lane's next request. */
  boolean fits(byte[] nameBytes, int maxBodyBytes) {
    return size < names.length
        && (size == 0 || bytes + nameBytes.length + PointsBody.POINT_OVERHEAD <= maxBodyBytes);
  }

  void add(String name, byte[] nameBytes, long step, double value, long time) {
    names[size] = name;
    encoded[size] = nameBytes;
    steps[size] = step;
    values[size] = value;
    times[size] = time;
    size++;
    bytes += nameBytes.length + PointsBody.POINT_OVERHEAD;
  }

  /**
   * Sends the lane. Leaves its points in place (for the single-step fallback) and turns {@code batchRoute} off when
   * the server has no batch route; otherwise the lane is empty afterwards.
   */
  void send(RetryingPoster poster, TelemetryCounters counters, BooleanSupplier batchRoute, Runnable noBatchRoute) {
    while (size > 0 && batchRoute.getAsBoolean()) {
      write();
      Verdict verdict = poster.post(BATCH, body.bytes(), body.size(), size);
      if (verdict instanceof Verdict.Accepted) {
        counters.pointsSent.addAndGet(size);
        size = 0;
      } else if (verdict instanceof Verdict.RouteMissing) {
        noBatchRoute.run();
      } else if (verdict instanceof Verdict.RejectedItem item) {
        counters.failed(item.error());
        counters.drop(1);
        remove(item.index());
      } else {
        counters.failed(verdict.error());
        counters.drop(size);
        size = 0;
      }
    }
  }

  private void write() {
    body.begin();
    for (int i = 0; i < size; i++) {
      body.point(encoded[i], steps[i], times[i], values[i]);
    }
    body.end();
  }

  private void remove(int i) {
    int tail = size - i - 1;
    System.arraycopy(names, i + 1, names, i, tail);
    System.arraycopy(encoded, i + 1, encoded, i, tail);
    System.arraycopy(steps, i + 1, steps, i, tail);
    System.arraycopy(values, i + 1, values, i, tail);
    System.arraycopy(times, i + 1, times, i, tail);
    size--;
  }
}
