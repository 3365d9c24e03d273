package io.animus.sdk;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.Map;

/**
 * A run artifact (docs/protocol.md §5.1–5.2): an immutable file attached to a run.
 *
 * @param artifactId the artifact's id
 * @param runId its run
 * @param kind {@code model}, {@code preview}, {@code log} or {@code file}
 * @param name its name, or null
 * @param filename the stored file name
 * @param contentType the stored content type
 * @param objectKey the blob-store key
 * @param sha256 the lower-case hex sha256 of the bytes
 * @param sizeBytes the byte count
 * @param metadata its metadata, secrets redacted; empty when none
 * @param createdAt when it was uploaded
 * @param createdBy the subject that uploaded it
 * @param raw the JSON object as the server sent it, as plain Java values (maps, lists, strings, numbers,
 *     booleans, nulls)
 */
public record Artifact(String artifactId, String runId, String kind, String name, String filename,
    String contentType, String objectKey, String sha256, long sizeBytes, Map<String, Object> metadata,
    Instant createdAt, String createdBy, Map<String, Object> raw) {

  /** Reads an artifact object, bare or wrapped as {@code {"artifact":{...}}}; unknown fields are ignored. */
  static Artifact fromJson(JsonNode n) {
    if (n != null && n.has("artifact") && n.get("artifact").isObject()) {
      n = n.get("artifact");
    }
    return new Artifact(Wire.text(n, "artifact_id"), Wire.text(n, "run_id"), Wire.text(n, "kind"),
        Wire.text(n, "name"), Wire.text(n, "filename"), Wire.text(n, "content_type"), Wire.text(n, "object_key"),
        Wire.text(n, "sha256"), Wire.longValue(n, "size_bytes"), Wire.object(n, "metadata"),
        Wire.instant(n, "created_at"), Wire.text(n, "created_by"), Wire.raw(n));
  }
}
