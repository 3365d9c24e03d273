package io.animus.datapilot.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.animus.datapilot.testing.TestServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code execute} and {@code runs tail} of runs executed by the local executor (python3 jobs). */
class CliTailTest {
  /**
   * A job that reports metrics and events over about two seconds, then exits with its first argument; with
   * {@code WAIT_FOR} it starts only once that file exists.
   */
  static final String TRAIN = """
      import json, os, sys, time, urllib.request
      base = os.environ["DATAPILOT_URL"] + "/api/experiments/experiment-runs/" + os.environ["RUN_ID"]
      def post(path, body):
          req = urllib.request.Request(base + path, data=json.dumps(body).encode(), method="POST",
              headers={"Content-Type": "application/json", "Authorization": "Bearer " + os.environ["TOKEN"]})
          urllib.request.urlopen(req).read()
      while os.environ.get("WAIT_FOR") and not os.path.exists(os.environ["WAIT_FOR"]):
          time.sleep(0.1)
      for step in range(int(os.environ.get("STEPS", "4"))):
          post("/metrics", {"step": step, "metrics": {"loss": 1.0 / (step + 1), "acc": 0.5 + step / 10}})
          post("/events", {"message": "epoch %d done" % step})
          time.sleep(float(os.environ.get("PAUSE", "0.5")))
      print("training finished", flush=True)
      sys.exit(int(sys.argv[1]))
      """;

  static TestServer server;
  static Cli cli;
  static String experiment;
  static String versionId;
  @TempDir
  static Path dir;
  static Path script;

  @BeforeAll
  static void start() throws Exception {
    server = TestServer.start(Map.of("DATAPILOT_EXECUTOR", "local"));
    cli = new Cli(server.baseUrl());
    script = dir.resolve("train.py");
    Files.writeString(script, TRAIN);
    experiment = Cli.unique("tail");
    assertThat(cli.run("experiments", "create", experiment).exit()).isZero();
    versionId = pushDataset(cli, dir);
  }

