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
  private static final String KEY = "[A-Za-z0-9_.\\-]+";
  // Line-start form first, so that `env` output redacts a value up to the end of its line.
  private static final Pattern ASSIGNMENT = Pattern.compile(
      "^(?<lp>[ \\t]*(?:export[ \\t]+|declare -x[ \\t]+)?)(?<lk>[A-Za-z_][A-Za-z0-9_.\\-]*)=(?<lv>[^\\r\\n]+)"
          + "|(?<![A-Za-z0-9_.\\-])(?<ik>" + KEY + ")=(?:\"(?<iq>[^\"\\r\\n]+)\"|'(?<is>[^'\\r\\n]+)'"
          + "|(?<iv>[^\\s\"']\\S*))"
          + "|[\"'](?<jk>" + KEY + ")[\"'][ \\t]*:[ \\t]*(?:\"(?<jq>[^\"\\r\\n]+)\"|'(?<js>[^'\\r\\n]+)')",
      Pattern.MULTILINE | Pattern.UNIX_LINES);
  private static final String TOKENS = "animus_run_v1\\.[A-Za-z0-9_\\-]+\\.[A-Za-z0-9_\\-]+|dp_[A-Za-z0-9_\\-]{43}";
  private static final LogRedactor DEFAULT = new LogRedactor(List.of());

  private final Pattern credentials;
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

  /** What to replace in {@code text}; {@code toLineEnd}: the rest of the line is part of the secret. */
  record Span(int start, int end, boolean toLineEnd) {}

  /**
   * The sorted, non-overlapping spans to replace in {@code text}, ignoring matches that end at or before
   * {@code from} (a character of context only). {@code lineStart}: {@code text} begins a line.
   */
  List<Span> spans(String text, int from, boolean lineStart) {
    List<Span> found = new ArrayList<>();
    Matcher c = credentials.matcher(text);
    while (c.find()) {
      found.add(new Span(c.start(), c.end(), false));
    }
    Matcher a = ASSIGNMENT.matcher(text).useAnchoringBounds(lineStart).useTransparentBounds(true);
    int at = 0;
    while (at < text.length() && a.find(at)) {
      String key = first(a, "lk", "ik", "jk");
      String group = a.group("lk") != null ? "lv" : a.group("ik") != null ? first3(a, "iq", "is", "iv")
          : (a.group("jq") != null ? "jq" : "js");
      if (Redactor.isSecretKey(key)) {
        found.add(new Span(a.start(group), a.end(group), group.equals("lv")));
        at = a.end();
      } else {
        at = a.start(group); // the value may hold an assignment or a credential of its own
      }
    }
    found.sort(Comparator.comparingInt(Span::start));
    List<Span> merged = new ArrayList<>();
    for (Span span : found) {
      if (span.end() <= from) {
        continue;
      }
      span = span.start() < from ? new Span(from, span.end(), span.toLineEnd()) : span;
      Span last = merged.isEmpty() ? null : merged.get(merged.size() - 1);
      if (last != null && span.start() < last.end()) {
        if (span.end() > last.end()) {
          merged.set(merged.size() - 1, new Span(last.start(), span.end(), span.toLineEnd()));
        }
      } else {
        merged.add(span);
      }
    }
    return merged;
  }

  private static String first(Matcher m, String... groups) {
    for (String g : groups) {
      if (m.group(g) != null) {
        return m.group(g);
      }
    }
    throw new IllegalStateException("no key group");
  }

  private static String first3(Matcher m, String a, String b, String c) {
    return m.group(a) != null ? a : m.group(b) != null ? b : c;
  }
}
