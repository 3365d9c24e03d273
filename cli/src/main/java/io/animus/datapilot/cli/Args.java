package io.animus.datapilot.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/** Turns command-line text into request values; bad text is a {@link UsageException} (exit code 2). */
final class Args {
  private static final Pattern UUID = Pattern.compile("[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");

  private Args() {}

  /** True for a canonical UUID, which DataPilot uses for every resource id. */
  static boolean isId(String text) {
    return UUID.matcher(text).matches();
  }

  /** A 404 {@code not_found} found by the CLI itself (a name that matches nothing): exit code 1. */
  static io.animus.sdk.AnimusApiException notFound(String message) {
    return new io.animus.sdk.AnimusApiException(404, "not_found", null,
        Printer.JSON.createObjectNode().put("error", "not_found").put("message", message));
  }

  /** A JSON object given as text ({@code --metadata '{"rows":3}'}); null stays null. */
  static Map<String, Object> object(String json, String option) {
    if (json == null) {
      return null;
    }
    try {
      JsonNode node = Printer.JSON.readTree(json);
      if (node == null || !node.isObject()) {
        throw new UsageException(option + " must be a JSON object, got " + json);
      }
      return Printer.JSON.convertValue(node, new TypeReference<LinkedHashMap<String, Object>>() { });
    } catch (JsonProcessingException e) {
      throw new UsageException(option + " is not valid JSON: " + e.getOriginalMessage());
    }
  }

  /**
   * {@code key=value} pairs ({@code --param lr=0.001}); a value that reads as JSON (a number, true, an object...)
   * keeps that type, any other value is a string.
   */
  static Map<String, Object> pairs(List<String> items, String option) {
    Map<String, Object> out = new LinkedHashMap<>();
    for (Map.Entry<String, String> e : textPairs(items, option).entrySet()) {
      Object typed;
      try {
        typed = Printer.JSON.readValue(e.getValue(), Object.class);
      } catch (JsonProcessingException notJson) {
        typed = e.getValue();
      }
      out.put(e.getKey(), typed == null ? e.getValue() : typed);
    }
    return out;
  }

  /** Text pairs ({@code --env NAME=value}), values kept as written. */
  static Map<String, String> textPairs(List<String> items, String option) {
    Map<String, String> out = new LinkedHashMap<>();
    if (items == null) {
      return out;
    }
    for (String item : items) {
      int eq = item.indexOf('=');
      if (eq <= 0) {
        throw new UsageException(option + " takes KEY=VALUE, got " + item);
      }
      out.put(item.substring(0, eq).strip(), item.substring(eq + 1));
    }
    return out;
  }

  /** An RFC 3339 time, or a duration from now such as {@code 30d}, {@code 12h}, {@code 90m}. */
  static Instant timeOrDuration(String text, String option, Instant now) {
    if (text == null) {
      return null;
    }
    try {
      return Instant.parse(text);
    } catch (DateTimeParseException e) {
      java.util.regex.Matcher m = Pattern.compile("(\\d+)([smhd])").matcher(text.strip());
      if (!m.matches()) {
        throw new UsageException(option + " must be an RFC 3339 time or a duration such as 30d, got " + text);
      }
      long n = Long.parseLong(m.group(1));
      long seconds = switch (m.group(2)) {
        case "s" -> n;
        case "m" -> n * 60;
        case "h" -> n * 3600;
        default -> n * 86400;
      };
      return now.plusSeconds(seconds);
    }
  }

  /** The request body: {@code --data TEXT}, {@code --file PATH} ({@code -} = standard input), exactly one. */
  static byte[] body(String data, Path file, InputStream stdin) {
    if ((data == null) == (file == null)) {
      throw new UsageException("give the payload with exactly one of --data JSON or --file PATH (- for stdin)");
    }
    if (data != null) {
      return data.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }
    try {
      return "-".equals(file.toString()) ? stdin.readAllBytes() : Files.readAllBytes(file);
    } catch (java.nio.file.NoSuchFileException e) {
      throw new UsageException("no such file: " + file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A local file that must exist and be readable. */
  static Path existingFile(Path file) {
    if (!Files.isRegularFile(file) || !Files.isReadable(file)) {
      throw new UsageException("not a readable file: " + file);
    }
    return file;
  }
}