  static String pushDataset(Cli cli, Path dir) throws Exception {
    String dataset = Cli.unique("data");
    assertThat(cli.run("datasets", "create", dataset).exit()).isZero();
    Path csv = dir.resolve(dataset + ".csv");
    Files.writeString(csv, "x\n" + dataset + "\n");
    return cli.run("datasets", "push", dataset, csv.toString(), "--json").json().path("version_id").asText();
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  private String execute(String exitCode) {
    Cli.Result started = cli.run("execute", "-e", experiment, "--dataset-version", versionId, "--image", "local/train:dev",
        "--git-commit", "deadbeef", "--param", "lr=0.01", "--json", "--", "python3", "-u", script.toString(), exitCode);
    assertThat(started.exit()).as(started.toString()).isZero();
    assertThat(started.json().path("status").asText()).isIn("running", "pending");
    return started.json().path("run_id").asText();
  }

  @Test
  void tailOfASucceedingRunShowsEventsAndMetricsAndExitsZero() {
    String runId = execute("0");
    Cli.Result tail = cli.run("runs", "tail", runId);
    assertThat(tail.exit()).as(tail.toString()).isZero();
    assertThat(tail.out()).contains("INFO   run running").contains("INFO   epoch 0 done").contains("INFO   epoch 3 done")
        .contains("metrics: step=").contains("loss=").contains("training finished")
        .containsPattern("Run " + runId + " succeeded after \\d+s");
    // events come in the order they were written
    assertThat(tail.out().indexOf("epoch 0 done")).isLessThan(tail.out().indexOf("epoch 3 done"));
    assertThat(cli.run("runs", "show", runId).out()).containsPattern("Status:\\s+succeeded")
        .containsPattern("Metrics:\\s+acc=0.8 loss=0.25");
  }

  @Test
  void tailPrintsOneMetricsLinePerIntervalWithTheLatestValues() {
    String runId = execute("0");
    Cli.Result tail = cli.run("runs", "tail", runId, "--interval", "1h");
    assertThat(tail.exit()).as(tail.toString()).isZero();
    List<String> lines = metricLines(tail.out());
    // at most the values already there when it started and the final ones: never one line per sample
    assertThat(lines).as(tail.out()).hasSizeBetween(1, 2);
    assertThat(lines.get(lines.size() - 1)).startsWith("metrics: step=3 ").contains("acc=0.8").contains("loss=0.25");
    assertThat(tail.out()).contains("INFO   epoch 3 done").containsPattern("Run " + runId + " succeeded after");

    Cli.Result all = cli.run("runs", "tail", runId, "--all");
    assertThat(all.exit()).isZero();
    assertThat(metricLines(all.out())).isNotEmpty().allSatisfy(l -> assertThat(l).matches("metrics: step=\\d+( \\w+=[\\d.]+)+"));
    assertThat(cli.run("runs", "tail", runId, "--interval", "soon").exit()).isEqualTo(2);
    assertThat(cli.run("runs", "tail", runId, "--interval", "0s").exit()).isEqualTo(2);
  }

  private static List<String> metricLines(String out) {
    List<String> lines = new ArrayList<>();
    for (String line : out.split("\n")) {
      if (line.startsWith("metrics: ")) {
        lines.add(line);
      }
    }
    return lines;
  }

  @Test
  void tailOfAFailingRunExitsOne() {
    String runId = execute("3");
    Cli.Result tail = cli.run("runs", "tail", runId);
    assertThat(tail.exit()).as(tail.toString()).isEqualTo(1);
    assertThat(tail.out()).contains("ERROR  run failed").containsPattern("Run " + runId + " failed after");
    // a run that has already ended: the history is replayed and the exit code is the same
    Cli.Result again = cli.run("runs", "tail", runId);
    assertThat(again.exit()).isEqualTo(1);
    assertThat(again.out()).contains("epoch 3 done").contains("run failed");
  }

  @Test
  void tailJsonPrintsOneFramePerLine() throws Exception {
    String runId = execute("0");
    Cli.Result tail = cli.run("runs", "tail", runId, "--json");
    assertThat(tail.exit()).as(tail.toString()).isZero();
    List<JsonNode> frames = new ArrayList<>();
    for (String line : tail.out().split("\n")) {
      frames.add(Printer.JSON.readTree(line));
    }
    List<String> kinds = new ArrayList<>();
    frames.forEach(f -> kinds.add(f.path("event").asText()));
    assertThat(kinds.get(0)).isEqualTo("ready");
    assertThat(kinds).contains("status", "event");
    JsonNode lastStatus = null;
    List<String> messages = new ArrayList<>();
    for (JsonNode f : frames) {
      if ("status".equals(f.path("event").asText())) {
        lastStatus = f;
      }
      if ("event".equals(f.path("event").asText())) {
        messages.add(f.path("data").path("message").asText());
        assertThat(f.path("id").asLong()).isEqualTo(f.path("data").path("event_id").asLong());
      }
    }
    assertThat(lastStatus.path("data").path("status").asText()).isEqualTo("succeeded");
    assertThat(messages).contains("epoch 0 done", "epoch 3 done", "training finished");
    // metrics come as one line per interval with the latest value of each, never as raw frames
    List<JsonNode> metricLines = frames.stream().filter(f -> "metrics".equals(f.path("event").asText())).toList();
    assertThat(metricLines).isNotEmpty().allSatisfy(f -> assertThat(f.has("data")).isFalse());
    JsonNode last = metricLines.get(metricLines.size() - 1);
    assertThat(last.path("step").asLong()).isEqualTo(3);
    assertThat(last.path("metrics").path("acc").asDouble()).isEqualTo(0.8);
    assertThat(last.path("metrics").path("loss").asDouble()).isEqualTo(0.25);
  }

  @Test
  void executeFollowAndCancel() {
    Cli.Result followed = cli.run("execute", "-e", experiment, "--dataset-version", versionId, "--image", "local/train:dev",
        "--git-commit", "deadbeef", "--env", "STEPS=2", "--follow", "--", "python3", "-u", script.toString(), "0");
    assertThat(followed.exit()).as(followed.toString()).isZero();
    assertThat(followed.out()).startsWith("Started run ").contains("epoch 1 done").doesNotContain("epoch 2 done")
        .contains(" succeeded after ");

    Cli.Result slow = cli.run("execute", "-e", experiment, "--dataset-version", versionId, "--image", "local/train:dev",
        "--git-commit", "deadbeef", "--env", "PAUSE=30", "--json", "--", "python3", "-u", script.toString(), "0");
    String runId = slow.json().path("run_id").asText();
    assertThat(cli.run("runs", "cancel", runId).out()).contains("is canceled");
    Cli.Result tail = cli.run("runs", "tail", runId);
    assertThat(tail.exit()).isEqualTo(1);
    assertThat(tail.out()).contains(" canceled");

    Cli.Result noCommit = cli.run("execute", "-e", experiment, "--dataset-version", versionId, "--image", "local/train:dev",
        "--", "python3", script.toString());
    assertThat(noCommit.exit()).isEqualTo(1);
    assertThat(noCommit.err()).contains("git_commit_required");
    assertThat(cli.run("execute", "-e", experiment, "--image", "x").exit()).isEqualTo(2);
    assertThat(cli.run("execute", "-e", experiment, "--dataset-version", versionId, "--image", "x", "--param", "novalue")
        .exit()).isEqualTo(2);
  }
}
