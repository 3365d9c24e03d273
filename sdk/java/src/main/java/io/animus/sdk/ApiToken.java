package io.animus.sdk;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;

/**
 * An API token's description (docs/protocol.md §2.2); the secret itself is only in {@link CreatedApiToken}.
 *
 * @param tokenId the token's id (its subject is {@code token:<tokenId>})
 * @param name its name
 * @param role {@code viewer}, {@code editor} or {@code admin}
 * @param tokenPrefix the first characters of the secret, such as {@code dp_AbCd}
 * @param createdAt when it was created
 * @param createdBy the subject that created it
 * @param expiresAt when it expires, or null
 * @param lastUsedAt when it was last used, or null
 */
public record ApiToken(String tokenId, String name, String role, String tokenPrefix, Instant createdAt,
    String createdBy, Instant expiresAt, Instant lastUsedAt) {

  /** Reads a token object; unknown fields (and the secret) are ignored. */
  static ApiToken fromJson(JsonNode n) {
    return new ApiToken(Wire.text(n, "token_id"), Wire.text(n, "name"), Wire.text(n, "role"),
        Wire.text(n, "token_prefix"), Wire.instant(n, "created_at"), Wire.text(n, "created_by"),
        Wire.instant(n, "expires_at"), Wire.instant(n, "last_used_at"));
  }
}
