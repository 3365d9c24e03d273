package io.animus.datapilot.datasets;

import java.util.Collection;
import java.util.List;
import java.util.UUID;
import org.jdbi.v3.core.Handle;

/** The runs that use dataset versions, as the experiments feature keeps them (App plugs it in). */
public interface DatasetVersionUsers {
  /** Up to 10 runs, not deleted, that use one of the versions. */
  List<UUID> using(Handle h, Collection<UUID> versionIds);

  /** Marks every run using one of the versions {@code dataset_version_deleted}. */
  void markDeleted(Handle h, Collection<UUID> versionIds);
}
