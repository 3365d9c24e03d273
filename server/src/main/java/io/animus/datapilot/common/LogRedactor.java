package io.animus.datapilot.common;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The credential rules for job logs, shared by the stored {@code job-log} artifact and its tail events:
 * DataPilot credentials ({@code animus_run_v1.…}, {@code dp_…}), the server's own configured secrets
 * wherever they appear, and the value of any assignment whose name is secret-looking by the metadata rules
 * ({@code AWS_SECRET_ACCESS_KEY=…}, {@code --db-password=…}, {@code "api_key": "…"}).
 *
 * <p>Matching runs on bytes read as ISO-8859-1, one char a byte, so that whatever is not a credential goes
 * out byte for byte (invalid UTF-8 included) and a secret is looked for as its UTF-8 bytes.
 */
public final class LogRedactor {
  /** Longer than any run token we issue (about 300 characters) or any API token. */
  static final int MAX_CREDENTIAL = 1024;
  /** Shorter configured secrets would redact ordinary words; such a secret is no protection anyway. */
  public static final int MIN_SECRET_LENGTH = 8;
  static final byte[] REPLACEMENT = Redactor.REDACTED.getBytes(StandardCharsets.ISO_8859_1);
  private static final String TOKENS = "animus_run_v1\\.[A-Za-z0-9_\\-]+\\.[A-Za-z0-9_\\-]+|dp_[A-Za-z0-9_\\-]{43}";
  private static final LogRedactor DEFAULT = new LogRedactor(List.of());

  private final Pattern credentials;
  private final List<String> literals;
  private final int overlap;

  /** {@code secrets}: the configured secrets to find verbatim; blank or short ones are skipped. */
  public LogRedactor(Collection<String> secrets) {
    Set<String> literals = new LinkedHashSet<>();
    for (String secret : secrets) {
      if (secret != null && secret.strip().length() >= MIN_SECRET_LENGTH) {
        literals.add(new String(secret.getBytes(StandardCharsets.UTF_8), StandardCharsets.ISO_8859_1));
      }
    }
    StringBuilder regex = new StringBuilder(TOKENS);
    int longest = MAX_CREDENTIAL;
    // Longest first, so that a secret containing another is replaced whole.
    for (String literal : literals.stream().sorted(Comparator.comparingInt(String::length).reversed()).toList()) {
      regex.append('|').append(Pattern.quote(literal));
      longest = Math.max(longest, literal.length());
    }
    this.credentials = Pattern.compile(regex.toString());
    this.literals = List.copyOf(literals);
    this.overlap = longest + 1;
  }

  /** The rules without configured secrets. */
  public static LogRedactor standard() {
    return DEFAULT;
  }

  /** Bytes a match can span; a streaming reader keeps at least this much unwritten at a cut. */
  int overlap() {
    return overlap;
  }

  /** One line (or part of one) redacted, for text that is already decoded. */
  public String redactLine(String line) {
    byte[] bytes = line.getBytes(StandardCharsets.UTF_8);
    String text = new String(bytes, StandardCharsets.ISO_8859_1);
    StringBuilder out = new StringBuilder(text.length());
    int at = 0;
    for (Span span : spans(text, 0, true)) {
      out.append(text, at, span.start()).append(Redactor.REDACTED);
      at = span.end();
    }
    out.append(text, at, text.length());
    return new String(out.toString().getBytes(StandardCharsets.ISO_8859_1), StandardCharsets.UTF_8);
  }

  /**
   * What to replace in {@code text}: [{@code start}, {@code end}). {@code anchor}: where the match began
   * (an assignment's name), from which it must be matched again if it may continue past a cut;
   * {@code toLineEnd}: the rest of the line is part of the secret.
   */
  record Span(int start, int end, int anchor, boolean toLineEnd) {}

  /**
   * The sorted, non-overlapping spans to replace in {@code text}, ignoring matches that end at or before
   * {@code from} (a character of context only). {@code lineStart}: {@code text} begins a line.
   */
  List<Span> spans(String text, int from, boolean lineStart) {
    List<Span> found = new ArrayList<>();
    if (mayHoldCredential(text)) {
      Matcher c = credentials.matcher(text);
      while (c.find()) {
        found.add(new Span(c.start(), c.end(), c.start(), false));
      }
    }
    for (int eq = text.indexOf('=', from); eq >= 0; eq = text.indexOf('=', eq + 1)) {
      Span span = assignment(text, from, lineStart, eq);
      if (span != null) {
        found.add(span);
        eq = Math.max(eq, span.end() - 1); // an '=' inside a secret value is part of it
      }
    }
    for (int colon = text.indexOf(':', from); colon >= 0; colon = text.indexOf(':', colon + 1)) {
      Span span = quotedEntry(text, from, colon);
      if (span != null) {
        found.add(span);
      }
    }
    return merge(found, from);
  }

