package io.animus.datapilot.experiments;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.UUID;

/** One entry of a run's append-only state history (docs/protocol.md §4.5). */
public record RunStatusChange(UUID stateId, UUID runId, String status, Instant observedAt, ObjectNode details) {}
