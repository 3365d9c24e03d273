package io.animus.sdk;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.Map;

/**
 * A dataset of the registry (docs/protocol.md §6.1); its bytes live in immutable {@link DatasetVersion}s.
 *
 * @param datasetId the dataset's id
 * @param projectId its project
 * @param name its name, unique in the project
 * @param description its description, {@code ""} when none
 * @param metadata its metadata, secrets redacted; empty when none
 * @param createdAt when it was created
 * @param createdBy the subject that created it
 * @param archivedAt when it was archived, or null when it is not (docs/protocol.md §3.6)
 * @param raw the JSON object as the server sent it, as plain Java values (maps, lists, strings, numbers,
 *     booleans, nulls)
 */
public record Dataset(String datasetId, String projectId, String name, String description,
    Map<String, Object> metadata, Instant createdAt, String createdBy, Instant archivedAt,
    Map<String, Object> raw) {

  /** Reads a dataset object; unknown fields are ignored. */
  static Dataset fromJson(JsonNode n) {
    return new Dataset(Wire.text(n, "dataset_id"), Wire.text(n, "project_id"), Wire.text(n, "name"),
        Wire.textOrEmpty(n, "description"), Wire.object(n, "metadata"), Wire.instant(n, "created_at"),
        Wire.text(n, "created_by"), Wire.instant(n, "archived_at"), Wire.raw(n));
  }
}
