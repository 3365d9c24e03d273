package io.animus.datapilot.readme;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Runs README.md as a new user would: command 1's server (fresh data dir, the CI secret), then every
 * runnable block in order in one bash, in a fresh directory holding {@code ./datapilot} (a wrapper that
 * execs the repository's launcher) and a copy of {@code sdk/python/src}, so nothing is written into the
 * checkout. Ports 8080/8081/8082 in the blocks become free ports. A new user has no DATAPILOT_* or
 * ANIMUS_* settings, so those are removed from the blocks' environment (only the launcher's
 * DATAPILOT_JAVA_OPTS is set). See {@link ReadmeBlocks} for which blocks run; the full output is kept in
 * {@code readme-test/target/readme-run.log}.
 */
class ReadmeTest {
  private static final List<Integer> README_PORTS = List.of(8080, 8081, 8082);

  @Test
  void everyBlockRunsInOrderAgainstAFreshServer() throws Exception {
    Path repo = Path.of(System.getProperty("readme.repoRoot", "..")).toAbsolutePath().normalize();
    List<ReadmeBlocks.Block> blocks = ReadmeBlocks.parse(Files.readString(repo.resolve("README.md")))
        .stream().filter(ReadmeBlocks.Block::runs).toList();
    assertThat(blocks).as("runnable README blocks").hasSizeGreaterThan(5);
    Path jar = repo.resolve("cli/target/datapilot.jar");
    assertThat(jar).as("the packaged CLI (build through the reactor: ./mvnw verify, or -pl readme-test -am)")
        .isRegularFile();
    Path work = Files.createTempDirectory("datapilot-readme-");
    try {
      prepare(repo, work);
      Map<Integer, Integer> ports = freePorts();
      Map<String, String> env = userEnvironment();
      Path output = Files.createDirectories(repo.resolve("readme-test/target")).resolve("readme-run.log");
      try (ReadmeServer server = ReadmeServer.start(jar, work,
          ports.get(8080), env)) {
        int rc = runBlocks(ReadmeScript.write(work.resolve(".readme"), blocks, ports), work, env, output);
        try {
          check(blocks, Files.readAllLines(output), rc, server);
        } finally {
          keepLogs(work, output.getParent().resolve("readme-logs"));
        }
      }
    } finally {
      deleteTree(work);
    }
  }

  private static void prepare(Path repo, Path work) throws IOException {
    Path launcher = work.resolve("datapilot");
    Files.writeString(launcher, "#!/bin/sh\nexec '" + repo.resolve("datapilot") + "' \"$@\"\n");
    launcher.toFile().setExecutable(true);
    copyTree(repo.resolve("sdk/python/src"), work.resolve("sdk/python/src"));
  }

  private static Map<Integer, Integer> freePorts() throws IOException {
    Map<Integer, Integer> ports = new HashMap<>();
    List<ServerSocket> held = new ArrayList<>();
    try {
      for (int port : README_PORTS) {
        ServerSocket socket = new ServerSocket(0);
        held.add(socket);
        ports.put(port, socket.getLocalPort());
      }
    } finally {
      for (ServerSocket socket : held) {
        socket.close();
      }
    }
    return ports;
  }

  /** The caller's environment without DATAPILOT_* and ANIMUS_* settings (a new user has none). */
  private static Map<String, String> userEnvironment() {
    Map<String, String> env = new HashMap<>(System.getenv());
    env.keySet().removeIf(k -> k.startsWith("DATAPILOT_") || k.startsWith("ANIMUS_"));
    env.put("PYTHONDONTWRITEBYTECODE", "1");
    // the launcher's documented JVM options: C1 only and the serial GC start the CLI block's ~17 short-lived
    // ./datapilot commands faster on a small machine; the commands themselves are the README's
    env.put("DATAPILOT_JAVA_OPTS", "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC");
    return env;
  }

  /** Runs the driver in its own session (setsid) and kills whatever the blocks left running. */
  private static int runBlocks(Path script, Path work, Map<String, String> env, Path output) throws Exception {
    ProcessBuilder builder = new ProcessBuilder("setsid", "bash", script.toString())
        .directory(work.toFile()).redirectErrorStream(true).redirectOutput(output.toFile());
    builder.environment().clear();
    builder.environment().putAll(env);
    Process bash = builder.start();
    try {
      // a hang guard, not a speed assertion
      if (!bash.waitFor(10, TimeUnit.MINUTES)) {
        return -1;
      }
      return bash.exitValue();
    } finally {
      killGroup(bash.pid());
    }
  }

