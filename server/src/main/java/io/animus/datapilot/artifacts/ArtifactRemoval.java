package io.animus.datapilot.artifacts;

import io.animus.datapilot.storage.BlobStore;
import io.animus.datapilot.storage.BlobStore.Area;
import java.util.List;
import java.util.UUID;
import org.jdbi.v3.core.Jdbi;

/**
 * Removes a deleted run's artifacts (docs/protocol.md §3.6): first the blobs (a key another run's
 * artifact also names is kept), then the rows. A crash in between leaves rows whose blobs are gone;
 * the sweeper repeats the whole step, and deleting a missing blob is fine.
 */
public final class ArtifactRemoval {
  private final Jdbi jdbi;
  private final ArtifactStore store;
  private final BlobStore blobs;

  public ArtifactRemoval(Jdbi jdbi, ArtifactStore store, BlobStore blobs) {
    this.jdbi = jdbi;
    this.store = store;
    this.blobs = blobs;
  }

  /** Deletes the run's artifact blobs, calls {@code betweenSteps}, then deletes the rows; idempotent. */
  public void purgeRun(UUID runId, Runnable betweenSteps) {
    List<String> keys = jdbi.withHandle(h -> store.objectKeys(h, runId));
    for (String key : keys) {
      if (!jdbi.withHandle(h -> store.keyShared(h, key, runId))) {
        blobs.deleteQuietly(Area.ARTIFACTS, key);
        if (blobs.size(Area.ARTIFACTS, key).isPresent()) {
          throw new IllegalStateException("the blob store kept " + key + "; the sweeper retries");
        }
      }
    }
    betweenSteps.run();
    jdbi.useTransaction(h -> store.purgeRun(h, runId));
  }
}
