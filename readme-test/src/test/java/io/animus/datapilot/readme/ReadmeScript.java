package io.animus.datapilot.readme;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Writes the README's runnable blocks as files plus one driver script that sources them in order in one
 * bash ({@code set -Eeuo pipefail}), so variables carry over. Each block is framed by markers on the
 * output; a failing command prints its line and exit code (ERR trap); a captured variable left empty or
 * "null" (jq's answer for a missing field) fails too. The README's ports are rewritten to free ones.
 */
final class ReadmeScript {
  static final String START = "@@readme-block-start ";
  static final String END = "@@readme-block-end ";
  static final String FAIL = "@@readme-fail ";
  private static final Pattern PORT = Pattern.compile("\\b(localhost|127\\.0\\.0\\.1):(\\d{4,5})\\b");

  private ReadmeScript() {}

  /** Replaces {@code localhost:8080} (and 127.0.0.1) by the mapped port; other ports stay. */
  static String rewritePorts(String text, Map<Integer, Integer> ports) {
    Matcher m = PORT.matcher(text);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      Integer to = ports.get(Integer.parseInt(m.group(2)));
      String replacement = to == null ? m.group() : m.group(1) + ":" + to;
      m.appendReplacement(out, Matcher.quoteReplacement(replacement));
    }
    m.appendTail(out);
    return out.toString();
  }

  /** Writes blocks/NN.sh|py and run.sh under {@code dir}; returns run.sh. */
  static Path write(Path dir, List<ReadmeBlocks.Block> blocks, Map<Integer, Integer> ports) throws IOException {
    Path blockDir = Files.createDirectories(dir.resolve("blocks"));
    StringBuilder driver = new StringBuilder("""
        set -Eeuo pipefail
        trap 'readme_rc=$?; echo; echo "%sline=$LINENO rc=$readme_rc command=$BASH_COMMAND"' ERR
        trap 'echo; echo "%sbash got SIGTERM (pid $$)"; exit 143' TERM
        readme_check_var() {
          local value="${!1-}"
          if [[ -z "$value" || "$value" == null ]]; then
            echo; echo "%svariable $1 is '${value:-<empty>}'"; exit 1
          fi
        }
        """.formatted(FAIL, FAIL, FAIL));
    for (int i = 0; i < blocks.size(); i++) {
      ReadmeBlocks.Block block = blocks.get(i);
      String name = String.format("%02d.%s", i, block.python() ? "py" : "sh");
      Path file = blockDir.resolve(name);
      Files.writeString(file, rewritePorts(block.text(), ports));
      driver.append("printf '\\n%s\\n' '").append(START).append(i).append("'\n");
      if (block.python()) {
        driver.append("PYTHONPATH=\"$PWD/sdk/python/src${PYTHONPATH:+:$PYTHONPATH}\" python3 ")
            .append(file).append(" </dev/null\n");
      } else {
        driver.append("source ").append(file).append(" </dev/null\n");
      }
      for (String variable : block.captures()) {
        driver.append("readme_check_var ").append(variable).append('\n');
      }
      driver.append("printf '\\n%s\\n' '").append(END).append(i).append("'\n");
    }
    Path run = dir.resolve("run.sh");
    Files.writeString(run, driver);
    return run;
  }
}