  private static void killGroup(long pgid) throws Exception {
    for (String signal : List.of("TERM", "KILL")) {
      for (int i = 0; i < 120 && groupAlive(pgid); i++) {
        if (i == 0) {
          new ProcessBuilder("kill", "-" + signal, "--", "-" + pgid).start().waitFor();
        }
        Thread.sleep(250);
      }
    }
  }

  private static boolean groupAlive(long pgid) throws Exception {
    return new ProcessBuilder("kill", "-0", "--", "-" + pgid).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.DISCARD).start().waitFor() == 0;
  }

  /**
   * Passes when bash exited 0, every block reached its end marker and no block printed an API error body
   * ({@code {"error":"…"}}): a user would see that error, so the README must not show one.
   */
  private static void check(List<ReadmeBlocks.Block> blocks, List<String> out, int rc, ReadmeServer server) {
    for (int i = 0; i < blocks.size(); i++) {
      ReadmeBlocks.Block block = blocks.get(i);
      List<String> section = section(out, i);
      boolean ended = out.contains(ReadmeScript.END + i);
      if (!ended) {
        String where = section.stream().filter(l -> l.startsWith(ReadmeScript.FAIL)).findFirst()
            .map(l -> describe(l.substring(ReadmeScript.FAIL.length()), block))
            .orElse("bash exit code " + rc);
        fail(failure(block, "failed: " + where, section, server));
      }
      section.stream().filter(l -> l.contains("{\"error\":\"")).findFirst().ifPresent(l ->
          fail(failure(block, "printed an API error: " + l, section, server)));
    }
    assertThat(rc).as("bash exit code after the last block:\n" + String.join("\n", out)).isZero();
  }

  /** The output between block i's start marker and the next block's start (or the end). */
  private static List<String> section(List<String> out, int i) {
    int from = out.indexOf(ReadmeScript.START + i);
    if (from < 0) {
      return List.of();
    }
    int to = out.indexOf(ReadmeScript.START + (i + 1));
    return out.subList(from, to < 0 ? out.size() : to);
  }

  private static String failure(ReadmeBlocks.Block block, String what, List<String> section,
      ReadmeServer server) {
    return "README block at line " + block.firstLine() + " (" + block.title() + ") " + what
        + "\n--- its output ---\n" + String.join("\n", section)
        + "\n--- server log (tail) ---\n" + server.logTail();
  }

  private static String describe(String failure, ReadmeBlocks.Block block) {
    if (failure.startsWith("line=")) {
      int lineInBlock = Integer.parseInt(failure.substring(5, failure.indexOf(' ')));
      return "README line " + (block.firstLine() + lineInBlock - 1) + ", " + failure;
    }
    return failure;
  }

  /** The logs the blocks and the server wrote into the working directory (local-server.log, …). */
  private static void keepLogs(Path work, Path to) throws IOException {
    Files.createDirectories(to);
    try (Stream<Path> logs = Files.list(work)) {
      for (Path log : logs.filter(p -> p.getFileName().toString().endsWith(".log")).toList()) {
        Files.copy(log, to.resolve(log.getFileName()), StandardCopyOption.REPLACE_EXISTING);
      }
    }
  }

  static String tail(Path file, int lines) {
    try {
      List<String> all = Files.readAllLines(file);
      return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    } catch (IOException e) {
      return "(no log: " + e + ")";
    }
  }

  private static void copyTree(Path from, Path to) throws IOException {
    try (Stream<Path> paths = Files.walk(from)) {
      for (Path p : paths.filter(p -> !p.toString().contains("__pycache__")).toList()) {
        Path target = to.resolve(from.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(target);
        } else {
          Files.copy(p, target, StandardCopyOption.REPLACE_EXISTING);
        }
      }
    }
  }

  private static void deleteTree(Path root) throws IOException {
    try (Stream<Path> paths = Files.walk(root)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> {
        try {
          Files.deleteIfExists(p);
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      });
    }
  }
}
