package io.animus.datapilot.datasets;

import java.util.Optional;
import java.util.UUID;
import org.jdbi.v3.core.Handle;

/**
 * What other features read of {@code dataset_versions} (which this feature owns): the project of a
 * version, in the caller's transaction. {@code App} implements it over {@link DatasetStore}.
 */
@FunctionalInterface
public interface DatasetVersionLookup {
  /** The project of a dataset version, empty when it does not exist. */
  Optional<String> projectOf(Handle h, UUID versionId);
}
