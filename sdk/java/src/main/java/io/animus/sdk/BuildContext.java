package io.animus.sdk;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;

/**
 * Where an executed run's image came from (docs/protocol.md §8.6, {@code GET …/build-context}): the execution's image
 * joined with the CI registration of its digest. The CI fields are null when the digest was never reported.
 *
 * @param runId the run
 * @param imageRef the image reference as requested
 * @param imageDigest the resolved digest, or null
 * @param repo the repository the CI report named, or null
 * @param commitSha the commit the CI report named, or null
 * @param pipelineId the CI pipeline, or null
 * @param provider the CI provider, or null
 * @param receivedAt when the report was received, or null
 */
public record BuildContext(String runId, String imageRef, String imageDigest, String repo, String commitSha,
    String pipelineId, String provider, Instant receivedAt) {

  /** Reads a build-context answer. */
  static BuildContext fromJson(JsonNode n) {
    return new BuildContext(Wire.text(n, "run_id"), Wire.text(n, "image_ref"), Wire.text(n, "image_digest"),
        Wire.text(n, "repo"), Wire.text(n, "commit_sha"), Wire.text(n, "pipeline_id"), Wire.text(n, "provider"),
        Wire.instant(n, "received_at"));
  }
}
