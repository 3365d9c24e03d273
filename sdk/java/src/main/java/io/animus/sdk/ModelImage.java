package io.animus.sdk;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.Map;

/**
 * A CI-built image registered by a signed report (docs/protocol.md §7.3–7.4): {@link ExperimentsClient#postCiReport}
 * answers it with {@link #status()} {@code created} or {@code duplicate}; {@link ExperimentsClient#getModelImage}
 * adds the stored {@link #payload()}.
 *
 * @param imageDigest {@code sha256:<64 hex>}
 * @param repo the repository that built it
 * @param commitSha the commit it was built from
 * @param pipelineId the CI pipeline that built it (null in a duplicate answer)
 * @param provider the CI provider, or null
 * @param payloadSha256 the sha256 of the canonical report payload, or null in lists
 * @param receivedAt when it was registered (null in a duplicate answer)
 * @param receivedBy {@code ci} (null in a duplicate answer)
 * @param status {@code created} or {@code duplicate} in a report answer, else null
 * @param payload the stored report payload (single-image reads only, else empty)
 */
public record ModelImage(String imageDigest, String repo, String commitSha, String pipelineId, String provider,
    String payloadSha256, Instant receivedAt, String receivedBy, String status, Map<String, Object> payload) {

  /** Reads a model image object or a report answer; unknown fields are ignored. */
  static ModelImage fromJson(JsonNode n) {
    return new ModelImage(Wire.text(n, "image_digest"), Wire.text(n, "repo"), Wire.text(n, "commit_sha"),
        Wire.text(n, "pipeline_id"), Wire.text(n, "provider"), Wire.text(n, "payload_sha256"),
        Wire.instant(n, "received_at"), Wire.text(n, "received_by"), Wire.text(n, "status"),
        Wire.object(n, "payload"));
  }
}
