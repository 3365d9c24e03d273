package io.animus.sdk;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Reads the fields of a server answer into the typed results: absent or null fields become null (or the
 * documented default), unknown fields are ignored, so newer servers stay readable.
 */
final class Wire {
  private Wire() {}

  static String text(JsonNode n, String field) {
    JsonNode v = n == null ? null : n.get(field);
    return v == null || v.isNull() ? null : v.asText();
  }

  static String textOrEmpty(JsonNode n, String field) {
    String v = text(n, field);
    return v == null ? "" : v;
  }

  static Instant instant(JsonNode n, String field) {
    String v = text(n, field);
    if (v == null || v.isEmpty()) {
      return null;
    }
    try {
      return Instant.parse(v);
    } catch (DateTimeParseException e) {
      return OffsetDateTime.parse(v).toInstant();
    }
  }

  static long longValue(JsonNode n, String field) {
    JsonNode v = n == null ? null : n.get(field);
    return v == null || v.isNull() ? 0L : v.asLong();
  }

  static Long optLong(JsonNode n, String field) {
    JsonNode v = n == null ? null : n.get(field);
    return v == null || v.isNull() ? null : v.asLong();
  }

  static boolean bool(JsonNode n, String field) {
    JsonNode v = n == null ? null : n.get(field);
    return v != null && v.asBoolean(false);
  }

  /** A metric value: a JSON number or one of the strings "NaN", "Infinity", "-Infinity"; absent is NaN. */
  static double metric(JsonNode n, String field) {
    return Json.number(n == null ? null : n.get(field));
  }

  /** A free-form object (params, metadata, payload...) as an unmodifiable map; absent is empty. */
  static Map<String, Object> object(JsonNode n, String field) {
    JsonNode v = n == null ? null : n.get(field);
    if (v == null || !v.isObject()) {
      return Map.of();
    }
    @SuppressWarnings("unchecked")
    Map<String, Object> map = Json.MAPPER.convertValue(v, LinkedHashMap.class);
    return Collections.unmodifiableMap(map);
  }

  /** An object of strings ({@code tags}) as an unmodifiable map in the server's order; absent is empty. */
  static Map<String, String> strings(JsonNode n, String field) {
    JsonNode v = n == null ? null : n.get(field);
    if (v == null || !v.isObject()) {
      return Map.of();
    }
    Map<String, String> out = new LinkedHashMap<>();
    v.properties().forEach(e -> out.put(e.getKey(), e.getValue().isNull() ? null : e.getValue().asText()));
    return Collections.unmodifiableMap(out);
  }

  /** The whole object as plain Java values (see {@link Json#plain}), unmodifiable; null stays null. */
  @SuppressWarnings("unchecked")
  static Map<String, Object> raw(JsonNode n) {
    if (n == null || n.isNull() || n.isMissingNode()) {
      return null;
    }
    Object plain = Json.plain(n);
    return plain instanceof Map<?, ?> m ? Collections.unmodifiableMap((Map<String, Object>) m) : Map.of();
  }

  /** An object of metric values ({@code latest_metrics}) as doubles, NaN and infinities included. */
  static Map<String, Double> metricMap(JsonNode n, String field) {
    JsonNode v = n == null ? null : n.get(field);
    if (v == null || !v.isObject()) {
      return Map.of();
    }
    Map<String, Double> out = new LinkedHashMap<>();
    v.properties().forEach(e -> out.put(e.getKey(), Json.number(e.getValue())));
    return Collections.unmodifiableMap(out);
  }

  static <T> List<T> list(JsonNode n, String field, Function<JsonNode, T> read) {
    JsonNode v = n == null ? null : n.get(field);
    if (v == null || !v.isArray()) {
      return List.of();
    }
    List<T> out = new ArrayList<>(v.size());
    for (JsonNode item : v) {
      out.add(read.apply(item));
    }
    return Collections.unmodifiableList(out);
  }

  static <T> Page<T> page(JsonNode n, String field, Function<JsonNode, T> read) {
    return new Page<>(list(n, field, read), text(n, "next_page_token"));
  }
}
