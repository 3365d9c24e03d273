package io.animus.datapilot.experiments;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;

/**
 * A run as answered: {@code status} is the effective status; {@code endedAt} is the stored
 * value, else the time the run became terminal. Optional fields are null (omitted on the wire);
 * {@code latestMetrics} only when a list asked for it.
 */
public record Run(UUID runId, UUID experimentId, String projectId, UUID datasetVersionId, String status,
                  Instant startedAt, Instant endedAt, String gitRepo, String gitCommit, String gitRef,
                  ObjectNode params, ObjectNode metrics, String artifactsPrefix, Instant lastHeartbeatAt,
                  Instant lastSeenAt, boolean stale, String reportedStatus, ObjectNode progress,
                  Map<String, Double> latestMetrics, @JsonIgnore Instant createdAt) {

  public Run withEndedAt(Instant value) {
    return new Run(runId, experimentId, projectId, datasetVersionId, status, startedAt, value, gitRepo, gitCommit,
        gitRef, params, metrics, artifactsPrefix, lastHeartbeatAt, lastSeenAt, stale, reportedStatus, progress,
        latestMetrics, createdAt);
  }

  public Run withProject(String value) {
    return new Run(runId, experimentId, value, datasetVersionId, status, startedAt, endedAt, gitRepo, gitCommit,
        gitRef, params, metrics, artifactsPrefix, lastHeartbeatAt, lastSeenAt, stale, reportedStatus, progress,
        latestMetrics, createdAt);
  }

  public Run withStale(boolean value) {
    return new Run(runId, experimentId, projectId, datasetVersionId, status, startedAt, endedAt, gitRepo, gitCommit,
        gitRef, params, metrics, artifactsPrefix, lastHeartbeatAt, lastSeenAt, value, reportedStatus, progress,
        latestMetrics, createdAt);
  }

  public Run withLatestMetrics(Map<String, Double> value) {
    return new Run(runId, experimentId, projectId, datasetVersionId, status, startedAt, endedAt, gitRepo, gitCommit,
        gitRef, params, metrics, artifactsPrefix, lastHeartbeatAt, lastSeenAt, stale, reportedStatus, progress,
        value, createdAt);
  }
}
