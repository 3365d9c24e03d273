package io.animus.datapilot.datasets;

import io.animus.datapilot.common.Clock;
import io.animus.datapilot.common.ProjectScope;
import io.animus.datapilot.kernel.ApiException;
import io.animus.datapilot.kernel.ErrorCode;
import io.animus.datapilot.kernel.Ids;
import io.animus.datapilot.storage.BlobStore;
import io.animus.datapilot.storage.BlobStore.Area;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

/**
 * Archive, restore and delete of datasets and versions (docs/protocol.md §3.6). A delete tombstones
 * (datasets.deleted_at, a dataset_version_tombstones row); {@link #purgeDataset}/{@link #purgeVersion}
 * then remove blobs, evaluations and rows, each step safe to repeat.
 */
public final class DatasetRemovalService {
  private final Jdbi jdbi;
  private final DatasetStore store;
  private final QualityStore quality;
  private final DatasetService datasets;
  private final DatasetVersionUsers users;
  private final BlobStore blobs;
  private final Clock clock;

  public DatasetRemovalService(Jdbi jdbi, DatasetStore store, QualityStore quality, DatasetService datasets,
                               DatasetVersionUsers users, BlobStore blobs, Clock clock) {
    this.jdbi = jdbi;
    this.store = store;
    this.quality = quality;
    this.datasets = datasets;
    this.users = users;
    this.blobs = blobs;
    this.clock = clock;
  }

  /** What a delete tombstoned: the dataset or version and its project. */
  public record Tombstoned(UUID targetId, String projectId) {}

  public Dataset archive(ProjectScope project, String rawId, boolean archive) {
    Dataset dataset = datasets.get(project, rawId);
    Instant at = archive ? clock.now() : null;
    if (!jdbi.inTransaction(h -> store.setArchived(h, dataset.datasetId(), at))) {
      throw ApiException.notFound("dataset");
    }
    return datasets.get(project, rawId);
  }

  /** Tombstones a dataset with its versions in the caller's transaction; 409 when runs use one, unless forced. */
  public Optional<Tombstoned> markDatasetDeleted(Handle h, ProjectScope project, String rawId, boolean force) {
    Optional<Dataset> dataset = Ids.parse(rawId).flatMap(id -> store.find(h, id))
        .filter(d -> project.admits(d.projectId()));
    if (dataset.isEmpty()) {
      return Optional.empty();
    }
    UUID id = dataset.get().datasetId();
    store.lock(h, id);
    checkUse(h, store.storedVersions(h, id, null).stream().map(DatasetStore.StoredVersion::versionId).toList(),
        force);
    return store.markDeleted(h, id, clock.now())
        ? Optional.of(new Tombstoned(id, dataset.get().projectId())) : Optional.empty();
  }

  /** Tombstones a version in the caller's transaction; 409 when runs use it, unless forced. */
  public Optional<Tombstoned> markVersionDeleted(Handle h, ProjectScope project, String rawId, boolean force) {
    Optional<DatasetVersion> version = Ids.parse(rawId).flatMap(id -> store.findVersion(h, id))
        .filter(v -> project.admits(v.projectId()));
    if (version.isEmpty()) {
      return Optional.empty();
    }
    UUID id = version.get().versionId();
    store.lock(h, version.get().datasetId());
    checkUse(h, List.of(id), force);
    return store.markVersionDeleted(h, id, clock.now())
        ? Optional.of(new Tombstoned(id, version.get().projectId())) : Optional.empty();
  }

  private void checkUse(Handle h, List<UUID> versions, boolean force) {
    if (versions.isEmpty()) {
      return;
    }
    if (force) {
      users.markDeleted(h, versions);
      return;
    }
    List<UUID> using = users.using(h, versions);
    if (!using.isEmpty()) {
      throw new ApiException(ErrorCode.DATASET_VERSION_IN_USE, "runs use this dataset version; delete them first "
          + "or pass force=true", Map.of("run_ids", using.stream().map(UUID::toString).toList()));
    }
  }

  /** Datasets archived before the cutoff and not deleted (retention). */
  public List<UUID> archivedBefore(Instant cutoff) {
    return jdbi.withHandle(h -> store.archivedBefore(h, cutoff));
  }

  /** Removes every version of a deleted dataset, then its row; idempotent. */
  public void purgeDataset(UUID datasetId, Runnable betweenSteps) {
    for (DatasetStore.StoredVersion v : jdbi.withHandle(h -> store.storedVersions(h, datasetId, null))) {
      purge(v, betweenSteps);
    }
    jdbi.useTransaction(h -> store.purgeDataset(h, datasetId));
  }

  /** Removes a deleted version: its blob (unless another version keeps the same key), evaluations and row. */
  public void purgeVersion(UUID versionId, Runnable betweenSteps) {
    for (DatasetStore.StoredVersion v : jdbi.withHandle(h -> store.storedVersions(h, null, versionId))) {
      purge(v, betweenSteps);
    }
  }

  private void purge(DatasetStore.StoredVersion v, Runnable betweenSteps) {
    if (!jdbi.withHandle(h -> store.keyShared(h, v.objectKey(), v.versionId()))) {
      blobs.deleteQuietly(Area.DATASETS, v.objectKey());
      if (blobs.size(Area.DATASETS, v.objectKey()).isPresent()) {
        throw new IllegalStateException("the blob store kept " + v.objectKey() + "; the sweeper retries");
      }
    }
    betweenSteps.run();
    jdbi.useTransaction(h -> {
      quality.purgeVersion(h, v.versionId());
      store.purgeVersion(h, v.versionId());
    });
  }
}
