package io.animus.datapilot.experiments;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.animus.datapilot.kernel.Json;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.jdbi.v3.core.Handle;

/**
 * The run's live fields that telemetry keeps current ({@code last_seen_at}, {@code reported_status},
 * {@code progress}), written inside telemetry's transaction through the handle it passes, so that
 * only {@link RunStore} writes {@code runs}.
 */
public final class RunTouch {
  private static final int MAX_REMEMBERED = 100_000;
  private final RunStore runs;
  /** When this replica last wrote each run's last_seen_at through {@link #markSeen}. */
  private final Map<UUID, Instant> markedAt = new ConcurrentHashMap<>();

  public RunTouch(RunStore runs) {
    this.runs = runs;
  }

  /**
   * Locks the run row for the rest of the transaction and marks it seen; false when the run does
   * not exist. Events take their ids under this lock, so within a run they become visible in order.
   */
  public boolean lockAndMarkSeen(Handle h, UUID runId, Instant now) {
    return runs.lockAndMarkSeen(h, runId, now);
  }

  /**
   * Marks the run seen, at most once a second. {@code last_seen_at} only ever grows, so once this
   * replica wrote {@code t} the row holds at least {@code t} (to the microsecond), and the store's
   * "not within a second" condition would refuse any mark before {@code t + 1 s}: such a mark (with
   * a millisecond's margin) is skipped without a statement, which keeps a metric write at one round
   * trip. A transaction that rolls back after a mark can only delay the next one by that second.
   */
  public void markSeen(Handle h, UUID runId, Instant now) {
    Instant last = markedAt.get(runId);
    if (last != null && !now.isBefore(last) && now.isBefore(last.plusMillis(999))) {
      return;
    }
    if (runs.markSeen(h, runId, now)) {
      if (markedAt.size() >= MAX_REMEMBERED) {
        markedAt.clear();
      }
      markedAt.put(runId, now);
    }
  }

  /** What the newest events said about the run; null leaves a field as it is. */
  public void report(Handle h, UUID runId, String reportedStatus, ObjectNode progress) {
    runs.updateReported(h, runId, reportedStatus, progress == null ? null : Json.writeString(progress));
  }
}
