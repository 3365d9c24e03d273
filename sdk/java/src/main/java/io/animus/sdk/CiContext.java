package io.animus.sdk;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.Map;

/**
 * CI context attached to a run by a signed webhook (docs/protocol.md §7.2), as answered by
 * {@link ExperimentsClient#postCiWebhook} or listed by {@link ExperimentsClient#listCiContexts}.
 *
 * @param contextId the context's id
 * @param runId its run
 * @param provider the CI provider, {@code ""} when not given
 * @param payload the payload as stored (empty in a duplicate answer)
 * @param payloadSha256 the sha256 of the canonical payload
 * @param receivedAt when it was first received (null in a duplicate answer)
 * @param receivedBy {@code ci} (null in a duplicate answer)
 * @param status {@code duplicate} when the same payload was already attached, else null
 */
public record CiContext(String contextId, String runId, String provider, Map<String, Object> payload,
    String payloadSha256, Instant receivedAt, String receivedBy, String status) {

  /** Reads a context object or a webhook answer; unknown fields are ignored. */
  static CiContext fromJson(JsonNode n) {
    return new CiContext(Wire.text(n, "context_id"), Wire.text(n, "run_id"), Wire.textOrEmpty(n, "provider"),
        Wire.object(n, "payload"), Wire.text(n, "payload_sha256"), Wire.instant(n, "received_at"),
        Wire.text(n, "received_by"), Wire.text(n, "status"));
  }

  /** True when the server had this exact payload for the run already and stored nothing. */
  public boolean duplicate() {
    return "duplicate".equals(status);
  }
}
