package io.animus.datapilot.readme;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The fenced code blocks of a Markdown file that the README test runs. {@code bash}, {@code sh} and
 * {@code shell} blocks run in one shell, {@code python} blocks as a script file; a block is left out when
 * the nearest non-blank line before it is {@code <!-- readme-test: skip (reason) -->}. Other languages
 * (java, json, …) are not run. {@code console} blocks mix commands and their output, so they are refused:
 * write them as {@code bash} (output as comments) or mark them skipped.
 */
final class ReadmeBlocks {
  static final Set<String> SHELL = Set.of("bash", "sh", "shell");
  static final Set<String> PYTHON = Set.of("python", "python3");
  private static final Pattern FENCE = Pattern.compile("^```\\s*([A-Za-z0-9_+-]*)\\s*$");
  private static final Pattern SKIP = Pattern.compile("^<!--\\s*readme-test:\\s*skip\\s*\\((.+)\\)\\s*-->$");
  private static final Pattern MARKER = Pattern.compile("readme-test");
  private static final Pattern CAPTURE =
      Pattern.compile("^\\s*(?:export\\s+)?([A-Z][A-Z0-9_]*)=\\$\\(", Pattern.MULTILINE);

  /** One fenced block: its language, the README line of its first content line, its text, skip reason. */
  record Block(String language, int firstLine, String text, String skipReason) {
    Block {
      if (firstLine < 1) {
        throw new IllegalArgumentException("firstLine must be positive: " + firstLine);
      }
    }

    boolean runs() {
      return skipReason == null && (SHELL.contains(language) || PYTHON.contains(language));
    }

    boolean python() {
      return PYTHON.contains(language);
    }

    /** The first non-blank line, to name the block in a failure. */
    String title() {
      return text.lines().map(String::strip).filter(l -> !l.isEmpty()).findFirst().orElse("(empty)");
    }

    /** Shell variables the block captures with {@code NAME=$(…)}; each must be neither empty nor "null". */
    List<String> captures() {
      if (python()) {
        return List.of();
      }
      List<String> names = new ArrayList<>();
      Matcher m = CAPTURE.matcher(text);
      while (m.find()) {
        names.add(m.group(1));
      }
      return names;
    }
  }

  private ReadmeBlocks() {}

  static List<Block> parse(String markdown) {
    List<String> lines = markdown.lines().toList();
    List<Block> blocks = new ArrayList<>();
    for (int i = 0; i < lines.size(); i++) {
      Matcher open = FENCE.matcher(lines.get(i));
      if (!open.matches()) {
        continue;
      }
      int close = closingFence(lines, i);
      String language = open.group(1).toLowerCase();
      if (language.equals("console")) {
        throw new IllegalStateException("README line " + (i + 1) + ": a console block cannot run as written;"
            + " write it as bash or mark it <!-- readme-test: skip (reason) -->");
      }
      String text = String.join("\n", lines.subList(i + 1, close)) + "\n";
      blocks.add(new Block(language, i + 2, text, skipReason(lines, i)));
      i = close;
    }
    return blocks;
  }

  private static int closingFence(List<String> lines, int open) {
    for (int j = open + 1; j < lines.size(); j++) {
      if (lines.get(j).strip().equals("```")) {
        return j;
      }
    }
    throw new IllegalStateException("README line " + (open + 1) + ": code block is never closed");
  }

  private static String skipReason(List<String> lines, int fence) {
    int j = fence - 1;
    while (j >= 0 && lines.get(j).isBlank()) {
      j--;
    }
    if (j < 0) {
      return null;
    }
    String line = lines.get(j).strip();
    Matcher skip = SKIP.matcher(line);
    if (skip.matches()) {
      return skip.group(1).strip();
    }
    if (MARKER.matcher(line).find()) {
      throw new IllegalStateException("README line " + (j + 1)
          + ": malformed marker, expected <!-- readme-test: skip (reason) -->: " + line);
    }
    return null;
  }
}
