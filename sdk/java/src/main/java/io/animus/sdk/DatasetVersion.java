package io.animus.sdk;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.Map;

/**
 * An immutable version of a dataset (docs/protocol.md §6.2–6.3).
 *
 * @param versionId the version's id (what runs and jobs call {@code dataset_version_id})
 * @param datasetId its dataset
 * @param projectId its project
 * @param qualityRuleId the quality rule it is checked against, or null
 * @param ordinal 1 for the dataset's first version, then increasing
 * @param contentSha256 the lower-case hex sha256 of the bytes
 * @param objectKey the blob-store key
 * @param sizeBytes the byte count
 * @param metadata its metadata ({@code filename}, {@code content_type}, {@code content_sha256} and the
 *     uploader's keys)
 * @param createdAt when it was uploaded
 * @param createdBy the subject that uploaded it
 * @param raw the JSON object as the server sent it, as plain Java values (maps, lists, strings, numbers,
 *     booleans, nulls)
 */
public record DatasetVersion(String versionId, String datasetId, String projectId, String qualityRuleId,
    long ordinal, String contentSha256, String objectKey, long sizeBytes, Map<String, Object> metadata,
    Instant createdAt, String createdBy, Map<String, Object> raw) {

  /** Reads a version object; unknown fields are ignored. */
  static DatasetVersion fromJson(JsonNode n) {
    return new DatasetVersion(Wire.text(n, "version_id"), Wire.text(n, "dataset_id"), Wire.text(n, "project_id"),
        Wire.text(n, "quality_rule_id"), Wire.longValue(n, "ordinal"), Wire.text(n, "content_sha256"),
        Wire.text(n, "object_key"), Wire.longValue(n, "size_bytes"), Wire.object(n, "metadata"),
        Wire.instant(n, "created_at"), Wire.text(n, "created_by"), Wire.raw(n));
  }
}
