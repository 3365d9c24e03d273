package io.animus.datapilot.telemetry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.animus.datapilot.http.JsonBody;
import io.animus.datapilot.kernel.ApiException;
import io.animus.datapilot.kernel.ErrorCode;
import io.animus.datapilot.kernel.Times;
import java.time.Instant;
import java.util.Map;
import java.util.Set;

/**
 * Reads the bodies of the two metric writes (docs/protocol.md §4.1) into a {@link MetricBatch} for
 * {@link MetricResource}; every error is answered here, before the run is looked up.
 */
final class MetricBodies {
  private static final Set<String> BATCH_FIELDS = Set.of("points");
  private static final Set<String> POINT_FIELDS = Set.of("step", "name", "value", "timestamp");

  private MetricBodies() {}

  /**
   * A {@code metrics:batch} body: the common valid shape is read in one streaming pass; anything
   * else takes the general path, which answers every error as the protocol says.
   */
  static MetricBatch batch(byte[] body) {
    MetricBatch batch = FastBatchParser.parse(body);
    return batch != null ? batch : readPoints(JsonBody.of(body, BATCH_FIELDS).raw().get("points"));
  }

  /** The published SDK's shape: one step, many names ({@code metrics}: an object of name: number). */
  static MetricBatch step(long step, JsonNode metrics) {
    if (!(metrics instanceof ObjectNode object) || object.isEmpty()) {
      throw new ApiException(ErrorCode.METRICS_REQUIRED, "metrics must be a non-empty object of name: number");
    }
    MetricBatch points = new MetricBatch(object.size());
    for (Map.Entry<String, JsonNode> e : object.properties()) {
      String name = MetricInput.name(e.getKey(), null);
      points.add(name, step, MetricInput.value(e.getValue(), name, null), MetricBatch.UNSET);
    }
    return points;
  }

  /**
   * The general reading of a batch's {@code points} (our SDKs' shape): one bad point rejects the
   * request, naming its index.
   */
  static MetricBatch readPoints(JsonNode pointsNode) {
    if (pointsNode == null || !pointsNode.isArray()) {
      throw new ApiException(ErrorCode.INVALID_JSON, "field \"points\" must be an array");
    }
    if (pointsNode.isEmpty()) {
      throw new ApiException(ErrorCode.METRICS_REQUIRED, "points must hold at least one point");
    }
    if (pointsNode.size() > MetricService.MAX_BATCH_POINTS) {
      throw new ApiException(ErrorCode.TOO_MANY_ITEMS, "a batch holds at most " + MetricService.MAX_BATCH_POINTS
          + " points", Map.of("max_items", MetricService.MAX_BATCH_POINTS));
    }
    MetricBatch points = new MetricBatch(pointsNode.size());
    for (int i = 0; i < pointsNode.size(); i++) {
      MetricPoint p = point(pointsNode.get(i), i);
      points.add(p.name(), p.step(), p.value(),
          p.recordedAt() == null ? MetricBatch.UNSET : MetricBatch.micros(p.recordedAt()));
    }
    return points;
  }

  private static MetricPoint point(JsonNode node, int index) {
    if (!(node instanceof ObjectNode p)) {
      throw MetricInput.error(ErrorCode.INVALID_JSON, "each point must be an object", index);
    }
    p.fieldNames().forEachRemaining(f -> {
      if (!POINT_FIELDS.contains(f)) {
        throw MetricInput.error(ErrorCode.INVALID_JSON, "unknown field \"" + f + "\"", index);
      }
    });
    JsonNode nameNode = p.get("name");
    if (nameNode != null && !nameNode.isNull() && !nameNode.isTextual()) {
      throw MetricInput.error(ErrorCode.INVALID_METRIC_NAME, "name must be a string", index);
    }
    String name = MetricInput.name(nameNode == null || nameNode.isNull() ? null : nameNode.textValue(), index);
    long step = MetricInput.step(p.get("step"), index);
    double value = MetricInput.value(p.get("value"), name, index);
    Instant at = null;
    JsonNode ts = p.get("timestamp");
    if (ts != null && !ts.isNull()) {
      if (!ts.isTextual()) {
        throw MetricInput.error(ErrorCode.INVALID_TIMESTAMP, "timestamp must be an RFC 3339 string", index);
      }
      try {
        at = Times.parse("timestamp", ts.textValue());
      } catch (ApiException e) {
        throw MetricInput.error(ErrorCode.INVALID_TIMESTAMP, e.getMessage(), index);
      }
    }
    return new MetricPoint(name, step, value, at);
  }
}
