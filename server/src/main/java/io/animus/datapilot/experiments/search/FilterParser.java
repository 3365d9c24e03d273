package io.animus.datapilot.experiments.search;

import io.animus.datapilot.experiments.search.Filter.Key;
import io.animus.datapilot.kernel.ApiException;
import io.animus.datapilot.kernel.ErrorCode;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The run filter language of docs/protocol.md §3.5: a hand-written recursive-descent parser that
 * checks types as it goes and reports the position of the first error and what was expected there.
 */
public final class FilterParser {
  static final int MAX_LENGTH = 10_000;
  static final int MAX_COMPARISONS = 200;
  static final int MAX_DEPTH = 100;
  /** The attributes and their types: t text, n number, d time, s status, b boolean. */
  static final Map<String, Character> ATTRIBUTES = Map.ofEntries(Map.entry("name", 't'), Map.entry("status", 's'),
      Map.entry("started_at", 'd'), Map.entry("ended_at", 'd'), Map.entry("duration", 'n'),
      Map.entry("experiment", 't'), Map.entry("experiment_id", 't'), Map.entry("run_id", 't'),
      Map.entry("git_repo", 't'), Map.entry("git_commit", 't'), Map.entry("git_ref", 't'),
      Map.entry("dataset_version_id", 't'), Map.entry("image_digest", 't'), Map.entry("created_by", 't'),
      Map.entry("archived", 'b'));
  private static final Set<String> STATUSES = Set.of("pending", "running", "succeeded", "failed", "canceled");
  
  private final String text;
  private final List<FilterLexer.Token> tokens;
  private int next;
  private int comparisons;

  private FilterParser(String text) {
    this.text = text;
    this.tokens = FilterLexer.lex(text);
  }

  /** The filter's tree; 400 {@code invalid_filter} naming the position when it does not parse. */
  public static Filter parse(String text) {
    if (text.length() > MAX_LENGTH) {
      throw error(text, MAX_LENGTH, "a filter of at most " + MAX_LENGTH + " characters", "the filter is too long");
    }
    FilterParser parser = new FilterParser(text);
    Filter filter = parser.or(0);
    parser.expectEnd();
    return filter;
  }

  // ---- grammar ----------------------------------------------------------------------------------

  private Filter or(int depth) {
    List<Filter> parts = new ArrayList<>(List.of(and(depth)));
    while (keyword("or")) {
      parts.add(and(depth));
    }
    return parts.size() == 1 ? parts.get(0) : new Filter.Or(List.copyOf(parts));
  }

  private Filter and(int depth) {
    List<Filter> parts = new ArrayList<>(List.of(unary(depth)));
    while (keyword("and")) {
      parts.add(unary(depth));
    }
    return parts.size() == 1 ? parts.get(0) : new Filter.And(List.copyOf(parts));
  }

  private Filter unary(int depth) {
    if (depth >= MAX_DEPTH) {
      throw fail("at most " + MAX_DEPTH + " levels of nesting", "the filter is nested too deeply");
    }
    if (keyword("not")) {
      return new Filter.Not(unary(depth + 1));
    }
    if (symbol("(")) {
      Filter inner = or(depth + 1);
      expectSymbol(")");
      return inner;
    }
    return comparison();
  }

