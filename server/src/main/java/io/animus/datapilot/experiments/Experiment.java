package io.animus.datapilot.experiments;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.Objects;
import java.util.UUID;

/**
 * An experiment as stored and as answered; {@code runCount}/{@code lastRunAt} only in lists,
 * {@code archivedAt} only while archived (docs/protocol.md §3.6).
 */
public record Experiment(UUID experimentId, String projectId, String name, String description,
                         ObjectNode metadata, Instant createdAt, String createdBy, Long runCount,
                         Instant lastRunAt, Instant archivedAt) {
  public Experiment {
    Objects.requireNonNull(experimentId);
    Objects.requireNonNull(name);
    description = description == null || description.isEmpty() ? null : description;
  }

  public Experiment withRunSummary(long count, Instant lastRun) {
    return new Experiment(experimentId, projectId, name, description, metadata, createdAt, createdBy, count,
        lastRun, archivedAt);
  }
}
