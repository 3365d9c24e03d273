package io.animus.sdk;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.Map;

/**
 * An experiment (docs/protocol.md §3.1).
 *
 * @param experimentId the experiment's id
 * @param projectId its project
 * @param name its name, unique in the project
 * @param description its description, {@code ""} when none
 * @param metadata its metadata, secrets redacted by the server; empty when none
 * @param createdAt when it was created
 * @param createdBy the subject that created it
 * @param runCount the number of runs, given by list answers only (else null)
 * @param lastRunAt the newest run's start, given by list answers only (else null)
 * @param archivedAt when it was archived, or null when it is not (docs/protocol.md §3.6)
 * @param raw the JSON object as the server sent it, as plain Java values (maps, lists, strings, numbers,
 *     booleans, nulls)
 */
public record Experiment(String experimentId, String projectId, String name, String description,
    Map<String, Object> metadata, Instant createdAt, String createdBy, Long runCount, Instant lastRunAt,
    Instant archivedAt, Map<String, Object> raw) {

  /** Reads an experiment object; unknown fields are ignored. */
  static Experiment fromJson(JsonNode n) {
    return new Experiment(Wire.text(n, "experiment_id"), Wire.text(n, "project_id"), Wire.text(n, "name"),
        Wire.textOrEmpty(n, "description"), Wire.object(n, "metadata"), Wire.instant(n, "created_at"),
        Wire.text(n, "created_by"), Wire.optLong(n, "run_count"), Wire.instant(n, "last_run_at"),
        Wire.instant(n, "archived_at"), Wire.raw(n));
  }
}