  private Filter comparison() {
    if (++comparisons > MAX_COMPARISONS) {
      throw fail("at most " + MAX_COMPARISONS + " comparisons", "the filter has too many comparisons");
    }
    Key key = key();
    FilterLexer.Token at = peek();
    if (keyword("is")) {
      boolean negated = keyword("not");
      if (!keyword("null")) {
        throw fail("null", "expected null after is");
      }
      return new Filter.IsNull(key, negated);
    }
    boolean negated = keyword("not");
    if (keyword("in")) {
      expectSymbol("(");
      List<Object> values = new ArrayList<>();
      do {
        values.add(value(key, "in"));
      } while (symbol(","));
      expectSymbol(")");
      if (values.stream().map(Object::getClass).distinct().count() > 1) {
        throw error(text, at.position(), "values of one type in an in-list", "an in-list mixes types");
      }
      return new Filter.Compare(key, negated ? "notin" : "in", List.copyOf(values));
    }
    for (String like : List.of("like", "ilike")) {
      if (keyword(like)) {
        if (!textual(key)) {
          throw error(text, at.position(), "a comparison such as = or <", like + " compares text, and "
              + describe(key) + " is not text");
        }
        FilterLexer.Token pattern = peek();
        if (pattern.type() != 's') {
          throw fail("a quoted pattern such as 'resnet%'", like + " takes a quoted pattern");
        }
        next++;
        String p = (String) pattern.value();
        int trailing = p.length() - p.replaceAll("\\\\+$", "").length();
        if (trailing % 2 == 1) {
          throw error(text, pattern.position(), "a pattern that does not end in a lone \\", "a pattern cannot end in \\");
        }
        return new Filter.Compare(key, (negated ? "not" : "") + like, List.of(p));
      }
    }
    if (negated) {
      throw fail("in, like or ilike after not", "expected in, like or ilike");
    }
    FilterLexer.Token op = peek();
    if (op.type() != 'o') {
      throw fail("an operator (=, !=, <, <=, >, >=, in, like, ilike, is)", "expected an operator after "
          + describe(key));
    }
    next++;
    String operator = op.text().equals("<>") ? "!=" : op.text();
    Object value = value(key, operator);
    if (value instanceof Boolean && !operator.equals("=") && !operator.equals("!=")) {
      throw error(text, op.position(), "= or !=", "true and false compare only with = or !=");
    }
    return new Filter.Compare(key, operator, List.of(value));
  }

  private Key key() {
    FilterLexer.Token first = peek();
    if (first.type() != 'i') {
      throw fail("a key such as metrics.accuracy, params.lr, tags.team or an attribute such as status",
          "expected a key");
    }
    next++;
    String word = first.text();
    String lower = word.toLowerCase(Locale.ROOT);
    Key.Kind kind = switch (lower) {
      case "metrics" -> Key.Kind.METRIC;
      case "params" -> Key.Kind.PARAM;
      case "tags" -> Key.Kind.TAG;
      case "attributes" -> Key.Kind.ATTRIBUTE;
      default -> null;
    };
    if (kind == null) {
      if (!ATTRIBUTES.containsKey(lower) || symbolAhead(".")) {
        throw error(text, first.position(), "metrics.<name>, params.<name>, tags.<name> or one of "
            + String.join(", ", new java.util.TreeSet<>(ATTRIBUTES.keySet())), "unknown key " + quote(word));
      }
      return new Key(Key.Kind.ATTRIBUTE, lower);
    }
    if (!symbol(".")) {
      throw fail("a dot and a name, as in " + lower + ".x", "expected . after " + lower);
    }
    StringBuilder name = new StringBuilder();
    do {
      FilterLexer.Token part = peek();
      if (part.type() != 'i' && part.type() != 'q' && !(part.type() == 's' && part.text().startsWith("\""))) {
        throw fail("a name (quote it with ` if it is not a plain word)", "expected a name after " + lower + ".");
      }
      next++;
      name.append(name.length() == 0 ? "" : ".").append(part.type() == 'i' ? part.text() : (String) part.value());
    } while (kind != Key.Kind.ATTRIBUTE && symbol("."));
    if (name.isEmpty()) {
      throw error(text, first.position(), "a non-empty name", "a key needs a name");
    }
    if (kind == Key.Kind.ATTRIBUTE) {
      String attribute = name.toString().toLowerCase(Locale.ROOT);
      if (!ATTRIBUTES.containsKey(attribute)) {
        throw error(text, first.position(), "one of " + String.join(", ", new java.util.TreeSet<>(ATTRIBUTES.keySet())),
            "unknown attribute " + quote(name.toString()));
      }
      return new Key(kind, attribute);
    }
    return new Key(kind, name.toString());
  }

