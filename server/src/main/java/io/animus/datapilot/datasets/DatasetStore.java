package io.animus.datapilot.datasets;

import io.animus.datapilot.common.ProjectTally;
import io.animus.datapilot.kernel.Json;
import io.animus.datapilot.storage.Purge;
import io.animus.datapilot.storage.Rows;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.jdbi.v3.core.Handle;

/** Rows of {@code datasets} and {@code dataset_versions}; no rules here. */
public final class DatasetStore {
  private static final String VERSION_COLUMNS = "version_id, dataset_id, project_id, quality_rule_id, ordinal, "
      + "content_sha256, object_key, size_bytes, metadata, created_at, created_by";
  /** A version is live while neither it nor its dataset is deleted. */
  private static final String LIVE = " AND NOT EXISTS (SELECT 1 FROM dataset_version_tombstones t"
      + " WHERE t.version_id = dataset_versions.version_id) AND EXISTS (SELECT 1 FROM datasets d"
      + " WHERE d.dataset_id = dataset_versions.dataset_id AND d.deleted_at IS NULL)";

  /** Inserts unless the name is taken in the project; empty means a name conflict. */
  public Optional<Dataset> insert(Handle h, Dataset d) {
    return h.createQuery("""
            INSERT INTO datasets (dataset_id, project_id, name, description, metadata, created_at, created_by)
            VALUES (:id, :project, :name, :description, CAST(:metadata AS json), :created_at, :created_by)
            ON CONFLICT (project_id, name) WHERE deleted_at IS NULL DO NOTHING
            RETURNING dataset_id, project_id, name, description, metadata, created_at, created_by, archived_at
            """)
        .bind("id", d.datasetId())
        .bind("project", d.projectId())
        .bind("name", d.name())
        .bind("description", d.description() == null ? "" : d.description())
        .bind("metadata", Json.writeString(d.metadata()))
        .bind("created_at", Rows.timestamp(d.createdAt()))
        .bind("created_by", d.createdBy())
        .map((rs, ctx) -> dataset(rs))
        .findOne();
  }

  public Optional<Dataset> find(Handle h, UUID id) {
    return h.createQuery("""
            SELECT dataset_id, project_id, name, description, metadata, created_at, created_by, archived_at
            FROM datasets WHERE dataset_id = :id AND deleted_at IS NULL
            """)
        .bind("id", id)
        .map((rs, ctx) -> dataset(rs))
        .findOne();
  }

  /** Locks the dataset row so that versions of one dataset get their ordinals one at a time. */
  public void lock(Handle h, UUID id) {
    h.createQuery("SELECT dataset_id FROM datasets WHERE dataset_id = :id FOR UPDATE")
        .bind("id", id)
        .mapTo(UUID.class)
        .one();
  }

  public Optional<UUID> findIdByName(Handle h, String project, String name) {
    return h.createQuery("SELECT dataset_id FROM datasets WHERE project_id = :project AND name = :name AND deleted_at IS NULL")
        .bind("project", project)
        .bind("name", name)
        .mapTo(UUID.class)
        .findOne();
  }

  public List<Dataset> list(Handle h, String project, boolean includeArchived, Instant afterCreated, UUID afterId,
                            int limit) {
    return h.createQuery("""
            SELECT dataset_id, project_id, name, description, metadata, created_at, created_by, archived_at
            FROM datasets
            WHERE project_id = :project AND deleted_at IS NULL AND (:include_archived OR archived_at IS NULL)
              AND (CAST(:after_id AS uuid) IS NULL
                   OR (created_at, dataset_id) < (CAST(:after_created AS timestamptz), CAST(:after_id AS uuid)))
            ORDER BY created_at DESC, dataset_id DESC
            LIMIT :limit
            """)
        .bind("project", project)
        .bind("include_archived", includeArchived)
        .bind("after_created", Rows.timestamp(afterCreated))
        .bind("after_id", afterId)
        .bind("limit", limit)
        .map((rs, ctx) -> dataset(rs))
        .list();
  }

