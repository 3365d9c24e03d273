package io.animus.sdk;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.Map;

/**
 * One stored metric sample (docs/protocol.md §4.1), as listed by {@link ExperimentsClient#listMetrics} or pushed in a
 * live stream's {@code metrics} frame (which carries only name, step, value and time).
 *
 * @param sampleId the sample's id, or null in stream frames
 * @param runId its run, or null in stream frames
 * @param name the metric name
 * @param step the step
 * @param value the value; NaN and infinities are read back as doubles
 * @param recordedAt when it was recorded
 * @param recordedBy the subject that wrote it, or null in stream frames
 * @param metadata its metadata, empty when none
 */
public record MetricPoint(String sampleId, String runId, String name, long step, double value, Instant recordedAt,
    String recordedBy, Map<String, Object> metadata) {

  /** Reads a sample object; unknown fields are ignored. */
  static MetricPoint fromJson(JsonNode n) {
    return new MetricPoint(Wire.text(n, "sample_id"), Wire.text(n, "run_id"), Wire.text(n, "name"),
        Wire.longValue(n, "step"), Wire.metric(n, "value"), Wire.instant(n, "recorded_at"),
        Wire.text(n, "recorded_by"), Wire.object(n, "metadata"));
  }
}
