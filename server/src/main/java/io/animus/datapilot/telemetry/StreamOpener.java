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
 * Makes the opening reads of new streams (the run's current status and newest event id) on the
 * hub's read threads, once for every stream of a run that is waiting: when thousands of readers
 * reconnect at once (after a restart or an outage) they cost a few reads, not thousands, and never
 * more pooled connections than there are read threads.
 *
 * <p>One read serves every stream that subscribed before it was made, which is all the stream's
 * rules need: what was committed before the read is the connect-time state, what comes after
 * reaches the stream live.
 */
final class StreamOpener {
  /** Visibility was checked per request before a stream waits here; the read itself is unscoped. */
  private static final ProjectScope ANY = new ProjectScope(ProjectScope.DEFAULT, false);
  private final ExecutorService reads;
  private final RunService runs;
  private final EventService events;
  private final Map<UUID, List<Waiting>> waiting = new HashMap<>();

  /** A subscribed stream waiting for its opening reads, with its cursor (null: none). */
  private record Waiting(StreamSubscriber subscriber, Long cursor) {}

  StreamOpener(ExecutorService reads, RunService runs, EventService events) {
    this.reads = reads;
    this.runs = runs;
    this.events = events;
  }

  /** Queues the opening reads of an already subscribed stream. */
  void open(StreamSubscriber subscriber, Long cursor) {
    UUID runId = subscriber.runId();
    boolean first;
    synchronized (this) {
      List<Waiting> list = waiting.computeIfAbsent(runId, k -> new ArrayList<>());
      first = list.isEmpty();
      list.add(new Waiting(subscriber, cursor));
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
    for (Waiting w : batch) {
      if (w.cursor() == null) {
        // no backlog without a cursor: events committed before the connection opened are skipped,
        // even when the hub hears of them only after this subscriber joined
        w.subscriber().opened(new StreamOpening.Opened(frames, null, latest));
      } else {
        w.subscriber().opened(new StreamOpening.Opened(frames,
            (from, limit) -> events.from(runId, from, limit),
            w.cursor()));
      }
    }
  }
}