  public int maxOrdinal(Handle h, UUID datasetId) {
    return h.createQuery("SELECT coalesce(max(ordinal), 0) FROM dataset_versions WHERE dataset_id = :id")
        .bind("id", datasetId)
        .mapTo(Integer.class)
        .one();
  }

  public Optional<UUID> findVersionByContent(Handle h, UUID datasetId, String sha256) {
    return h.createQuery("""
            SELECT version_id FROM dataset_versions WHERE dataset_id = :id AND content_sha256 = :sha
            """)
        .bind("id", datasetId)
        .bind("sha", sha256)
        .mapTo(UUID.class)
        .findOne();
  }

  public void insertVersion(Handle h, DatasetVersion v) {
    h.createUpdate("""
            INSERT INTO dataset_versions (version_id, dataset_id, project_id, quality_rule_id, ordinal,
                                          content_sha256, object_key, size_bytes, metadata, created_at, created_by)
            VALUES (:id, :dataset_id, :project, :rule, :ordinal, :sha, :object_key, :size, CAST(:metadata AS json),
                    :created_at, :created_by)
            """)
        .bind("id", v.versionId())
        .bind("dataset_id", v.datasetId())
        .bind("project", v.projectId())
        .bind("rule", v.qualityRuleId())
        .bind("ordinal", v.ordinal())
        .bind("sha", v.contentSha256())
        .bind("object_key", v.objectKey())
        .bind("size", v.sizeBytes())
        .bind("metadata", Json.writeString(v.metadata()))
        .bind("created_at", Rows.timestamp(v.createdAt()))
        .bind("created_by", v.createdBy())
        .execute();
  }

  public Optional<DatasetVersion> findVersion(Handle h, UUID versionId) {
    return h.createQuery("SELECT " + VERSION_COLUMNS + " FROM dataset_versions WHERE version_id = :id" + LIVE)
        .bind("id", versionId)
        .map((rs, ctx) -> version(rs))
        .findOne();
  }

  public List<DatasetVersion> listVersions(Handle h, UUID datasetId, Instant afterCreated, UUID afterId,
                                           int limit) {
    return h.createQuery("""
            SELECT version_id, dataset_id, project_id, quality_rule_id, ordinal, content_sha256, object_key,
                   size_bytes, metadata, created_at, created_by
            FROM dataset_versions
            WHERE dataset_id = :dataset_id
              AND NOT EXISTS (SELECT 1 FROM dataset_version_tombstones t WHERE t.version_id = dataset_versions.version_id)
              AND (CAST(:after_id AS uuid) IS NULL
                   OR (created_at, version_id) < (CAST(:after_created AS timestamptz), CAST(:after_id AS uuid)))
            ORDER BY created_at DESC, version_id DESC
            LIMIT :limit
            """)
        .bind("dataset_id", datasetId)
        .bind("after_created", Rows.timestamp(afterCreated))
        .bind("after_id", afterId)
        .bind("limit", limit)
        .map((rs, ctx) -> version(rs))
        .list();
  }

  /** Per project: its dataset count and newest dataset creation, for the project listing. */
  public List<ProjectTally> tallyPerProject(Handle h) {
    return h.createQuery("""
            SELECT project_id, count(*) AS dataset_count, max(created_at) AS last_activity_at
            FROM datasets WHERE deleted_at IS NULL GROUP BY project_id
            """)
        .map((rs, ctx) -> new ProjectTally(rs.getString("project_id"), rs.getLong("dataset_count"),
            Rows.instant(rs, "last_activity_at")))
        .list();
  }

  /** Sets (keeping an earlier one) or clears archived_at of a live dataset; false when there is none. */
  public boolean setArchived(Handle h, UUID id, Instant archivedAt) {
    return h.createUpdate("""
            UPDATE datasets SET archived_at = CASE WHEN CAST(:at AS timestamptz) IS NULL THEN NULL
                                                   ELSE COALESCE(archived_at, CAST(:at AS timestamptz)) END
            WHERE dataset_id = :id AND deleted_at IS NULL
            """)
        .bind("id", id)
        .bind("at", Rows.timestamp(archivedAt))
        .execute() == 1;
  }

