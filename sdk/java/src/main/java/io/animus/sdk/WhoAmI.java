package io.animus.sdk;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The caller's identity (docs/protocol.md §2.2, {@code GET /api/auth/me}).
 *
 * @param subject the subject, such as {@code dev-user}, {@code token:<id>}, {@code admin} or {@code run:<id>}
 * @param role {@code viewer}, {@code editor} or {@code admin}
 * @param auth the kind of credential: {@code dev}, {@code api_token} or {@code run_token}
 * @param runId the run of a run token, else null
 * @param datasetVersionId the dataset version of a run token, else null
 */
public record WhoAmI(String subject, String role, String auth, String runId, String datasetVersionId) {

  /** Reads a whoami answer. */
  static WhoAmI fromJson(JsonNode n) {
    return new WhoAmI(Wire.text(n, "subject"), Wire.text(n, "role"), Wire.text(n, "auth"), Wire.text(n, "run_id"),
        Wire.text(n, "dataset_version_id"));
  }
}
