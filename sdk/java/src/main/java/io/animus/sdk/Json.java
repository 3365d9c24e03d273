package io.animus.sdk;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.core.json.JsonWriteFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;

/** The SDK's JSON rules: compact, keys sorted, non-ASCII escaped, NaN/Infinity written and read as literals. */
final class Json {
  static final ObjectMapper MAPPER = JsonMapper.builder()
      .enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
      .disable(JsonWriteFeature.WRITE_NAN_AS_STRINGS)
      .enable(JsonWriteFeature.ESCAPE_NON_ASCII)
      .build();

  private Json() {}

  /** {@code value} (a Map, List, JsonNode, record...) as canonical bytes. */
  static byte[] canonicalBytes(Object value) {
    JsonNode tree = value instanceof JsonNode n ? n : MAPPER.valueToTree(value);
    try {
      return MAPPER.writeValueAsBytes(sorted(tree));
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }

  static JsonNode sorted(JsonNode node) {
    if (node == null) {
      return null;
    }
    if (node.isObject()) {
      List<String> names = new ArrayList<>();
      for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
        names.add(it.next());
      }
      Collections.sort(names);
      ObjectNode out = MAPPER.createObjectNode();
      for (String name : names) {
        out.set(name, sorted(node.get(name)));
      }
      return out;
    }
    if (node.isArray()) {
      ArrayNode out = MAPPER.createArrayNode();
      for (JsonNode item : node) {
        out.add(sorted(item));
      }
      return out;
    }
    return node;
  }

  /**
   * A JSON value as plain Java: objects as insertion-ordered {@code Map<String, Object>}, arrays as {@code List},
   * strings, numbers ({@code Integer}, {@code Long}, {@code BigInteger}, {@code Double}; NaN and infinities as
   * doubles), booleans and null. This is what the SDK's public types expose instead of a JSON library's tree.
   */
  static Object plain(JsonNode node) {
    if (node == null || node.isMissingNode() || node.isNull()) {
      return null;
    }
    return MAPPER.convertValue(node, Object.class);
  }

  static JsonNode parse(byte[] bytes) throws IOException {
    return MAPPER.readTree(bytes);
  }

  /**
   * A number field that may hold a JSON number or one of the strings {@code "NaN"}, {@code "Infinity"},
   * {@code "-Infinity"} (the server's way of writing non-finite values), as a double.
   */
  static double number(Object value) {
    if (value == null || value instanceof JsonNode) {
      return number((JsonNode) value);
    }
    if (value instanceof Number n) {
      return n.doubleValue();
    }
    if (value instanceof String s) {
      return number(MAPPER.getNodeFactory().textNode(s));
    }
    throw new NumberFormatException("not a number: " + value);
  }

  /** {@link #number(Object)} of a tree node. */
  static double number(JsonNode node) {
    if (node == null || node.isNull() || node.isMissingNode()) {
      return Double.NaN;
    }
    if (node.isTextual()) {
      return switch (node.asText()) {
        case "Infinity", "+Infinity" -> Double.POSITIVE_INFINITY;
        case "-Infinity" -> Double.NEGATIVE_INFINITY;
        case "NaN" -> Double.NaN;
        default -> Double.parseDouble(node.asText());
      };
    }
    return node.asDouble();
  }
}
