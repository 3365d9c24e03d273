package io.animus.datapilot.deletion;

import java.time.Instant;
import java.util.UUID;

/** A requested deletion (docs/protocol.md §3.6); {@code doneAt} once the sweeper has removed everything. */
public record Deletion(UUID deletionId, String kind, UUID targetId, String projectId, String state,
                       Instant requestedAt, String requestedBy, Instant doneAt) {}
