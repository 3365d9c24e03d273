package io.animus.datapilot.experiments.search;

import java.util.regex.Pattern;

/**
 * One comparison evaluated in Java, for values that live outside the runs' database (latest
 * telemetry values, image digests); the same semantics as the SQL the compiler writes: a NaN or
 * missing value never matches, text compares by code point, like/ilike as in SQL.
 */
final class Evaluation {
  private Evaluation() {}

  static boolean test(Double value, Filter.Compare c) {
    if (value == null || value.isNaN()) {
      return false;
    }
    double v = value;
    return switch (c.op()) {
      case "in" -> c.values().stream().anyMatch(x -> v == (Double) x);
      case "notin" -> c.values().stream().noneMatch(x -> v == (Double) x);
      default -> holds(c.op(), Double.compare(v, (Double) c.values().get(0)));
    };
  }

  static boolean test(String value, Filter.Compare c) {
    if (value == null) {
      return false;
    }
    return switch (c.op()) {
      case "in" -> c.values().contains(value);
      case "notin" -> !c.values().contains(value);
      case "like" -> like(value, (String) c.values().get(0), false);
      case "notlike" -> !like(value, (String) c.values().get(0), false);
      case "ilike" -> like(value, (String) c.values().get(0), true);
      case "notilike" -> !like(value, (String) c.values().get(0), true);
      default -> holds(c.op(), compareCodePoints(value, (String) c.values().get(0)));
    };
  }

  private static boolean holds(String op, int cmp) {
    return switch (op) {
      case "=" -> cmp == 0;
      case "!=" -> cmp != 0;
      case "<" -> cmp < 0;
      case "<=" -> cmp <= 0;
      case ">" -> cmp > 0;
      default -> cmp >= 0;
    };
  }

  static int compareCodePoints(String a, String b) {
    return java.util.Arrays.compare(a.codePoints().toArray(), b.codePoints().toArray());
  }

  /** SQL LIKE: % any text, _ one character, \ escapes the next character. */
  static boolean like(String value, String pattern, boolean ignoreCase) {
    StringBuilder regex = new StringBuilder();
    for (int i = 0; i < pattern.length(); i++) {
      char ch = pattern.charAt(i);
      if (ch == '\\' && i + 1 < pattern.length()) {
        regex.append(Pattern.quote(String.valueOf(pattern.charAt(++i))));
      } else if (ch == '%') {
        regex.append(".*");
      } else if (ch == '_') {
        regex.append('.');
      } else {
        regex.append(Pattern.quote(String.valueOf(ch)));
      }
    }
    int flags = Pattern.DOTALL | (ignoreCase ? Pattern.CASE_INSENSITIVE | Pattern.UNICODE_CASE : 0);
    return Pattern.compile(regex.toString(), flags).matcher(value).matches();
  }
}
