package io.animus.datapilot.cli;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import io.animus.sdk.Artifact;
import io.animus.sdk.Dataset;
import io.animus.sdk.DatasetVersion;
import io.animus.sdk.Experiment;
import io.animus.sdk.Run;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Output conventions: aligned tables and "Key: value" blocks for people, JSON for scripts. */
final class Printer {
  static final ObjectMapper JSON = JsonMapper.builder().enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS).build();
  private static final ObjectMapper PRETTY = JSON.copy().enable(SerializationFeature.INDENT_OUTPUT);
  /** SDK records as the wire writes them: snake_case, RFC 3339 times, absent values left out, NaN as "NaN". */
  private static final ObjectMapper RECORDS = JsonMapper.builder().addModule(new JavaTimeModule())
      .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
      .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
      .defaultPropertyInclusion(JsonInclude.Value.construct(JsonInclude.Include.NON_NULL, JsonInclude.Include.NON_NULL))
      .build();

  private final PrintStream out;
  private final PrintStream err;

  Printer(Terminal term) {
    this.out = term.out();
    this.err = term.err();
  }

  /** A value as a JSON tree: a tree as is, plain Java values (the SDK's {@code raw()} maps...) converted. */
  static JsonNode node(Object value) {
    return value instanceof JsonNode n ? n : JSON.valueToTree(value);
  }

  /** One value as indented JSON (a command's whole result). */
  void json(Object value) {
    try {
      out.println(PRETTY.writeValueAsString(node(value)));
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** One value as one compact line (a frame of a stream). */
  void jsonLine(Object value) {
    out.println(compact(value));
    out.flush();
  }

  static String compact(Object value) {
    try {
      return JSON.writeValueAsString(node(value));
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Columns padded to their widest cell, separated by three spaces; headers in capitals. No rows: a note on
   * standard error ({@code No datasets found.}) and nothing on standard output.
   */
  void table(String what, List<String> headers, List<List<String>> rows) {
    if (rows.isEmpty()) {
      err.println("No " + what + " found.");
      return;
    }
    int[] width = new int[headers.size()];
    List<List<String>> all = new ArrayList<>();
    all.add(headers);
    all.addAll(rows);
    for (List<String> row : all) {
      for (int i = 0; i < width.length; i++) {
        width[i] = Math.max(width[i], cell(row, i).length());
      }
    }
    for (List<String> row : all) {
      StringBuilder line = new StringBuilder();
      for (int i = 0; i < width.length; i++) {
        String c = cell(row, i);
        line.append(c);
        if (i < width.length - 1) {
          line.append(" ".repeat(width[i] - c.length() + 3));
        }
      }
      out.println(line.toString().stripTrailing());
    }
  }

  private static String cell(List<String> row, int i) {
    return i < row.size() && row.get(i) != null ? row.get(i) : "";
  }

  /** {@code Key:   value} lines with the values aligned; empty values are left out. */
  void details(List<Map.Entry<String, String>> fields) {
    int width = 0;
    for (Map.Entry<String, String> f : fields) {
      width = Math.max(width, f.getKey().length());
    }
    for (Map.Entry<String, String> f : fields) {
      if (f.getValue() != null && !f.getValue().isEmpty()) {
        out.println(f.getKey() + ":" + " ".repeat(width - f.getKey().length() + 2) + f.getValue());
      }
    }
  }

  /** A plain line on standard output. */
  void line(String text) {
    out.println(text);
  }

  /** A note on standard error (never mixed into results). */
  void note(String text) {
    err.println(text);
  }

  /** A value of the SDK as JSON: the server's own object where the record keeps it, else the record's fields. */
  static JsonNode tree(Object value) {
    if (value instanceof Run r) {
      return node(r.raw());
    } else if (value instanceof Experiment e) {
      return node(e.raw());
    } else if (value instanceof Dataset d) {
      return node(d.raw());
    } else if (value instanceof DatasetVersion v) {
      return node(v.raw());
    } else if (value instanceof Artifact a) {
      return node(a.raw());
    } else if (value instanceof io.animus.sdk.Deletion d) {
      return node(d.raw());
    }
    return RECORDS.valueToTree(value);
  }

  /** A map's entries as {@code k=v} pairs ("" when empty), for params and metrics cells. */
  static String pairs(Map<String, ?> map) {
    if (map == null || map.isEmpty()) {
      return "";
    }
    StringBuilder s = new StringBuilder();
    for (Map.Entry<String, ?> e : map.entrySet()) {
      if (s.length() > 0) {
        s.append(' ');
      }
      s.append(e.getKey()).append('=').append(value(e.getValue()));
    }
    return s.toString();
  }

  /** One line of {@link #details(List)}; an absent value leaves the line out. */
  static Map.Entry<String, String> field(String name, Object value) {
    return Map.entry(name, value(value));
  }

  /** One table row: each cell through {@link #value(Object)}, so absent values are empty cells. */
  static List<String> row(Object... cells) {
    List<String> out = new ArrayList<>(cells.length);
    for (Object c : cells) {
      out.add(value(c));
    }
    return out;
  }

  /** A value for a cell: numbers compactly, text as is, anything else as compact JSON; null is "". */
  static String value(Object v) {
    if (v == null) {
      return "";
    }
    if (v instanceof Number n) {
      return Humanize.number(n.doubleValue(), n instanceof Double || n instanceof Float);
    }
    if (v instanceof String || v instanceof Boolean) {
      return v.toString();
    }
    return compact(v);
  }
}
