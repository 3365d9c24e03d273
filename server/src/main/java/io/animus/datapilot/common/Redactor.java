package io.animus.datapilot.common;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/** Metadata redaction of docs/protocol.md §1.9: secret-looking keys get the value "[REDACTED]". */
public final class Redactor {
  public static final String REDACTED = "[REDACTED]";
  private static final Set<String> SECRET_WORDS =
      Set.of("secret", "password", "passwd", "token", "apikey", "credential", "credentials");
  private static final Set<String> SECRET_PAIRS = Set.of("api key", "private key", "access key");
  private static final Pattern CREDENTIAL_IN_TEXT =
      Pattern.compile("animus_run_v1\\.[A-Za-z0-9_\\-]+\\.[A-Za-z0-9_\\-]+|dp_[A-Za-z0-9_\\-]{43}");

  private Redactor() {}

  /** A redacted deep copy; the input is left unchanged. */
  public static ObjectNode redact(ObjectNode metadata) {
    ObjectNode copy = metadata.deepCopy();
    walk(copy);
    return copy;
  }

  /** Replaces embedded DataPilot credentials in free text (event messages, log lines). */
  public static String redactText(String text) {
    return CREDENTIAL_IN_TEXT.matcher(text).replaceAll(REDACTED);
  }

  private static void walk(JsonNode node) {
    if (node instanceof ObjectNode object) {
      List<String> secretKeys = new ArrayList<>();
      for (Map.Entry<String, JsonNode> field : object.properties()) {
        if (isSecretKey(field.getKey())) {
          secretKeys.add(field.getKey());
        } else {
          walk(field.getValue());
        }
      }
      for (String key : secretKeys) {
        object.set(key, TextNode.valueOf(REDACTED));
      }
    } else if (node instanceof ArrayNode array) {
      array.forEach(Redactor::walk);
    }
  }

  static boolean isSecretKey(String key) {
    List<String> words = words(key);
    for (int i = 0; i < words.size(); i++) {
      if (SECRET_WORDS.contains(words.get(i))) {
        return true;
      }
      if (i + 1 < words.size() && SECRET_PAIRS.contains(words.get(i) + " " + words.get(i + 1))) {
        return true;
      }
    }
    return false;
  }

  /** Splits at non-alphanumerics and camelCase boundaries: {@code APIKey} → api, key. */
  static List<String> words(String key) {
    List<String> words = new ArrayList<>();
    StringBuilder current = new StringBuilder();
    int n = key.length();
    for (int i = 0; i < n; i++) {
      char c = key.charAt(i);
      if (!Character.isLetterOrDigit(c)) {
        flush(words, current);
        continue;
      }
      if (current.length() > 0 && Character.isUpperCase(c)) {
        char prev = key.charAt(i - 1);
        boolean nextIsLower = i + 1 < n && Character.isLowerCase(key.charAt(i + 1));
        // lower→Upper (apiKey) or the last capital of an acronym before a lower-case (APIKey).
        if (Character.isLowerCase(prev) || Character.isDigit(prev)
            || (Character.isUpperCase(prev) && nextIsLower)) {
          flush(words, current);
        }
      }
      current.append(c);
    }
    flush(words, current);
    return words;
  }

  private static void flush(List<String> words, StringBuilder current) {
    if (current.length() > 0) {
      words.add(current.toString().toLowerCase(Locale.ROOT));
      current.setLength(0);
    }
  }
}
