package io.animus.datapilot.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/** Output conventions: aligned tables and "Key: value" blocks for people, JSON for scripts. */
final class Printer {
  static final ObjectMapper JSON = JsonMapper.builder().enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS).build();
  private static final ObjectMapper PRETTY = JSON.copy().enable(SerializationFeature.INDENT_OUTPUT);

  private final PrintStream out;
  private final PrintStream err;

  Printer(Terminal term) {
    this.out = term.out();
    this.err = term.err();
  }

  /** One value as indented JSON (a command's whole result). */
  void json(JsonNode value) {
    try {
      out.println(PRETTY.writeValueAsString(value));
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** One value as one compact line (a frame of a stream). */
  void jsonLine(JsonNode value) {
    out.println(compact(value));
    out.flush();
  }

  static String compact(JsonNode value) {
    try {
      return JSON.writeValueAsString(value);
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

  /** An object's fields as {@code k=v} pairs ({@code {}} when empty), for params and metrics cells. */
  static String pairs(JsonNode object) {
    if (object == null || !object.isObject() || object.isEmpty()) {
      return "";
    }
    StringBuilder s = new StringBuilder();
    for (Iterator<Map.Entry<String, JsonNode>> it = object.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      if (s.length() > 0) {
        s.append(' ');
      }
      JsonNode v = e.getValue();
      s.append(e.getKey()).append('=').append(v.isNumber() || v.isTextual() ? Human.number(v) : compact(v));
    }
    return s.toString();
  }

  /** The text of a field, "" when absent. */
  static String text(JsonNode node, String field) {
    JsonNode v = node.path(field);
    return v.isMissingNode() || v.isNull() ? "" : v.asText();
  }
}
