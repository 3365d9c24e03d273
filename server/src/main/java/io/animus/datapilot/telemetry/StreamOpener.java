package io.animus.datapilot.telemetry;

import io.animus.datapilot.common.ProjectScope;
import io.animus.datapilot.experiments.RunService;
import io.animus.datapilot.experiments.RunStatusChange;
import io.animus.datapilot.kernel.Json;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;

/**
 * Makes the opening reads of new streams (the run's current status, newest event id and the
 * series the stream was asked for) on the
 * hub's read threads, once for every stream of a run that is waiting: when thousands of readers
 * reconnect at once (after a restart or an outage) they cost a few reads, not thousands, and never
 * more pooled connections than there are read threads.
 *
 * <p>One read serves every stream that subscribed before it was made, which is all the stream's
 * rules need: what was committed before the read is the connect-time state, what comes after
 * reaches the stream live. That is what makes a series frame a high-water mark: the series is read
 * after the stream joined the hub, so every point is in the frame, or in a later live
 * {@code metrics} frame, or in both (a point committed between the two; first write wins, so both
 * copies hold the same value).
 */
final class StreamOpener {
  /** Visibility was checked per request before a stream waits here; the read itself is unscoped. */
  private static final ProjectScope ANY = new ProjectScope(ProjectScope.DEFAULT, false);
  private final ExecutorService reads;
  private final RunService runs;
  private final EventService events;
  private final MetricService metrics;
  private final Map<UUID, List<Waiting>> waiting = new HashMap<>();

  /**
   * The series a stream opens with ({@code series} and {@code max_points} of its query): distinct,
   * trimmed names, each answered by one {@code series} frame, in this order.
   */
  record SeriesRequest(List<String> names, int maxPoints) {
    static final SeriesRequest NONE = new SeriesRequest(List.of(), 0);

    SeriesRequest {
      names = List.copyOf(names);
    }
  }

  /** A subscribed stream waiting for its opening reads, with its cursor (null: none) and series. */
  private record Waiting(StreamSubscriber subscriber, Long cursor, SeriesRequest series) {}

  StreamOpener(ExecutorService reads, RunService runs, EventService events, MetricService metrics) {
    this.reads = reads;
    this.runs = runs;
    this.events = events;
    this.metrics = metrics;
  }

  /** Queues the opening reads of an already subscribed stream. */
  void open(StreamSubscriber subscriber, Long cursor, SeriesRequest series) {
    UUID runId = subscriber.runId();
    boolean first;
    synchronized (this) {
      List<Waiting> list = waiting.computeIfAbsent(runId, k -> new ArrayList<>());
      first = list.isEmpty();
      list.add(new Waiting(subscriber, cursor, series));
    }
    if (first) {
      try {
        reads.execute(() -> readFor(runId));
      } catch (RejectedExecutionException e) {
        readFor(runId); // stopping: fails the waiting streams at once
      }
    }
  }

  private void readFor(UUID runId) {
    List<Waiting> batch;
    synchronized (this) {
      batch = waiting.remove(runId);
    }
    if (batch == null) {
      return;
    }
    List<String> frames = new ArrayList<>();
    long latest;
    try {
      List<RunStatusChange> states = runs.states(ANY, runId.toString());
      if (!states.isEmpty()) {
        frames.add(SseFrames.frame("status", null, Json.writeString(states.get(states.size() - 1))));
      }
      latest = events.latestId(runId);
    } catch (RuntimeException e) {
      batch.forEach(w -> w.subscriber().opened(null));
      return;
    }
    // streams of one batch asking for the same series (a page reloaded by many viewers) share one read
    Map<String, String> seriesFrames = new HashMap<>();
    for (Waiting w : batch) {
      List<String> own = frames;
      if (!w.series().names().isEmpty()) {
        own = new ArrayList<>(frames);
        try {
          for (String name : w.series().names()) {
            own.add(seriesFrames.computeIfAbsent(w.series().maxPoints() + "\u0000" + name,
                k -> seriesFrame(runId, name, w.series().maxPoints())));
          }
        } catch (RuntimeException e) {
          w.subscriber().opened(null);
          continue;
        }
      }
      if (w.cursor() == null) {
        // no backlog without a cursor: events committed before the connection opened are skipped,
        // even when the hub hears of them only after this subscriber joined
        w.subscriber().opened(new StreamOpening.Opened(own, null, latest));
      } else {
        w.subscriber().opened(new StreamOpening.Opened(own,
            (from, limit) -> events.from(runId, from, limit),
            w.cursor()));
      }
    }
  }

  /** A {@code series} frame: exactly the answer of {@code GET …/metrics/series} for this name and size. */
  private String seriesFrame(UUID runId, String name, int maxPoints) {
    return SseFrames.frame("series", null, Json.writeString(metrics.series(ANY, runId.toString(), name, maxPoints)));
  }
}
