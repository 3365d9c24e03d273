package io.animus.datapilot.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.animus.datapilot.testing.TestServer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real {@code ./datapilot} launcher in a tmux pane, as a person sees it: the progress bar of
 * {@code datasets push} and the live view of {@code runs tail}, read back with {@code capture-pane}.
 */
class CliTmuxIT {
  private static final Path ROOT = Path.of(System.getProperty("datapilot.repoRoot", "..")).toAbsolutePath().normalize();
  private static final String SOCKET = "datapilot-it-" + ProcessHandle.current().pid();
  private static int commands;
  private static Path socketPath;
  private static final Pattern BAR = Pattern.compile(
      "push big\\.bin\\s+\\[=*>?\\s*\\]\\s+(\\d+)%\\s+[\\d.]+ [KMG]?i?B / 24 MiB\\s+[\\d.]+ [KMG]?i?B/s");

  static TestServer server;
  static Cli cli;
  @TempDir
  static Path dir;

  @BeforeAll
  static void start() throws Exception {
    assumeTrue(run(List.of("sh", "-c", "command -v tmux")).contains("tmux"), "tmux is not installed (apt-get install tmux)");
    server = TestServer.start(Map.of("DATAPILOT_EXECUTOR", "local"));
    cli = new Cli(server.baseUrl());
    tmux("new-session", "-d", "-s", "cli", "-x", "200", "-y", "50", "bash", "--norc", "--noprofile");
    socketPath = Path.of(tmux("display-message", "-p", "#{socket_path}").strip());
    send("export LANG=C.UTF-8 PS1='$ ' ANIMUS_GATEWAY_URL=" + server.baseUrl() + "; cd " + dir);
  }

  @AfterAll
  static void stop() throws Exception {
    if (server != null) {
      tmux("kill-server");
      Files.deleteIfExists(socketPath);
      server.close();
    }
  }

  @Test
  void datasetsPushShowsAProgressBar() throws Exception {
    CliTransferTest.writeRandom(dir.resolve("big.bin"), 24L << 20);
    String dataset = Cli.unique("tmux");
    assertThat(cli.run("datasets", "create", dataset).exit()).isZero();
    List<Integer> percents = new ArrayList<>();
    String last = runInPane(ROOT.resolve("datapilot") + " datasets push " + dataset + " big.bin --limit-rate 4M", screen -> {
      Matcher m = BAR.matcher(screen);
      while (m.find()) {
        percents.add(Integer.parseInt(m.group(1)));
      }
    });
    assertThat(last).contains("Pushed big.bin as version 1");
    assertThat(percents).as(last).anyMatch(p -> p > 0 && p < 100);
    assertThat(percents).contains(100);
    assertThat(last).containsPattern("\\[={24}\\]\\s+100%\\s+24 MiB / 24 MiB");
  }

  @Test
  void runsTailShowsTheLiveView() throws Exception {
    Path script = dir.resolve("train.py");
    Files.writeString(script, CliTailTest.TRAIN);
    String experiment = Cli.unique("tmux");
    assertThat(cli.run("experiments", "create", experiment).exit()).isZero();
    String version = CliTailTest.pushDataset(cli, dir);
    Path go = dir.resolve("go");
    Cli.Result started = cli.run("execute", "-e", experiment, "--dataset-version", version, "--image", "local/train:dev",
        "--git-commit", "deadbeef", "--env", "STEPS=8", "--env", "PAUSE=1", "--env", "WAIT_FOR=" + go, "--json",
        "--", "python3", "-u", script.toString(), "0");
    String runId = started.json().path("run_id").asText();
    List<String> live = new ArrayList<>();
    Pattern metricsLine = Pattern.compile("metrics: step=\\d \\w+=[\\d.]+ \\w+=[\\d.]+");
    String last = runInPane(ROOT.resolve("datapilot") + " runs tail " + runId + " --interval 1s", screen -> {
      // the job trains only once the tail is following, so the lines are on screen while it runs
      if (screen.contains("Following run " + runId) && !Files.exists(go)) {
        try {
          Files.createFile(go);
        } catch (java.io.IOException e) {
          throw new java.io.UncheckedIOException(e);
        }
      }
      if (screen.contains("Following run " + runId) && screen.contains("epoch 0 done")
          && metricsLine.matcher(screen).find() && !screen.contains("Run " + runId + " succeeded")) {
        live.add(screen);
      }
    });
    assertThat(live).as(last).isNotEmpty();
    // one metrics line per interval, not one per sample: 8 steps of one second give at most about 10 lines
    Matcher lines = metricsLine.matcher(last);
    int count = 0;
    while (lines.find()) {
      count++;
    }
    assertThat(count).as(last).isBetween(1, 12);
    assertThat(last).contains("epoch 7 done").contains("training finished").containsPattern("metrics: step=7 ")
        .contains("Run " + runId + " succeeded after");
    assertThat(last.indexOf("epoch 0 done")).isLessThan(last.indexOf("epoch 7 done"));
  }

