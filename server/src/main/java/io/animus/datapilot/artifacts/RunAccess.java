package io.animus.datapilot.artifacts;

import java.util.Optional;
import java.util.UUID;
import org.jdbi.v3.core.Handle;

/**
 * What artifacts need to know about a run. Runs belong to the experiments feature, which answers
 * this (wired in {@code App}); artifacts never read the {@code runs} table themselves.
 */
@FunctionalInterface
public interface RunAccess {
  /** A run's identity, project and the object-key prefix its artifacts go under (null: the default). */
  record RunRef(UUID runId, UUID experimentId, String projectId, String artifactsPrefix) {}

  /** The run, if it exists, read inside the caller's transaction. */
  Optional<RunRef> find(Handle h, UUID runId);
}
