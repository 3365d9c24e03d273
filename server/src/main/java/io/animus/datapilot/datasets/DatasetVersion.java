package io.animus.datapilot.datasets;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.Objects;
import java.util.UUID;

/** An immutable dataset version (docs/protocol.md §6.2); {@code quality_rule_id} omitted when unset. */
public record DatasetVersion(UUID versionId, UUID datasetId, String projectId, String qualityRuleId, int ordinal,
                             String contentSha256, String objectKey, long sizeBytes, ObjectNode metadata,
                             Instant createdAt, String createdBy) {
  public DatasetVersion {
    Objects.requireNonNull(versionId);
    Objects.requireNonNull(datasetId);
    qualityRuleId = qualityRuleId == null || qualityRuleId.isEmpty() ? null : qualityRuleId;
  }

  /** The stored content type (set by the server at upload), else application/octet-stream. */
  public String contentType() {
    String value = metadata.path("content_type").asText("");
    return value.isEmpty() ? "application/octet-stream" : value;
  }

  /** The stored filename (set by the server at upload), else {@code dataset.bin}. */
  public String filename() {
    String value = metadata.path("filename").asText("");
    return value.isEmpty() ? "dataset.bin" : value;
  }
}
