package io.animus.sdk;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The point lanes of one logger (sender thread only): names are dealt to lanes round-robin in order of first
 * appearance, lanes holding points are sent at the same time (the first on the sender thread, the others on
 * helper threads), and the next round starts when every lane was answered, so the points of one name stay in
 * order. When the server has no batch route, points go through the single-step endpoint instead.
 */
final class MetricLanes {
  static final int MAX_BODY_BYTES = 3 * 1024 * 1024;
  private static final int MAX_CACHED_NAMES = 100_000;

  /** A name's JSON bytes and the lane its points travel in. */
  private record NameInfo(byte[] encoded, int lane) {}

  private final RetryingPoster poster;
  private final TelemetryCounters counters;
  private final MetricLane[] lanes;
  private final Map<String, NameInfo> names = new HashMap<>();
  private final String threadName;
  private int nextLane;
  private ExecutorService helpers;
  private volatile boolean batchRoute = true;

  MetricLanes(TelemetrySettings s, RetryingPoster poster, TelemetryCounters counters, String threadName) {
    this.poster = poster;
    this.counters = counters;
    this.threadName = threadName;
    this.lanes = new MetricLane[s.parallelRequests()];
    for (int i = 0; i < lanes.length; i++) {
      lanes[i] = new MetricLane(s.batchPoints());
    }
  }

  /** Empties the lanes for a new round. */
  void startRound() {
    for (MetricLane lane : lanes) {
      lane.clear();
    }
    if (names.size() >= MAX_CACHED_NAMES) {
      // Only between rounds: a name must not change lanes while points of it are in a lane.
      names.clear();
    }
  }

  /** Adds a point to its name's lane; false (nothing added) when that lane is full for this round. */
  boolean add(String name, long step, double value, long time) {
    NameInfo info = nameInfo(name);
    MetricLane lane = lanes[info.lane()];
    if (!lane.fits(info.encoded(), MAX_BODY_BYTES)) {
      return false;
    }
    lane.add(name, info.encoded(), step, value, time);
    return true;
  }

  private NameInfo nameInfo(String name) {
    NameInfo cached = names.get(name);
    if (cached != null) {
      return cached;
    }
    NameInfo info = new NameInfo(PointsBody.encodeName(name), nextLane);
    nextLane = (nextLane + 1) % lanes.length;
    names.put(name, info);
    return info;
  }

  /** Sends every lane that holds points, and then whatever the lanes kept for the single-step endpoint. */
  void send() {
    if (!batchRoute) {
      sendLeftSingly();
      return;
    }
    List<MetricLane> others = new ArrayList<>();
    MetricLane mine = null;
    for (MetricLane lane : lanes) {
      if (lane.size == 0) {
        continue;
      }
      if (mine == null) {
        mine = lane;
      } else {
        others.add(lane);
      }
    }
    CountDownLatch done = new CountDownLatch(others.size());
    for (MetricLane lane : others) {
      helpers().execute(() -> {
        lane.runner = Thread.currentThread();
        try {
          sendLane(lane);
        } finally {
          lane.runner = null;
          done.countDown();
        }
      });
    }
    sendLane(mine);
    awaitHelpers(done, others);
    sendLeftSingly();
  }

  private void sendLane(MetricLane lane) {
    lane.send(poster, counters, () -> batchRoute, () -> batchRoute = false);
  }

  /**
   * Sends the points the lanes kept because the server has no batch route through the single-step endpoint: one
   * request per step, all lanes merged (a name's steps keep their order).
   */
  private void sendLeftSingly() {
    Map<Long, Map<String, Double>> byStep = new LinkedHashMap<>();
    int left = 0;
    for (MetricLane lane : lanes) {
      for (int i = 0; i < lane.size; i++) {
        byStep.computeIfAbsent(lane.steps[i], k -> new LinkedHashMap<>()).putIfAbsent(lane.names[i],
            lane.values[i]);
      }
      left += lane.size;
      lane.size = 0;
    }
    int grouped = 0;
    for (Map.Entry<Long, Map<String, Double>> e : byStep.entrySet()) {
      grouped += e.getValue().size();
      sendSingle(new MetricGroup(e.getKey(), e.getValue(), null));
    }
    // Same-step same-name repeats were merged (the server keeps the first write anyway).
    counters.pointsSent.addAndGet(left - grouped);
  }

  /** Sends one step's metrics (with optional metadata) through the single-step endpoint. */
  void sendSingle(MetricGroup group) {
    Map<String, Object> payload = new LinkedHashMap<>();
    payload.put("metrics", group.metrics());
    payload.put("step", group.step());
    if (group.metadata() != null && !group.metadata().isEmpty()) {
      payload.put("metadata", group.metadata());
    }
    Verdict verdict = poster.post("/metrics", Json.canonicalBytes(payload), 1);
    if (verdict instanceof Verdict.Accepted) {
      counters.pointsSent.addAndGet(group.metrics().size());
    } else {
      counters.failed(verdict.error());
      counters.drop(group.metrics().size());
    }
  }

  /**
   * Waits until the helpers' requests were answered or given up. When the sender is interrupted (close), it cuts
   * their requests too and still waits, so that their points are counted before the round is settled.
   */
  private static void awaitHelpers(CountDownLatch done, List<MetricLane> others) {
    boolean interrupted = false;
    while (true) {
      try {
        done.await();
        break;
      } catch (InterruptedException e) {
        interrupted = true;
        for (MetricLane lane : others) {
          Thread t = lane.runner;
          if (t != null) {
            t.interrupt();
          }
        }
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }

  private ExecutorService helpers() {
    if (helpers == null) {
      String name = threadName + "-lane";
      helpers = Executors.newFixedThreadPool(lanes.length - 1, r -> {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
      });
    }
    return helpers;
  }

  /** Stops the helper threads. */
  void shutdown() {
    if (helpers != null) {
      helpers.shutdownNow();
    }
  }
}
