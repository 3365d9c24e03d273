package io.animus.datapilot.telemetry;

import io.animus.datapilot.http.Reply;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

/** The answer of both batch endpoints: 201 when anything was inserted, else 200. */
final class BatchAnswer {
  private BatchAnswer() {}

  static Reply of(UUID runId, int received, int inserted, String requestId) {
    Map<String, Object> answer = new LinkedHashMap<>();
    answer.put("received", received);
    answer.put("inserted", inserted);
    answer.put("duplicates", received - inserted);
    answer.put("request_id", requestId);
    answer.put("run_id", runId.toString());
    return Reply.status(inserted > 0 ? 201 : 200, answer);
  }
}