  /**
   * The value of {@code NAME=value} at {@code eq} when NAME is secret-looking. At the start of a line
   * (after blanks, {@code export} or {@code declare -x}, as {@code env} and shells print) the value runs to
   * the end of the line; elsewhere it is a quoted string (to its closing quote, else the line's end) or a
   * run of non-blank characters.
   */
  private static Span assignment(String text, int from, boolean lineStart, int eq) {
    int key = eq;
    while (key > 0 && isKeyChar(text.charAt(key - 1))) {
      key--;
    }
    if (key == eq || key < from || !Redactor.isSecretKey(text.substring(key, eq))) {
      return null;
    }
    int end = lineEnd(text, eq + 1);
    char first = text.charAt(key);
    if (lineStart && from == 0 && (Character.isLetter(first) && first < 0x80 || first == '_')
        && atLineStart(text, key)) {
      return end > eq + 1 ? new Span(eq + 1, end, 0, true) : null;
    }
    return value(text, eq + 1, key);
  }

  /** The value of {@code "name": "value"} (either quote) at {@code colon} when the name is secret-looking. */
  private static Span quotedEntry(String text, int from, int colon) {
    int close = colon;
    while (close > from && (text.charAt(close - 1) == ' ' || text.charAt(close - 1) == '\t')) {
      close--;
    }
    if (close - 1 <= from || !isQuote(text.charAt(close - 1))) {
      return null;
    }
    int key = close - 1;
    while (key > from && isKeyChar(text.charAt(key - 1))) {
      key--;
    }
    if (key == close - 1 || key - 1 < from || !isQuote(text.charAt(key - 1))
        || !Redactor.isSecretKey(text.substring(key, close - 1))) {
      return null;
    }
    int at = colon + 1;
    while (at < text.length() && (text.charAt(at) == ' ' || text.charAt(at) == '\t')) {
      at++;
    }
    return at < text.length() && isQuote(text.charAt(at)) ? value(text, at, key - 1) : null;
  }

  /** A quoted or bare value starting at {@code at}; null when empty. */
  private static Span value(String text, int at, int anchor) {
    if (at >= text.length()) {
      return null;
    }
    char first = text.charAt(at);
    int end;
    int start = at;
    if (isQuote(first)) {
      start = at + 1;
      int close = text.indexOf(first, start);
      end = Math.min(close < 0 ? text.length() : close, lineEnd(text, start));
    } else {
      end = at;
      while (end < text.length() && !isBlank(text.charAt(end))) {
        end++;
      }
    }
    return end > start ? new Span(start, end, anchor, false) : null;
  }

  private static boolean atLineStart(String text, int key) {
    int at = 0;
    while (at < key && (text.charAt(at) == ' ' || text.charAt(at) == '\t')) {
      at++;
    }
    if (at == key) {
      return true;
    }
    String prefix = text.substring(at, key);
    return prefix.matches("(?:export|declare -x)[ \t]+");
  }

  private static int lineEnd(String text, int from) {
    int end = from;
    while (end < text.length() && text.charAt(end) != '\n' && text.charAt(end) != '\r') {
      end++;
    }
    return end;
  }

  private static boolean isKeyChar(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '.'
        || c == '-';
  }

  private static boolean isQuote(char c) {
    return c == '"' || c == '\'';
  }

  private static boolean isBlank(char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == 0x0B || c == '\f';
  }

  /** Most lines hold none of the literal prefixes: skip the regular expression for them. */
  private boolean mayHoldCredential(String text) {
    if (text.contains("animus_run_v1.") || text.contains("dp_")) {
      return true;
    }
    for (String literal : literals) {
      if (text.contains(literal)) {
        return true;
      }
    }
    return false;
  }

  private static List<Span> merge(List<Span> found, int from) {
    found.sort(Comparator.comparingInt(Span::start));
    List<Span> merged = new ArrayList<>();
    for (Span span : found) {
      if (span.end() <= from) {
        continue;
      }
      if (span.start() < from) {
        span = new Span(from, span.end(), Math.min(from, span.anchor()), span.toLineEnd());
      }
      Span last = merged.isEmpty() ? null : merged.get(merged.size() - 1);
      if (last != null && span.start() < last.end()) {
        merged.set(merged.size() - 1, new Span(last.start(), Math.max(last.end(), span.end()),
            Math.min(last.anchor(), span.anchor()), span.end() > last.end() ? span.toLineEnd() : last.toLineEnd()));
      } else {
        merged.add(span);
      }
    }
    return merged;
  }
}
