package io.animus.sdk;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.Map;

/**
 * A deletion (docs/protocol.md §3.6): what {@code DELETE} of a run, experiment, dataset or dataset version answers
 * (202), and what {@link RunsClient#getDeletion} reads later. From the first answer on the thing is gone for every
 * reader; the space is freed in the background until {@code state} is {@code done}.
 *
 * @param deletionId the deletion's id
 * @param kind what is deleted: {@code run}, {@code experiment}, {@code dataset} or {@code dataset_version}
 * @param targetId the id of the deleted thing
 * @param state {@code pending} or {@code done}
 * @param requestedAt when it was asked for, or null (the 202 answer leaves it out)
 * @param doneAt when the space was freed, or null while pending
 * @param raw the JSON object as the server sent it, as plain Java values
 */
public record Deletion(String deletionId, String kind, String targetId, String state, Instant requestedAt,
    Instant doneAt, Map<String, Object> raw) {

  /** Reads a deletion object; unknown fields are ignored. */
  static Deletion fromJson(JsonNode n) {
    return new Deletion(Wire.text(n, "deletion_id"), Wire.text(n, "kind"), Wire.text(n, "target_id"),
        Wire.text(n, "state"), Wire.instant(n, "requested_at"), Wire.instant(n, "done_at"), Wire.raw(n));
  }

  /** True once the background sweep has removed everything. */
  public boolean done() {
    return "done".equals(state);
  }
}
