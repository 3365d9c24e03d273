package io.animus.datapilot.common;

import java.time.Instant;
import java.util.Objects;

/**
 * What a feature holds in one project, for the project listing: how many of its top-level rows
 * (experiments, datasets) and the newest creation time of anything it owns there (null when none).
 */
public record ProjectTally(String projectId, long count, Instant lastActivityAt) {
  public ProjectTally {
    Objects.requireNonNull(projectId, "projectId");
    if (count < 0) {
      throw new IllegalArgumentException("count must not be negative");
    }
  }
}