  @Test
  void pullInterruptedWithCtrlCResumesWhenRunAgain() throws Exception {
    Path source = dir.resolve("pull-src.bin");
    CliTransferTest.writeRandom(source, 24L << 20);
    String dataset = Cli.unique("tmux-pull");
    assertThat(cli.run("datasets", "create", dataset).exit()).isZero();
    String version = cli.run("datasets", "push", dataset, source.toString(), "--json").json().path("version_id").asText();
    String pull = ROOT.resolve("datapilot") + " datasets pull " + version + " -o pulled.bin";
    send("clear; " + pull + " --limit-rate 3M");
    waitFor(screen -> Pattern.compile("pull pulled\\.bin\\s+\\[=*>?\\s*\\]\\s+([5-9]|[1-9]\\d)%").matcher(screen).find());
    tmux("send-keys", "-t", "cli", "C-c");
    String interrupted = waitFor(screen -> screen.contains("run the same command again to resume"));
    assertThat(interrupted).containsPattern("interrupted; [\\d.]+ (KiB|MiB) kept in pulled\\.bin\\.tmp");
    String resumed = runInPane(pull, screen -> { });
    assertThat(resumed).containsPattern("verified, resumed at [\\d.]+ (KiB|MiB)\\)");
    assertThat(CliTransferTest.sha256(dir.resolve("pulled.bin"))).isEqualTo(CliTransferTest.sha256(source));
  }

  /**
   * Runs {@code command} in the pane on a cleared screen, showing each captured screen to {@code observe}, until
   * the command has ended; asserts that it exited 0 and answers the last screen.
   */
  private static String runInPane(String command, java.util.function.Consumer<String> observe) throws Exception {
    String marker = "DONE" + (++commands);
    send("clear; " + command + "; echo " + marker + "=$?");
    Pattern done = Pattern.compile(marker + "=(\\d+)");
    String last = waitFor(screen -> {
      observe.accept(screen);
      return done.matcher(screen).find();
    });
    assertThat(last).as(last).contains(marker + "=0");
    return last;
  }

  private static String waitFor(Predicate<String> done) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(240);
    String screen = "";
    while (System.nanoTime() < deadline) {
      screen = tmux("capture-pane", "-p", "-t", "cli");
      if (done.test(screen)) {
        return screen;
      }
      Thread.sleep(150);
    }
    throw new AssertionError("timed out; the screen shows:\n" + screen);
  }

  private static void send(String line) throws Exception {
    tmux("send-keys", "-t", "cli", line, "Enter");
  }

  private static String tmux(String... args) throws Exception {
    List<String> cmd = new ArrayList<>(List.of("tmux", "-L", SOCKET));
    cmd.addAll(List.of(args));
    return run(cmd);
  }

  private static String run(List<String> cmd) throws IOException, InterruptedException {
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
    pb.environment().putIfAbsent("TERM", "xterm-256color");
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    p.waitFor();
    return out;
  }
}
