package io.animus.sdk;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;

/**
 * A run's newest progress report (docs/protocol.md §4.4), taken from the newest event whose metadata has
 * {@code progress_step}.
 *
 * @param step the reported step
 * @param totalSteps the total number of steps, or null
 * @param percent the fraction done from 0 to 1, or null
 * @param at when the progress event occurred
 */
public record RunProgress(long step, Long totalSteps, Double percent, Instant at) {

  /** Reads a {@code progress} object, or returns null for a missing one. */
  static RunProgress fromJson(JsonNode n) {
    if (n == null || !n.isObject()) {
      return null;
    }
    JsonNode p = n.get("percent");
    return new RunProgress(Wire.longValue(n, "step"), Wire.optLong(n, "total_steps"),
        p == null || p.isNull() ? null : Json.number(p), Wire.instant(n, "at"));
  }
}
