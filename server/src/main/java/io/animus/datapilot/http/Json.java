package io.animus.datapilot.http;

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
import java.util.Deque;
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
        .serializationInclusion(JsonInclude.Include.NON_NULL)
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
   * Why PostgreSQL could not keep this value as text or jsonb (a U+0000 character, or a number beyond
   * the range of {@code numeric}), or empty when it can.
   */
  public static Optional<String> unstorable(JsonNode value) {
    Deque<JsonNode> pending = new ArrayDeque<>();
    pending.push(value);
    while (!pending.isEmpty()) {
      JsonNode node = pending.pop();
      if (node.isTextual() && node.textValue().indexOf('\0') >= 0) {
        return Optional.of("must not contain the character U+0000");
      }
      if (node.isBigDecimal() && !fitsNumeric(node.decimalValue())) {
        return Optional.of("holds a number outside the supported range");
      }
      if (node.isObject()) {
        for (Map.Entry<String, JsonNode> field : node.properties()) {
          if (field.getKey().indexOf('\0') >= 0) {
            return Optional.of("must not contain the character U+0000");
          }
          pending.push(field.getValue());
        }
      } else if (node.isArray()) {
        node.forEach(pending::push);
      }
    }
    return Optional.empty();
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
    InstantSerializer() {
      super(Instant.class);
    }

    @Override
    public void serialize(Instant value, JsonGenerator gen, SerializerProvider provider) throws IOException {
      gen.writeString(formatInstant(value));
    }
  }
}
