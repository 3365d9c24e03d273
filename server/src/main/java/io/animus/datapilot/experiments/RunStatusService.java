package io.animus.datapilot.experiments;

import io.animus.datapilot.common.Clock;
import io.animus.datapilot.common.ProjectScope;
import io.animus.datapilot.kernel.ApiException;
import io.animus.datapilot.kernel.ErrorCode;
import io.animus.datapilot.kernel.Ids;
import io.animus.datapilot.kernel.Json;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

/**
 * Status moves (docs/protocol.md §4.3) and heartbeats. Every move is a compare-and-set over the
 * transition table of {@link RunStatus}, and stores a state; the {@link RunStatusListener} adds
 * the event and the live frame in the same transaction.
 */
public final class RunStatusService {
  private final Jdbi jdbi;
  private final RunStore runs;
  private final RunLookup lookup;
  private final RunStatusListener listener;
  private final Clock clock;

  public RunStatusService(Jdbi jdbi, RunStore runs, RunLookup lookup, RunStatusListener listener, Clock clock) {
    this.jdbi = jdbi;
    this.runs = runs;
    this.lookup = lookup;
    this.listener = listener;
    this.clock = clock;
  }

  /** What a move did: {@code moved} is false for a no-op (the run already had that status). */
  public record Move(UUID runId, boolean moved) {}

  public Move changeStatus(ProjectScope project, String rawRunId, String actor, RunStatus next,
                           Optional<String> message) {
    UUID runId = lookup.require(project, rawRunId);
    return jdbi.inTransaction(h -> move(h, runId, actor, next, message, Map.of()));
  }

  /**
   * Moves a run inside the caller's transaction (also used by the executor). A lost race or a
   * forbidden move is 409 {@code invalid_status_transition} naming the current status.
   */
  public Move move(Handle h, UUID runId, String actor, RunStatus next, Optional<String> message,
                   Map<String, Object> extraDetails) {
    return move(h, runId, actor, next, message, extraDetails, Optional.empty());
  }

  /**
   * As {@link #move(Handle, UUID, String, RunStatus, Optional, Map)}; {@code reason}, when present,
   * is added to the event message ({@code run failed (submit_failed)}).
   */
  public Move move(Handle h, UUID runId, String actor, RunStatus next, Optional<String> message,
                   Map<String, Object> extraDetails, Optional<String> reason) {
    List<String> from = Arrays.stream(RunStatus.values()).filter(s -> s.canMoveTo(next)).map(RunStatus::wire)
        .toList();
    Instant now = clock.now();
    if (!runs.compareAndSetStatus(h, runId, next.wire(), from, next.terminal() ? now : null)) {
      String current = runs.currentStatus(h, runId).orElseThrow(() -> ApiException.notFound("run"));
      if (current.equals(next.wire())) {
        return new Move(runId, false);
      }
      throw new ApiException(ErrorCode.INVALID_STATUS_TRANSITION,
          "a " + current + " run cannot move to " + next.wire(), Map.of("current_status", current));
    }
    var details = Json.object();
    message.ifPresent(m -> details.put("message", m));
    extraDetails.forEach((k, v) -> details.set(k, Json.mapper().valueToTree(v)));
    details.put("actor", actor);
    RunStatusChange state = new RunStatusChange(Ids.newId(), runId, next.wire(), now, details);
    runs.insertState(h, state);
    listener.moved(h, state, actor, reason);
    return new Move(runId, true);
  }

  /** A run's status in the caller's transaction; empty when the run does not exist. */
  public Optional<String> currentStatus(Handle h, UUID runId) {
    return runs.currentStatus(h, runId);
  }

  /** A heartbeat's answer. */
  public record Heartbeat(UUID runId, String status, Instant lastHeartbeatAt) {}

  public Heartbeat heartbeat(ProjectScope project, String rawRunId) {
    UUID runId = lookup.require(project, rawRunId);
    Instant now = clock.now();
    String status = jdbi.inTransaction(h -> runs.heartbeat(h, runId, now))
        .orElseThrow(() -> ApiException.notFound("run"));
    return new Heartbeat(runId, status, now);
  }
}
