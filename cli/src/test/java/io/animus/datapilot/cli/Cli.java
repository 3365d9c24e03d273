package io.animus.datapilot.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/** Runs the datapilot command in-process with captured output and a given environment. */
final class Cli {
  static final String CI_SECRET = "cli-test-secret";

  /** One finished command: exit code, standard output and standard error. */
  record Result(int exit, String out, String err) {
    JsonNode json() {
      try {
        return Printer.JSON.readTree(out);
      } catch (java.io.IOException e) {
        throw new AssertionError("not JSON: " + out + "\nstderr: " + err, e);
      }
    }

    @Override
    public String toString() {
      return "exit " + exit + "\n--- stdout\n" + out + "--- stderr\n" + err;
    }
  }

  private final Map<String, String> env = new HashMap<>();

  Cli(String gatewayUrl) {
    env.put("ANIMUS_GATEWAY_URL", gatewayUrl);
    env.put("ANIMUS_CI_WEBHOOK_SECRET", CI_SECRET);
  }

  Cli without(String name) {
    env.remove(name);
    return this;
  }

  Result run(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    try (PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
         PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
      int exit = Main.run(new Terminal(o, e, Map.copyOf(env), false), args);
      return new Result(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }
  }

  static String unique(String prefix) {
    return prefix + "-" + java.util.UUID.randomUUID().toString().substring(0, 8);
  }
}
