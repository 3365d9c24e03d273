package io.animus.datapilot.ci;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.animus.datapilot.kernel.ApiException;
import io.animus.datapilot.kernel.ErrorCode;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * CI payloads re-serialised the way the published SDK writes them ({@code json.dumps} with
 * {@code sort_keys=True}, compact separators, {@code ensure_ascii=True}): keys sorted by code
 * point, non-ASCII as lower-case {@code \\uXXXX}, numbers exactly as received.
 */
public final class CanonicalJson {
  // NaN and Infinity (which Python writes for non-finite floats) are not JSON and cannot be stored:
  // they are invalid_json, like any other non-JSON body.
  private static final JsonFactory FACTORY = JsonFactory.builder().build();

  private CanonicalJson() {}

  /** A parsed JSON value that keeps each number's text. */
  public sealed interface Value permits Obj, Arr, Str, Raw {}

  public record Obj(Map<String, Value> fields) implements Value {}

  public record Arr(List<Value> items) implements Value {}

  public record Str(String text) implements Value {}

  /** A number, boolean or null, kept as its literal text. */
  public record Raw(String literal) implements Value {}

  /** Parses one JSON object; anything else is {@code invalid_json}. */
  public static Obj parseObject(byte[] body) {
    try (JsonParser p = FACTORY.createParser(body)) {
      JsonToken first = p.nextToken();
      if (first != JsonToken.START_OBJECT) {
        throw notObject();
      }
      Value value = read(p, first);
      if (p.nextToken() != null) {
        throw notObject();
      }
      return (Obj) value;
    } catch (IOException e) {
      throw notObject();
    }
  }

  private static ApiException notObject() {
    return new ApiException(ErrorCode.INVALID_JSON, "the CI payload must be one JSON object");
  }

  private static Value read(JsonParser p, JsonToken token) throws IOException {
    switch (token) {
      case START_OBJECT -> {
        Map<String, Value> fields = new TreeMap<>(CanonicalJson::compareCodePoints);
        for (JsonToken t = p.nextToken(); t != JsonToken.END_OBJECT; t = p.nextToken()) {
          String name = p.currentName();
          fields.put(name, read(p, p.nextToken()));
        }
        return new Obj(fields);
      }
      case START_ARRAY -> {
        List<Value> items = new ArrayList<>();
        for (JsonToken t = p.nextToken(); t != JsonToken.END_ARRAY; t = p.nextToken()) {
          items.add(read(p, t));
        }
        return new Arr(items);
      }
      case VALUE_STRING -> {
        return new Str(p.getText());
      }
      default -> {
        return new Raw(p.getText());
      }
    }
  }

  /** Python sorts str keys by code point; Java's String order differs above U+FFFF. */
  static int compareCodePoints(String a, String b) {
    int[] x = a.codePoints().toArray();
    int[] y = b.codePoints().toArray();
    for (int i = 0; i < Math.min(x.length, y.length); i++) {
      if (x[i] != y[i]) {
        return Integer.compare(x[i], y[i]);
      }
    }
    return Integer.compare(x.length, y.length);
  }

  public static String write(Value value) {
    StringBuilder out = new StringBuilder();
    write(value, out);
    return out.toString();
  }

  private static void write(Value value, StringBuilder out) {
    if (value instanceof Obj o) {
      out.append('{');
      boolean first = true;
      for (Map.Entry<String, Value> e : o.fields().entrySet()) {
        if (!first) {
          out.append(',');
        }
        first = false;
        string(e.getKey(), out);
        out.append(':');
        write(e.getValue(), out);
      }
      out.append('}');
    } else if (value instanceof Arr a) {
      out.append('[');
      for (int i = 0; i < a.items().size(); i++) {
        if (i > 0) {
          out.append(',');
        }
        write(a.items().get(i), out);
      }
      out.append(']');
    } else if (value instanceof Str s) {
      string(s.text(), out);
    } else {
      out.append(((Raw) value).literal());
    }
  }

  private static void string(String text, StringBuilder out) {
    out.append('"');
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      switch (c) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        case '\t' -> out.append("\\t");
        case '\b' -> out.append("\\b");
        case '\f' -> out.append("\\f");
        default -> {
          if (c >= 0x20 && c <= 0x7e) {
            out.append(c);
          } else {
            out.append(String.format("\\u%04x", (int) c));
          }
        }
      }
    }
    out.append('"');
  }
}
