package io.animus.datapilot.experiments;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.animus.datapilot.kernel.ApiException;
import io.animus.datapilot.kernel.ErrorCode;
import java.util.Map;

/** The rules of a run's curated fields (docs/protocol.md §3.4): name, tags, notes, summary metrics, params. */
final class RunFields {
  static final int MAX_NAME = 255;
  static final int MAX_TAGS = 100;
  static final int MAX_TAG_VALUE = 5_000;
  static final int MAX_NOTES = 65_536;
  static final int MAX_PARAMS_ADDED = 100;

  private RunFields() {}

  /** A run name: trimmed, 1–255 characters, no control character. */
  static String name(String raw) {
    String name = raw.trim();
    if (name.isEmpty() || name.codePointCount(0, name.length()) > MAX_NAME || hasControl(name)) {
      throw new ApiException(ErrorCode.INVALID_RUN_NAME,
          "name must be 1-" + MAX_NAME + " characters without control characters");
    }
    return name;
  }

  static String notes(String notes) {
    if (notes.length() > MAX_NOTES) {
      throw new ApiException(ErrorCode.INVALID_NOTES, "notes must be at most " + MAX_NOTES + " characters");
    }
    return notes;
  }

  /** The tags of a new run: every value a string. */
  static ObjectNode tags(ObjectNode given) {
    return mergeTags(io.animus.datapilot.kernel.Json.object(), given, false);
  }

  /** {@code current} with {@code patch} applied: a string sets a tag, null removes it (when allowed). */
  static ObjectNode mergeTags(ObjectNode current, ObjectNode patch, boolean nullRemoves) {
    ObjectNode merged = current.deepCopy();
    for (Map.Entry<String, JsonNode> e : patch.properties()) {
      String key = e.getKey();
      if (key.isEmpty() || key.length() > MAX_NAME || hasControl(key)) {
        throw invalidTags("tag keys must be 1-" + MAX_NAME + " characters without control characters", key);
      }
      JsonNode value = e.getValue();
      if (value.isNull() && nullRemoves) {
        merged.remove(key);
      } else if (value.isTextual() && value.textValue().length() <= MAX_TAG_VALUE) {
        merged.set(key, value);
      } else {
        throw invalidTags("tag \"" + key + "\" must be a string of at most " + MAX_TAG_VALUE + " characters"
            + (nullRemoves ? " (or null to remove it)" : ""), key);
      }
    }
    if (merged.size() > MAX_TAGS) {
      throw new ApiException(ErrorCode.INVALID_TAGS, "a run has at most " + MAX_TAGS + " tags");
    }
    return merged;
  }

  /** Summary metrics with {@code patch} applied: a number sets one, null removes it. */
  static ObjectNode mergeMetrics(ObjectNode current, ObjectNode patch) {
    ObjectNode merged = current.deepCopy();
    for (Map.Entry<String, JsonNode> e : patch.properties()) {
      if (e.getKey().isEmpty() || e.getKey().length() > MAX_NAME) {
        throw new ApiException(ErrorCode.INVALID_METRICS, "metric names must be 1-" + MAX_NAME + " characters");
      }
      if (e.getValue().isNull()) {
        merged.remove(e.getKey());
      } else if (e.getValue().isNumber()) {
        merged.set(e.getKey(), e.getValue());
      } else {
        throw new ApiException(ErrorCode.INVALID_METRICS,
            "summary metric \"" + e.getKey() + "\" must be a number (or null to remove it)",
            Map.of("field", "metrics." + e.getKey()));
      }
    }
    return merged;
  }

  /**
   * {@code current} params with {@code added} ones: a key already set must have an equal value
   * (numbers compare by value), else 409 and nothing changes.
   */
  static ObjectNode addParams(ObjectNode current, ObjectNode added) {
    if (added.isEmpty() || added.size() > MAX_PARAMS_ADDED) {
      throw new ApiException(ErrorCode.INVALID_PARAMS, "params must have 1-" + MAX_PARAMS_ADDED + " keys");
    }
    ObjectNode merged = current.deepCopy();
    for (Map.Entry<String, JsonNode> e : added.properties()) {
      if (e.getKey().isEmpty() || e.getKey().length() > MAX_NAME) {
        throw new ApiException(ErrorCode.INVALID_PARAMS, "param names must be 1-" + MAX_NAME + " characters");
      }
      JsonNode stored = current.get(e.getKey());
      if (stored == null) {
        merged.set(e.getKey(), e.getValue());
      } else if (!stored.equals(RunFields::sameNumber, e.getValue())) {
        throw new ApiException(ErrorCode.PARAM_ALREADY_SET,
            "param \"" + e.getKey() + "\" is already set to another value; params never change once set",
            Map.of("key", e.getKey(), "value", stored));
      }
    }
    return merged;
  }

  /** Jackson's node comparator: numbers by value (1 equals 1.0), everything else as usual. */
  private static int sameNumber(JsonNode a, JsonNode b) {
    if (a.isNumber() && b.isNumber()) {
      return a.decimalValue().compareTo(b.decimalValue());
    }
    return a.equals(b) ? 0 : 1;
  }

  private static ApiException invalidTags(String message, String key) {
    return new ApiException(ErrorCode.INVALID_TAGS, message, Map.of("field", "tags." + key));
  }

  private static boolean hasControl(String s) {
    return s.codePoints().anyMatch(Character::isISOControl);
  }
}
