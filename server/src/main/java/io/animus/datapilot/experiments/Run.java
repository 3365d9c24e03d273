package io.animus.datapilot.experiments;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;

/**
 * A run as answered: {@code status} is the effective status; {@code endedAt} is the stored
 * value, else the time the run became terminal. Optional fields are null (omitted on the wire):
 * {@code notes} when empty, {@code datasetVersionDeleted} unless true, {@code latestMetrics} unless a
 * list asked for it.
 */
public record Run(UUID runId, String name, UUID experimentId, String projectId, UUID datasetVersionId,
                  Boolean datasetVersionDeleted, String status, Instant startedAt, Instant endedAt, String gitRepo,
                  String gitCommit, String gitRef, ObjectNode params, ObjectNode metrics, ObjectNode tags,
                  String notes, String artifactsPrefix, Instant lastHeartbeatAt, Instant lastSeenAt, boolean stale,
                  String reportedStatus, ObjectNode progress, Map<String, Double> latestMetrics, Instant archivedAt,
                  @JsonIgnore Instant createdAt) {

  /** A new run as a create request describes it (no project yet, nothing reported, not archived). */
  public static Run created(UUID runId, String name, UUID experimentId, UUID datasetVersionId, String status,
                            Instant startedAt, Instant endedAt, Git git, ObjectNode params, ObjectNode metrics,
                            ObjectNode tags, String notes, String artifactsPrefix, Instant createdAt) {
    return new Run(runId, name, experimentId, null, datasetVersionId, null, status, startedAt, endedAt, git.repo(),
        git.commit(), git.ref(), params, metrics, tags, notes, artifactsPrefix, null, null, false, null, null, null,
        null, createdAt);
  }

  /** Where a run's code came from; each part null when unknown. */
  public record Git(String repo, String commit, String ref) {}

  public Run withEndedAt(Instant value) {
    return new Run(runId, name, experimentId, projectId, datasetVersionId, datasetVersionDeleted, status, startedAt,
        value, gitRepo, gitCommit, gitRef, params, metrics, tags, notes, artifactsPrefix, lastHeartbeatAt, lastSeenAt,
        stale, reportedStatus, progress, latestMetrics, archivedAt, createdAt);
  }

  public Run withProject(String value) {
    return new Run(runId, name, experimentId, value, datasetVersionId, datasetVersionDeleted, status, startedAt,
        endedAt, gitRepo, gitCommit, gitRef, params, metrics, tags, notes, artifactsPrefix, lastHeartbeatAt,
        lastSeenAt, stale, reportedStatus, progress, latestMetrics, archivedAt, createdAt);
  }

  public Run withName(String value) {
    return new Run(runId, value, experimentId, projectId, datasetVersionId, datasetVersionDeleted, status, startedAt,
        endedAt, gitRepo, gitCommit, gitRef, params, metrics, tags, notes, artifactsPrefix, lastHeartbeatAt,
        lastSeenAt, stale, reportedStatus, progress, latestMetrics, archivedAt, createdAt);
  }

  public Run withStale(boolean value) {
    return new Run(runId, name, experimentId, projectId, datasetVersionId, datasetVersionDeleted, status, startedAt,
        endedAt, gitRepo, gitCommit, gitRef, params, metrics, tags, notes, artifactsPrefix, lastHeartbeatAt,
        lastSeenAt, value, reportedStatus, progress, latestMetrics, archivedAt, createdAt);
  }

  public Run withLatestMetrics(Map<String, Double> value) {
    return new Run(runId, name, experimentId, projectId, datasetVersionId, datasetVersionDeleted, status, startedAt,
        endedAt, gitRepo, gitCommit, gitRef, params, metrics, tags, notes, artifactsPrefix, lastHeartbeatAt,
        lastSeenAt, stale, reportedStatus, progress, value, archivedAt, createdAt);
  }
}
