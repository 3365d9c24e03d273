package io.animus.datapilot.execution;

import io.animus.datapilot.artifacts.Artifact;
import java.util.Optional;
import java.util.UUID;
import org.jdbi.v3.core.Handle;

/**
 * Where a kept job log is recorded: as an artifact of its run (docs/protocol.md §8.6). Implemented over
 * the artifacts feature where the server is wired.
 */
public interface JobLogSink {
  /** The blob key a new artifact of the run gets; empty when the run is gone. */
  Optional<String> objectKey(Handle h, UUID runId, String kind, UUID artifactId, String fileName);

  /** Records the artifact whose bytes were stored under its key. */
  void insert(Handle h, Artifact artifact);
}
