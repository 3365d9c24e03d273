package io.animus.datapilot.telemetry;

import com.fasterxml.jackson.databind.JsonNode;
import io.animus.datapilot.kernel.ApiException;
import io.animus.datapilot.kernel.ErrorCode;
import java.math.BigDecimal;
import java.util.Map;

/** Validation of metric steps, names and values (docs/protocol.md §4.1); {@code index} names a batch point. */
final class MetricInput {
  private MetricInput() {}

  static long step(JsonNode node, Integer index) {
    if (node == null || node.isNull()) {
      return 0;
    }
    if (node.isNumber() && !Double.isNaN(node.doubleValue()) && !Double.isInfinite(node.doubleValue())) {
      BigDecimal value = node.decimalValue();
      if (value.signum() >= 0 && value.stripTrailingZeros().scale() <= 0
          && value.compareTo(BigDecimal.valueOf(Long.MAX_VALUE)) <= 0) {
        return value.longValueExact();
      }
    }
    throw error(ErrorCode.INVALID_STEP, "step must be an integer >= 0", index);
  }

  static String name(String raw, Integer index) {
    String name = raw == null ? "" : raw.trim();
    if (name.isEmpty() || name.codePointCount(0, name.length()) > 255) {
      throw error(ErrorCode.INVALID_METRIC_NAME, "metric names must be 1-255 characters", index);
    }
    return name;
  }

  /** A JSON number; the literals NaN, Infinity and -Infinity are accepted as such. */
  static double value(JsonNode node, String name, Integer index) {
    if (node == null || !node.isNumber()) {
      throw error(ErrorCode.INVALID_METRIC_VALUE, "metric " + quoted(name) + " must be a number", index);
    }
    double value = node.doubleValue();
    boolean literal = node.isDouble() && (Double.isNaN(value) || Double.isInfinite(value));
    if (Double.isInfinite(value) && !literal) {
      throw error(ErrorCode.INVALID_METRIC_VALUE, "metric " + quoted(name) + " is out of range", index);
    }
    return value;
  }

  private static String quoted(String name) {
    return "\"" + name + "\"";
  }

  static ApiException error(ErrorCode code, String message, Integer index) {
    return index == null ? new ApiException(code, message)
        : new ApiException(code, message + " (point " + index + ")", Map.of("index", index));
  }
}
