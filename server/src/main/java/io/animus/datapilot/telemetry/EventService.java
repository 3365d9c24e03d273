package io.animus.datapilot.telemetry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.animus.datapilot.common.Clock;
import io.animus.datapilot.common.ProjectScope;
import io.animus.datapilot.common.Redactor;
import io.animus.datapilot.experiments.RunLookup;
import io.animus.datapilot.experiments.RunStatus;
import io.animus.datapilot.experiments.RunStatusChange;
import io.animus.datapilot.experiments.RunStatusListener;
import io.animus.datapilot.experiments.RunTouch;
import io.animus.datapilot.kernel.ApiException;
import io.animus.datapilot.kernel.Json;
import io.animus.datapilot.storage.GroupCommit;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

/**
 * Run events: append (single and batch with client-id dedupe), list, the opening reads of live
 * streams, and the event and live frame of every status move ({@link RunStatusListener}).
 */
public final class EventService implements RunStatusListener, AutoCloseable {
  public static final int MAX_BATCH_EVENTS = 1000;
  /** Single events of concurrent requests share commits (docs/adr/0034). */
  private final GroupCommit<Single, RunEvent> singles;
  private final Jdbi jdbi;
  private final EventStore store;
  private final RunLookup runs;
  private final RunTouch touch;
  private final Notifier notifier;
  private final Clock clock;

  public EventService(Jdbi jdbi, EventStore store, RunLookup runs, RunTouch touch, Notifier notifier, Clock clock) {
    this.jdbi = jdbi;
    this.store = store;
    this.runs = runs;
    this.touch = touch;
    this.notifier = notifier;
    this.clock = clock;
    this.singles = new GroupCommit<>("datapilot-event-writer", 2, 64, this::appendGroup,
        single -> jdbi.inTransaction(h -> insert(h, single.runId(), List.of(single.event()))).get(0), 30);
  }

  /** One {@code POST …/events} waiting for its group's commit. */
  private record Single(UUID runId, RunEvent.New event) {}

  /** Single events of several requests in one transaction; run rows are locked in run-id order. */
  private List<RunEvent> appendGroup(List<Single> group) {
    Integer[] order = new Integer[group.size()];
    for (int i = 0; i < order.length; i++) {
      order[i] = i;
    }
    java.util.Arrays.sort(order, (a, b) -> group.get(a).runId().compareTo(group.get(b).runId()));
    return jdbi.inTransaction(h -> {
      RunEvent[] out = new RunEvent[group.size()];
      for (int i : order) {
        out[i] = insert(h, group.get(i).runId(), List.of(group.get(i).event())).get(0);
      }
      return List.of(out);
    });
  }

  /** Stops the event writers after what is queued. */
  @Override
  public void close() {
    singles.close();
  }

  /**
   * A validated event to append: {@code occurredAt} empty means when the server received it;
   * {@code clientEventId} only in batches.
   */
  public record AppendEvent(Optional<Instant> occurredAt, String level, String message, ObjectNode metadata,
                            Optional<String> clientEventId) {
    public AppendEvent {
      Objects.requireNonNull(occurredAt);
      Objects.requireNonNull(level);
      Objects.requireNonNull(metadata);
      Objects.requireNonNull(clientEventId);
      if (message == null || message.isEmpty()) {
        throw new IllegalArgumentException("an event has a message");
      }
    }
  }

  public RunEvent append(ProjectScope project, String rawRunId, String actor, AppendEvent event) {
    RunEvent.New stored = stored(event, actor, clock.now());
    UUID runId = runs.require(project, rawRunId);
    return singles.write(new Single(runId, stored));
  }

  /** How many events a batch received and inserted (the rest repeated a client id). */
  public record BatchCount(UUID runId, int received, int inserted) {}

  public BatchCount appendBatch(ProjectScope project, String rawRunId, String actor, List<AppendEvent> batch) {
    Instant now = clock.now();
    List<RunEvent.New> events = batch.stream().map(e -> stored(e, actor, now)).toList();
    UUID runId = runs.require(project, rawRunId);
    List<RunEvent> inserted = jdbi.inTransaction(h -> insert(h, runId, events));
    return new BatchCount(runId, events.size(), inserted.size());
  }

  /** The event as stored: credentials redacted from its message and metadata. */
  private static RunEvent.New stored(AppendEvent e, String actor, Instant now) {
    return new RunEvent.New(e.occurredAt().orElse(now), actor, e.level(), Redactor.redactText(e.message()),
        Redactor.redact(e.metadata()), e.clientEventId().orElse(null));
  }

  /** Inserts under the run lock, updates the run's reported status/progress, notifies watchers. */
  public List<RunEvent> insert(Handle h, UUID runId, List<RunEvent.New> events) {
    if (!touch.lockAndMarkSeen(h, runId, clock.now())) {
      throw ApiException.notFound("run");
    }
    List<RunEvent> inserted = store.insert(h, runId, events);
    if (inserted.isEmpty()) {
      return inserted;
    }
    String reported = null;
    ObjectNode progress = null;
    for (RunEvent e : inserted) {
      JsonNode status = e.metadata().get("status");
      if (status != null && !status.isNull()) {
        reported = status.isTextual() ? status.textValue() : status.toString();
      }
      JsonNode step = e.metadata().get("progress_step");
      if (step != null && !step.isNull()) {
        progress = Json.object();
        progress.set("step", step);
        copyIfPresent(e.metadata(), "progress_total_steps", progress, "total_steps");
        copyIfPresent(e.metadata(), "progress_percent", progress, "percent");
        progress.put("at", Json.formatInstant(e.occurredAt()));
      }
    }
    if (reported != null || progress != null) {
      touch.report(h, runId, reported, progress);
    }
    notifier.events(h, runId, inserted.get(0).eventId(), inserted.get(inserted.size() - 1).eventId());
    return inserted;
  }

  private static void copyIfPresent(ObjectNode from, String key, ObjectNode to, String as) {
    JsonNode value = from.get(key);
    if (value != null && !value.isNull()) {
      to.set(as, value);
    }
  }

  /** A status move's live frame and its event ({@code run failed (reason)}), in the move's transaction. */
  @Override
  public void moved(Handle h, RunStatusChange state, String actor, Optional<String> reason) {
    notifier.status(h, state.runId(), state);
    String level = RunStatus.FAILED.wire().equals(state.status()) ? "error" : "info";
    var metadata = Json.object().put("run_status", state.status());
    String message = "run " + state.status() + reason.map(r -> " (" + r + ")").orElse("");
    insert(h, state.runId(), List.of(new RunEvent.New(state.observedAt(), actor, level, message, metadata, null)));
  }

  /** A page of events, newest first, below {@code beforeId} (0 = from the newest). */
  public List<RunEvent> list(ProjectScope project, String rawRunId, long beforeId, int limit) {
    UUID runId = runs.require(project, rawRunId);
    return jdbi.withHandle(h -> store.listBefore(h, runId, beforeId, limit));
  }

  /** The run's highest event id, 0 when it has none (a stream's opening read; visibility checked before). */
  long latestId(UUID runId) {
    return jdbi.withHandle(h -> store.latestId(h, runId));
  }

  /** Up to {@code limit} events with ids from {@code fromId} on, oldest first (a stream's backlog page). */
  List<RunEvent> from(UUID runId, long fromId, int limit) {
    return jdbi.withHandle(h -> store.listBetween(h, runId, fromId, Long.MAX_VALUE, limit));
  }

  /** Removes every event of a deleted run (docs/protocol.md §3.6). */
  public void purgeRun(UUID runId) {
    jdbi.useTransaction(h -> store.purgeRun(h, runId));
  }
}
