package io.animus.sdk;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The answer to {@code :cancel} (docs/protocol.md §8.5): the run is {@code canceled} at once; its job, if any, is
 * stopped asynchronously.
 *
 * @param runId the run
 * @param status {@code canceled}
 * @param executionId the execution whose job is being stopped, or null for a run never executed
 */
public record CancelResult(String runId, String status, String executionId) {

  /** Reads a cancel answer. */
  static CancelResult fromJson(JsonNode n) {
    return new CancelResult(Wire.text(n, "run_id"), Wire.text(n, "status"), Wire.text(n, "execution_id"));
  }
}
