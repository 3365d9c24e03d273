package io.animus.datapilot.ci;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonRawValue;
import java.time.Instant;

/** A CI-registered image: digest ↔ repo ↔ commit; the first report of a digest wins. */
public record RegisteredImage(String imageDigest, String repo, String commitSha, String pipelineId, String provider,
                         Instant receivedAt, String receivedBy, @JsonIgnore String payload,
                         @JsonIgnore String payloadSha256) {

  /** The detail view: the listed fields plus the registered payload. */
  public record Detail(String imageDigest, String repo, String commitSha, String pipelineId, String provider,
                       Instant receivedAt, String receivedBy, @JsonRawValue String payload) {}

  public Detail detail() {
    return new Detail(imageDigest, repo, commitSha, pipelineId, provider, receivedAt, receivedBy, payload);
  }
}
