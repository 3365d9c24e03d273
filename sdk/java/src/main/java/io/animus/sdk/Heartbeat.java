package io.animus.sdk;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;

/**
 * The answer to a heartbeat (docs/protocol.md §4.4). A worker should stop when {@link #status()} is {@code canceled}.
 *
 * @param runId the run
 * @param status its effective status
 * @param lastHeartbeatAt the heartbeat just recorded
 */
public record Heartbeat(String runId, String status, Instant lastHeartbeatAt) {

  /** Reads a heartbeat answer. */
  static Heartbeat fromJson(JsonNode n) {
    return new Heartbeat(Wire.text(n, "run_id"), Wire.text(n, "status"), Wire.instant(n, "last_heartbeat_at"));
  }

  /** True when the run was canceled and the worker should stop. */
  public boolean canceled() {
    return "canceled".equals(status);
  }
}
