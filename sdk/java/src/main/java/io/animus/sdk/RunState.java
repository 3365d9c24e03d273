package io.animus.sdk;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.Map;

/**
 * One entry of a run's append-only state history (docs/protocol.md §4.5).
 *
 * @param stateId the state's id
 * @param runId its run
 * @param status the status entered
 * @param observedAt when it was entered
 * @param details what caused it (message, actor, executor, reason, exit code...), empty when none
 */
public record RunState(String stateId, String runId, String status, Instant observedAt, Map<String, Object> details) {

  /** Reads a state object; unknown fields are ignored. */
  static RunState fromJson(JsonNode n) {
    return new RunState(Wire.text(n, "state_id"), Wire.text(n, "run_id"), Wire.text(n, "status"),
        Wire.instant(n, "observed_at"), Wire.object(n, "details"));
  }
}
