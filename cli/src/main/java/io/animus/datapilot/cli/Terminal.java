package io.animus.datapilot.cli;

import java.io.PrintStream;
import java.util.Map;

/**
 * Where a command writes and what it may read: standard output and error, the environment and whether a person
 * is watching (standard input and output are a terminal), which decides progress bars and live views.
 */
public record Terminal(PrintStream out, PrintStream err, Map<String, String> env, boolean interactive) {
  /** The process's own streams and environment. */
  public static Terminal system() {
    return new Terminal(System.out, System.err, System.getenv(), System.console() != null);
  }

  /** The first non-blank value of {@code name}, else null. */
  String env(String name) {
    String v = env.get(name);
    return v == null || v.isBlank() ? null : v.strip();
  }
}