  /** A literal, checked against the key's type. */
  private Object value(Key key, String operator) {
    FilterLexer.Token v = peek();
    char type = typeOf(key);
    switch (v.type()) {
      case 'n' -> {
        if (type != 'n' && type != 'p') {
          throw fail(expectedFor(type), describe(key) + " is " + typeName(type) + ", not a number");
        }
      }
      case 's' -> {
        if (type == 'n') {
          throw fail("a number", describe(key) + " is a number, not text");
        }
        if (type == 'b') {
          throw fail("true or false", "archived is true or false");
        }
      }
      case 'i' -> {
        String word = v.text().toLowerCase(Locale.ROOT);
        if (!(word.equals("true") || word.equals("false")) || (type != 'p' && type != 'b')) {
          throw fail(expectedFor(type), "expected " + expectedFor(type));
        }
        next++;
        return word.equals("true");
      }
      default -> throw fail(expectedFor(type), "expected a value");
    }
    next++;
    Object value = v.value();
    if (type == 'd') {
      return time(v);
    }
    if (type == 's' && !STATUSES.contains(((String) value).trim().toLowerCase(Locale.ROOT))) {
      throw error(text, v.position(), "one of canceled, failed, pending, running, succeeded",
          "unknown status " + quote((String) value));
    }
    return type == 's' ? ((String) value).trim().toLowerCase(Locale.ROOT) : value;
  }

  private Instant time(FilterLexer.Token v) {
    String s = (String) v.value();
    try {
      return s.length() == 10 ? LocalDate.parse(s).atStartOfDay(ZoneOffset.UTC).toInstant()
          : OffsetDateTime.parse(s).toInstant();
    } catch (DateTimeParseException e) {
      throw error(text, v.position(), "an RFC 3339 time such as '2026-11-01T12:00:00Z' or a date such as "
          + "'2026-11-01'", "not a time: " + quote(s));
    }
  }

  /** n number, p param (any literal), t text, d time, s status, b boolean. */
  static char typeOf(Key key) {
    return switch (key.kind()) {
      case METRIC -> 'n';
      case PARAM -> 'p';
      case TAG -> 't';
      case ATTRIBUTE -> ATTRIBUTES.get(key.name());
    };
  }

  private static boolean textual(Key key) {
    char t = typeOf(key);
    return t == 't' || t == 'p' || t == 's';
  }

  private static String expectedFor(char type) {
    return switch (type) {
      case 'n' -> "a number";
      case 'd' -> "a quoted time such as '2026-11-01'";
      case 'b' -> "true or false";
      case 'p' -> "a number, a quoted string, true or false";
      default -> "a quoted string";
    };
  }

  private static String typeName(char type) {
    return switch (type) {
      case 'd' -> "a time (quote it)";
      case 'b' -> "true or false";
      default -> "text (quote the value)";
    };
  }

  private static String describe(Key key) {
    return switch (key.kind()) {
      case METRIC -> "metrics." + key.name();
      case PARAM -> "params." + key.name();
      case TAG -> "tags." + key.name();
      case ATTRIBUTE -> key.name();
    };
  }

  // ---- tokens -----------------------------------------------------------------------------------

  private FilterLexer.Token peek() {
    return tokens.get(next);
  }

  private boolean keyword(String word) {
    FilterLexer.Token t = peek();
    if (t.type() == 'i' && t.text().equalsIgnoreCase(word)) {
      next++;
      return true;
    }
    return false;
  }

  private boolean symbol(String s) {
    if (peek().type() == 'y' && peek().text().equals(s)) {
      next++;
      return true;
    }
    return false;
  }

  private boolean symbolAhead(String s) {
    return peek().type() == 'y' && peek().text().equals(s);
  }

  private void expectSymbol(String s) {
    if (!symbol(s)) {
      throw fail("'" + s + "'", "expected " + s);
    }
  }

  private void expectEnd() {
    if (peek().type() != 'e') {
      throw fail("and, or, or the end of the filter", "unexpected " + quote(peek().text()));
    }
  }

  private ApiException fail(String expected, String message) {
    return error(text, peek().position(), expected, message);
  }

  static ApiException error(String text, int position, String expected, String message) {
    int from = Math.max(0, position - 30);
    int to = Math.min(text.length(), position + 30);
    String near = (from > 0 ? "…" : "") + text.substring(from, position) + " ⟨here⟩ " + text.substring(position, to)
        + (to < text.length() ? "…" : "");
    return new ApiException(ErrorCode.INVALID_FILTER, "invalid filter at position " + position + ": " + message
        + "; expected " + expected + ": " + near, Map.of("position", position, "expected", expected));
  }

  private static String quote(String s) {
    return "\"" + (s.length() > 40 ? s.substring(0, 40) + "…" : s) + "\"";
  }
}
