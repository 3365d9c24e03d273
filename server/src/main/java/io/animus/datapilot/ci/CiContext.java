package io.animus.datapilot.ci;

import com.fasterxml.jackson.annotation.JsonRawValue;
import java.time.Instant;
import java.util.UUID;

/** CI context attached to a run; {@code payload} is its canonical JSON text. */
public record CiContext(UUID contextId, UUID runId, String provider, @JsonRawValue String payload,
                        String payloadSha256, Instant receivedAt, String receivedBy) {}
