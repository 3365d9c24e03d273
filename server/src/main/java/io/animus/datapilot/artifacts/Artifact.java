package io.animus.datapilot.artifacts;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.Objects;
import java.util.UUID;

/** A stored run artifact as answered (docs/protocol.md §5.1); {@code name} is omitted when empty. */
public record Artifact(UUID artifactId, UUID runId, String kind, String name, String filename, String contentType,
                       String objectKey, String sha256, long sizeBytes, ObjectNode metadata, Instant createdAt,
                       String createdBy) {
  public Artifact {
    Objects.requireNonNull(artifactId);
    Objects.requireNonNull(runId);
    Objects.requireNonNull(kind);
    name = name == null || name.isEmpty() ? null : name;
  }
}
