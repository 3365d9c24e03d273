package io.animus.datapilot.kernel;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.ser.std.StdSerializer;
import java.io.IOException;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The server's JSON conventions: snake_case, RFC 3339 UTC times, absent instead of null. */
public final class Json {
  private static final ObjectMapper MAPPER = build();

  private Json() {}

  public static ObjectMapper mapper() {
    return MAPPER;
  }

  private static ObjectMapper build() {
    SimpleModule times = new SimpleModule("datapilot-times");
    times.addSerializer(Instant.class, new InstantSerializer());
    return JsonMapper.builder()
        .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
        .defaultPropertyInclusion(JsonInclude.Value.construct(JsonInclude.Include.NON_NULL,
            JsonInclude.Include.NON_NULL))
        .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
        .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
        .enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
        .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
        .disable(SerializationFeature.FAIL_ON_EMPTY_BEANS)
        .addModule(times)
        .build();
  }

  /** Parses one JSON value; trailing data, syntax errors and duplicate keys are {@code invalid_json}. */
  public static JsonNode parse(byte[] body) {
    if (body.length == 0) {
      throw new ApiException(ErrorCode.INVALID_JSON, "request body must be a JSON object");
    }
    try (JsonParser parser = MAPPER.createParser(body)) {
      JsonNode node = MAPPER.readTree(parser);
      if (node == null || node.isMissingNode()) {
        throw new ApiException(ErrorCode.INVALID_JSON, "request body must be a JSON object");
      }
      return node;
    } catch (JsonProcessingException e) {
      throw new ApiException(ErrorCode.INVALID_JSON, "request body is not valid JSON: " + e.getOriginalMessage());
    } catch (NumberFormatException e) {
      throw new ApiException(ErrorCode.INVALID_JSON, "request body holds a number that cannot be represented");
    } catch (IOException e) {
      // the bytes are in memory: any other I/O failure is an undecodable text encoding
      throw new ApiException(ErrorCode.INVALID_JSON, "request body is not valid JSON: undecodable characters");
    }
  }

  /**
   * Why PostgreSQL could not keep this value as text or jsonb (a U+0000 character, half of a UTF-16
   * surrogate pair, or a number beyond the range of {@code numeric}), or empty when it can.
   */
  public static Optional<String> unstorable(JsonNode value) {
    return firstUnstorable(value, "").map(Unstorable::reason);
  }

  /** Where in a value (a path such as {@code points[3].name}) the first unstorable part is, and why. */
  public record Unstorable(String path, String reason) {}

  /** As {@link #unstorable}, with the path of the offending part below {@code root}. */
  public static Optional<Unstorable> firstUnstorable(JsonNode value, String root) {
    Deque<Map.Entry<String, JsonNode>> pending = new ArrayDeque<>();
    pending.push(Map.entry(root, value));
    while (!pending.isEmpty()) {
      Map.Entry<String, JsonNode> next = pending.pop();
      String path = next.getKey();
      JsonNode node = next.getValue();
      if (node.isTextual()) {
        Optional<String> why = unstorableText(node.textValue());
        if (why.isPresent()) {
          return Optional.of(new Unstorable(path, why.get()));
        }
      }
      if (node.isBigDecimal() && !fitsNumeric(node.decimalValue())) {
        return Optional.of(new Unstorable(path, "holds a number outside the supported range"));
      }
      if (node.isObject()) {
        List<Map.Entry<String, JsonNode>> children = new ArrayList<>();
        for (Map.Entry<String, JsonNode> field : node.properties()) {
          String child = path.isEmpty() ? field.getKey() : path + "." + field.getKey();
          Optional<String> why = unstorableText(field.getKey());
          if (why.isPresent()) {
            return Optional.of(new Unstorable(child, why.get()));
          }
          children.add(Map.entry(child, field.getValue()));
        }
        // pushed in reverse, so the first problem in document order is the one reported
        for (int i = children.size() - 1; i >= 0; i--) {
          pending.push(children.get(i));
        }
      } else if (node.isArray()) {
        for (int i = node.size() - 1; i >= 0; i--) {
          pending.push(Map.entry(path + "[" + i + "]", node.get(i)));
        }
      }
    }
    return Optional.empty();
  }

  /**
   * Why a string cannot be stored as PostgreSQL text (which refuses U+0000) or sent as UTF-8 (which
   * has no encoding for half of a surrogate pair: the driver would write {@code ?} instead), or
   * empty when it can. The one check for every text that arrives in a request.
   */
  public static Optional<String> unstorableText(String text) {
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c == '\0') {
        return Optional.of("must not contain the character U+0000");
      }
      if (Character.isSurrogate(c)) {
        if (Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
          i++;
        } else {
          return Optional.of("must not contain half of a UTF-16 surrogate pair (U+"
              + Integer.toHexString(c).toUpperCase(java.util.Locale.ROOT) + ")");
        }
      }
    }
    return Optional.empty();
  }

  /** The text with U+0000 and halves of surrogate pairs replaced by U+FFFD, for echoing it in messages. */
  public static String printable(String text) {
    StringBuilder out = new StringBuilder(text.length());
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
        out.append(c).append(text.charAt(++i));
      } else {
        out.append(c == '\0' || Character.isSurrogate(c) ? '\ufffd' : c);
      }
    }
    return out.toString();
  }

  /** PostgreSQL numeric: at most 131072 digits before the decimal point and 16383 after it. */
  private static boolean fitsNumeric(BigDecimal number) {
    long before = (long) number.precision() - number.scale();
    long after = Math.max(number.scale(), 0);
    return before <= 131_072 && after <= 16_383;
  }

  public static byte[] write(Object value) {
    try {
      return MAPPER.writeValueAsBytes(value);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("response not serialisable", e);
    }
  }

  public static String writeString(Object value) {
    try {
      return MAPPER.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("value not serialisable", e);
    }
  }

  /** Reads a stored JSON document (jsonb column) back into a tree; null becomes {@code {}}. */
  public static ObjectNode readObject(String text) {
    if (text == null || text.isEmpty()) {
      return MAPPER.createObjectNode();
    }
    try {
      JsonNode node = MAPPER.readTree(text);
      return node instanceof ObjectNode object ? object : MAPPER.createObjectNode();
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("stored JSON is not readable", e);
    }
  }

  public static ObjectNode object() {
    return MAPPER.createObjectNode();
  }

  /** RFC 3339, UTC, {@code Z}, at most 6 fractional digits. */
  public static String formatInstant(Instant instant) {
    return DateTimeFormatter.ISO_INSTANT.format(instant.truncatedTo(ChronoUnit.MICROS));
  }

  private static final class InstantSerializer extends StdSerializer<Instant> {
    private static final long serialVersionUID = 1L;

    InstantSerializer() {
      super(Instant.class);
    }

    @Override
    public void serialize(Instant value, JsonGenerator gen, SerializerProvider provider) throws IOException {
      gen.writeString(formatInstant(value));
    }
  }
}