  /** Tombstones a live dataset (its name is free from now on); false when there is none. */
  public boolean markDeleted(Handle h, UUID id, Instant now) {
    return h.createUpdate("UPDATE datasets SET deleted_at = :now WHERE dataset_id = :id AND deleted_at IS NULL")
        .bind("id", id)
        .bind("now", Rows.timestamp(now))
        .execute() == 1;
  }

  /** Tombstones a live version; false when it is already deleted. */
  public boolean markVersionDeleted(Handle h, UUID versionId, Instant now) {
    return h.createUpdate("""
            INSERT INTO dataset_version_tombstones (version_id, deleted_at) VALUES (:id, :now)
            ON CONFLICT (version_id) DO NOTHING
            """)
        .bind("id", versionId)
        .bind("now", Rows.timestamp(now))
        .execute() == 1;
  }

  /** A version's id and object key, deleted or not. */
  public record StoredVersion(UUID versionId, String objectKey) {}

  /** The versions of a dataset ({@code datasetId}) or the one version {@code versionId}, tombstoned or not. */
  public List<StoredVersion> storedVersions(Handle h, UUID datasetId, UUID versionId) {
    return h.createQuery("""
            SELECT version_id, object_key FROM dataset_versions
            WHERE dataset_id = CAST(:dataset_id AS uuid) OR version_id = CAST(:version_id AS uuid)
            """)
        .bind("dataset_id", datasetId)
        .bind("version_id", versionId)
        .map((rs, ctx) -> new StoredVersion(rs.getObject("version_id", UUID.class), rs.getString("object_key")))
        .list();
  }

  /** Whether another version than {@code versionId} keeps its bytes under {@code objectKey}. */
  public boolean keyShared(Handle h, String objectKey, UUID versionId) {
    return h.createQuery("SELECT count(*) FROM dataset_versions WHERE object_key = :key AND version_id <> :id")
        .bind("key", objectKey)
        .bind("id", versionId)
        .mapTo(Long.class)
        .one() > 0;
  }

  /** Live datasets archived before the cutoff (for retention), at most 100. */
  public List<UUID> archivedBefore(Handle h, Instant cutoff) {
    return h.createQuery("SELECT dataset_id FROM datasets WHERE deleted_at IS NULL AND archived_at < :cutoff LIMIT 100")
        .bind("cutoff", Rows.timestamp(cutoff))
        .mapTo(UUID.class)
        .list();
  }

  /** Removes a version row (its tombstone goes by cascade); the caller removed its evaluations. */
  public void purgeVersion(Handle h, UUID versionId) {
    Purge.allowDeletes(h);
    h.createUpdate("DELETE FROM dataset_versions WHERE version_id = :id").bind("id", versionId).execute();
  }

  /** Removes a tombstoned dataset's row, once its versions are gone. */
  public void purgeDataset(Handle h, UUID datasetId) {
    h.createUpdate("DELETE FROM datasets WHERE dataset_id = :id AND deleted_at IS NOT NULL")
        .bind("id", datasetId)
        .execute();
  }

  private static Dataset dataset(ResultSet rs) throws SQLException {
    return new Dataset(rs.getObject("dataset_id", UUID.class), rs.getString("project_id"), rs.getString("name"),
        rs.getString("description"), Json.readObject(rs.getString("metadata")), Rows.instant(rs, "created_at"),
        rs.getString("created_by"), Rows.instant(rs, "archived_at"));
  }

  private static DatasetVersion version(ResultSet rs) throws SQLException {
    return new DatasetVersion(rs.getObject("version_id", UUID.class), rs.getObject("dataset_id", UUID.class),
        rs.getString("project_id"), rs.getString("quality_rule_id"), rs.getInt("ordinal"),
        rs.getString("content_sha256"), rs.getString("object_key"), rs.getLong("size_bytes"),
        Json.readObject(rs.getString("metadata")), Rows.instant(rs, "created_at"), rs.getString("created_by"));
  }
}
