package io.animus.datapilot.experiments;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.UUID;

/**
 * A run as answered: {@code status} is the effective status; {@code endedAt} is the stored
 * value, else the time the run became terminal. Optional fields are null (omitted on the wire).
 */
public record Run(UUID runId, UUID experimentId, String projectId, UUID datasetVersionId, String status,
                  Instant startedAt, Instant endedAt, String gitRepo, String gitCommit, String gitRef,
                  ObjectNode params, ObjectNode metrics, String artifactsPrefix, Instant lastHeartbeatAt,
                  Instant lastSeenAt, boolean stale, @JsonIgnore Instant createdAt) {}
