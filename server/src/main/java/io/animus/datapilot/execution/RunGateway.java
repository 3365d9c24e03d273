package io.animus.datapilot.execution;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;
import org.jdbi.v3.core.Handle;

/**
 * What execution needs from the experiments feature, and nothing more: the projects a request's
 * experiment and dataset version belong to, the pending run it creates and a run's current status.
 * Implemented where the server is wired, over the experiments feature's own store; every method
 * runs in the caller's transaction.
 */
public interface RunGateway {
  /** The project of the experiment; empty when there is no such experiment. */
  Optional<String> experimentProject(Handle h, UUID experimentId);

  /** The project of the dataset version; empty when there is no such version. */
  Optional<String> datasetVersionProject(Handle h, UUID versionId);

  /** Inserts the run as {@code pending} with its first state; false when its experiment is gone. */
  boolean insertPending(Handle h, PendingRun run);

  /** The run's current status on the wire; empty when there is no such run. */
  Optional<String> currentStatus(Handle h, UUID runId);

  /** A run that {@code runs:execute} creates (docs/protocol.md §8.2); {@code details} go into its first state. */
  record PendingRun(UUID runId, UUID experimentId, UUID datasetVersionId, String gitRepo, String gitCommit,
                    String gitRef, ObjectNode params, Instant at, ObjectNode details) {}
}
