package io.animus.sdk;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.Map;
import java.util.OptionalDouble;

/**
 * A run (docs/protocol.md §3.2–3.3, §4.4) with its effective status.
 *
 * @param runId the run's id
 * @param experimentId its experiment
 * @param projectId its project
 * @param datasetVersionId the dataset version it used, or null
 * @param status the effective status: {@code pending}, {@code running}, {@code succeeded}, {@code failed} or
 *     {@code canceled}
 * @param startedAt when it started
 * @param endedAt when it ended, or null
 * @param gitRepo the repository ({@code host/path}), or null
 * @param gitCommit the commit, or null
 * @param gitRef the ref, or null
 * @param params the hyper-parameters as given, empty when none
 * @param metrics the summary metrics given at creation, empty when none (time series are read with
 *     {@link ExperimentsClient#listMetrics} and {@link ExperimentsClient#getMetricSeries})
 * @param latestMetrics the highest-step value of each metric name, when listed with latest metrics (else empty);
 *     NaN and infinities included
 * @param artifactsPrefix the object-key prefix of its artifacts, or null
 * @param lastHeartbeatAt the newest heartbeat, or null
 * @param lastSeenAt the newest heartbeat, metric or event, or null
 * @param stale true when the run is running but nothing was seen for the server's stale interval
 * @param reportedStatus the status the training program last reported with an event, or null
 * @param progress the newest progress report, or null
 * @param name the run's name, unique in its experiment (docs/protocol.md §3.4)
 * @param tags its tags, empty when none
 * @param notes its notes (markdown), or null when empty
 * @param archivedAt when it was archived, or null when it is not (§3.6)
 * @param raw the JSON object as the server sent it, as plain Java values (maps, lists, strings, numbers,
 *     booleans, nulls)
 */
public record Run(String runId, String experimentId, String projectId, String datasetVersionId, String status,
    Instant startedAt, Instant endedAt, String gitRepo, String gitCommit, String gitRef, Map<String, Object> params,
    Map<String, Object> metrics, Map<String, Double> latestMetrics, String artifactsPrefix, Instant lastHeartbeatAt,
    Instant lastSeenAt, boolean stale, String reportedStatus, RunProgress progress, String name,
    Map<String, String> tags, String notes, Instant archivedAt, Map<String, Object> raw) {

  /** Reads a run object; unknown fields are ignored. */
  static Run fromJson(JsonNode n) {
    return new Run(Wire.text(n, "run_id"), Wire.text(n, "experiment_id"), Wire.text(n, "project_id"),
        Wire.text(n, "dataset_version_id"), Wire.text(n, "status"), Wire.instant(n, "started_at"),
        Wire.instant(n, "ended_at"), Wire.text(n, "git_repo"), Wire.text(n, "git_commit"), Wire.text(n, "git_ref"),
        Wire.object(n, "params"), Wire.object(n, "metrics"), Wire.metricMap(n, "latest_metrics"),
        Wire.text(n, "artifacts_prefix"), Wire.instant(n, "last_heartbeat_at"), Wire.instant(n, "last_seen_at"),
        Wire.bool(n, "stale"), Wire.text(n, "reported_status"), RunProgress.fromJson(n == null ? null
            : n.get("progress")), Wire.text(n, "name"), Wire.strings(n, "tags"), Wire.text(n, "notes"),
        Wire.instant(n, "archived_at"), Wire.raw(n));
  }

  /**
   * A summary metric (given at creation or set by {@link RunsClient#updateRun}) as a double ({@code "NaN"},
   * {@code "Infinity"} and {@code "-Infinity"} included), or empty when the run has no such metric or its value is not a number.
   */
  public OptionalDouble summaryMetric(String name) {
    Object v = raw != null && raw.get("metrics") instanceof Map<?, ?> m ? m.get(name) : null;
    if (!(v instanceof Number || v instanceof String)) {
      return OptionalDouble.empty();
    }
    try {
      return OptionalDouble.of(Json.number(v));
    } catch (NumberFormatException e) {
      return OptionalDouble.empty();
    }
  }

  /** True while the run is archived: hidden from lists unless they include archived runs. */
  public boolean archived() {
    return archivedAt != null;
  }

  /** True for {@code succeeded}, {@code failed} and {@code canceled}: the run will not change any more. */
  public boolean terminal() {
    return "succeeded".equals(status) || "failed".equals(status) || "canceled".equals(status);
  }
}
