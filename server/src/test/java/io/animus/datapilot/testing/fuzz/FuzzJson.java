package io.animus.datapilot.testing.fuzz;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A small JSON tree that can hold what a mutated request needs and Jackson will not write: keys
 * repeated, any number text (1e999999999, NaN), and strings with halves of surrogate pairs (written
 * as {@code \\uXXXX} escapes, as the published SDK writes every non-ASCII character).
 */
public final class FuzzJson {
  private FuzzJson() {}

  public sealed interface Node permits Obj, Arr, Str, Raw {
    Node copy();
  }

  /** An object; a list of entries, so that a key may repeat. */
  public record Obj(List<Map.Entry<String, Node>> fields) implements Node {
    @Override
    public Obj copy() {
      List<Map.Entry<String, Node>> out = new ArrayList<>();
      fields.forEach(e -> out.add(new java.util.AbstractMap.SimpleEntry<>(e.getKey(), e.getValue().copy())));
      return new Obj(out);
    }
  }

  public record Arr(List<Node> items) implements Node {
    @Override
    public Arr copy() {
      List<Node> out = new ArrayList<>();
      items.forEach(i -> out.add(i.copy()));
      return new Arr(out);
    }
  }

  public record Str(String text) implements Node {
    @Override
    public Str copy() {
      return this;
    }
  }

  /** A literal written as is: a number, true, false, null, or anything else. */
  public record Raw(String literal) implements Node {
    @Override
    public Raw copy() {
      return this;
    }
  }

  /** {@code obj("a", str("x"), "b", raw("1"))}. */
  public static Obj obj(Object... keysAndValues) {
    List<Map.Entry<String, Node>> fields = new ArrayList<>();
    for (int i = 0; i < keysAndValues.length; i += 2) {
      fields.add(new java.util.AbstractMap.SimpleEntry<>((String) keysAndValues[i], (Node) keysAndValues[i + 1]));
    }
    return new Obj(fields);
  }

  public static Arr arr(Node... items) {
    return new Arr(new ArrayList<>(List.of(items)));
  }

  public static Str str(String text) {
    return new Str(text);
  }

  public static Raw raw(String literal) {
    return new Raw(literal);
  }

  public static String write(Node node) {
    StringBuilder out = new StringBuilder();
    write(node, out);
    return out.toString();
  }

  private static void write(Node node, StringBuilder out) {
    if (node instanceof Obj o) {
      out.append('{');
      for (int i = 0; i < o.fields().size(); i++) {
        if (i > 0) {
          out.append(',');
        }
        string(o.fields().get(i).getKey(), out);
        out.append(':');
        write(o.fields().get(i).getValue(), out);
      }
      out.append('}');
    } else if (node instanceof Arr a) {
      out.append('[');
      for (int i = 0; i < a.items().size(); i++) {
        if (i > 0) {
          out.append(',');
        }
        write(a.items().get(i), out);
      }
      out.append(']');
    } else if (node instanceof Str s) {
      string(s.text(), out);
    } else {
      out.append(((Raw) node).literal());
    }
  }

  private static void string(String text, StringBuilder out) {
    out.append('"');
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c == '"' || c == '\\') {
        out.append('\\').append(c);
      } else if (c >= 0x20 && c < 0x7f) {
        out.append(c);
      } else {
        out.append(String.format("\\u%04x", (int) c));
      }
    }
    out.append('"');
  }
}
