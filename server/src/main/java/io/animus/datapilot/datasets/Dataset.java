package io.animus.datapilot.datasets;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.Objects;
import java.util.UUID;

/** A dataset (docs/protocol.md §6.1); {@code description} is omitted when empty, {@code archivedAt} unless archived. */
public record Dataset(UUID datasetId, String projectId, String name, String description, ObjectNode metadata,
                      Instant createdAt, String createdBy, Instant archivedAt) {
  public Dataset {
    Objects.requireNonNull(datasetId);
    Objects.requireNonNull(name);
    description = description == null || description.isEmpty() ? null : description;
  }
}
