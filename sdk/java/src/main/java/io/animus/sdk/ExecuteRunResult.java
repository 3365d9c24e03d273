package io.animus.sdk;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The answer to {@code runs:execute} (docs/protocol.md §8.2): the run created for the training job.
 *
 * @param runId the new run
 * @param executionId its execution record
 * @param status the run's status when answering: {@code running}, or {@code pending}
 * @param datapilotUrl the base URL handed to the job as {@code DATAPILOT_URL}
 */
public record ExecuteRunResult(String runId, String executionId, String status, String datapilotUrl) {

  /** Reads an execute answer. */
  static ExecuteRunResult fromJson(JsonNode n) {
    return new ExecuteRunResult(Wire.text(n, "run_id"), Wire.text(n, "execution_id"), Wire.text(n, "status"),
        Wire.text(n, "datapilot_url"));
  }
}
