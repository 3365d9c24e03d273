package io.animus.datapilot.http;

import io.animus.datapilot.kernel.ApiException;
import io.animus.datapilot.kernel.ErrorCode;
import io.animus.datapilot.kernel.Json;
import io.animus.datapilot.kernel.Times;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.Iterator;
import java.util.Optional;
import java.util.Set;

/**
 * A request's JSON object with typed, validating accessors. Unknown fields and wrong types are
 * {@code invalid_json} naming the field; fields with their own code (metadata, params…) take it.
 * A JSON {@code null} counts as absent.
 */
public final class JsonBody {
  private final ObjectNode node;

  private JsonBody(ObjectNode node) {
    this.node = node;
  }

  public static JsonBody of(byte[] body, Set<String> allowedFields) {
    JsonNode parsed = Json.parse(body);
    if (!(parsed instanceof ObjectNode object)) {
      throw new ApiException(ErrorCode.INVALID_JSON, "request body must be a JSON object");
    }
    // Every string of every request body passes here (keys included), once, before any field is
    // read: text PostgreSQL cannot store is refused naming where it is, and nothing is stored.
    Json.firstUnstorable(object, "").ifPresent(bad -> {
      throw unstorable(bad);
    });
    for (Iterator<String> names = object.fieldNames(); names.hasNext(); ) {
      String name = names.next();
      if (!allowedFields.contains(name)) {
        throw new ApiException(ErrorCode.INVALID_JSON, "unknown field \"" + name + "\"");
      }
    }
    return new JsonBody(object);
  }

  /**
   * The error for an unstorable part: the top-level field in the message, the exact place (such as
   * {@code points[0].name}) in {@code details.field}. The text shown is made printable, since it
   * is the offending text itself.
   */
  public static ApiException unstorable(Json.Unstorable bad) {
    String path = Json.printable(bad.path());
    int cut = firstSeparator(path);
    String top = cut < 0 ? path : path.substring(0, cut);
    return new ApiException(ErrorCode.INVALID_JSON, "field \"" + top + "\" " + bad.reason(),
        java.util.Map.of("field", path));
  }

  private static int firstSeparator(String path) {
    int dot = path.indexOf('.');
    int bracket = path.indexOf('[');
    return dot < 0 ? bracket : bracket < 0 ? dot : Math.min(dot, bracket);
  }

  /** An empty body or {@code {}}: for endpoints whose body is optional. */
  public static JsonBody ofOptional(byte[] body, Set<String> allowedFields) {
    if (body.length == 0 || new String(body, java.nio.charset.StandardCharsets.UTF_8).isBlank()) {
      return new JsonBody(Json.object());
    }
    return of(body, allowedFields);
  }

  public ObjectNode raw() {
    return node;
  }

  private Optional<JsonNode> present(String field) {
    JsonNode value = node.get(field);
    return value == null || value.isNull() ? Optional.empty() : Optional.of(value);
  }

  public Optional<String> text(String field) {
    return present(field).map(v -> {
      if (!v.isTextual()) {
        throw new ApiException(ErrorCode.INVALID_JSON, "field \"" + field + "\" must be a string");
      }
      return v.textValue();
    });
  }

  /** A trimmed string; empty after trimming counts as absent. */
  public Optional<String> trimmedText(String field) {
    return text(field).map(String::trim).filter(s -> !s.isEmpty());
  }

  /** An object field with its own error code for a wrong type (e.g. {@code invalid_metadata}). */
  public Optional<ObjectNode> object(String field, ErrorCode wrongType) {
    return present(field).map(v -> {
      if (!(v instanceof ObjectNode object)) {
        throw new ApiException(wrongType, "field \"" + field + "\" must be a JSON object");
      }
      return object;
    });
  }

  public Optional<Instant> instant(String field) {
    return text(field).map(s -> Times.parse(field, s));
  }
}
