package io.animus.datapilot.auth;

import com.fasterxml.jackson.annotation.JsonIgnore;
import java.time.Instant;
import java.util.UUID;

/** A stored API token; the secret itself is never kept, only its sha256. */
public record ApiToken(UUID tokenId, String name, String role, String tokenPrefix, Instant createdAt,
                       String createdBy, Instant expiresAt, Instant lastUsedAt, @JsonIgnore Instant revokedAt) {}
