package io.animus.datapilot.execution;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.animus.datapilot.ci.CiSignature;
import io.animus.datapilot.testing.TestClient;
import io.animus.datapilot.testing.TestServer;
import io.animus.sdk.DatasetVersion;
import io.animus.sdk.Experiment;
import io.animus.sdk.NewRun;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** docs/protocol.md §8 with the local executor, over real HTTP and real processes. */
@Timeout(120)
class ExecutionHttpTest {
  static final String EXECUTE = "/api/experiments/experiments/runs:execute";
  static final String RUNS = "/api/experiments/experiment-runs/";
  static final String SECRET = "execution-test-ci-secret";
  static final String DATASET_BYTES = "x,y\n1,2\n";
  static TestServer server;
  static TestClient client;
  static String experimentId;
  static String versionId;

  @BeforeAll
  static void start() {
    server = TestServer.start(Map.of("DATAPILOT_EXECUTOR", "local", "DATAPILOT_EXECUTOR_SYNC_INTERVAL", "1s",
        "ANIMUS_CI_WEBHOOK_SECRET", SECRET));
    client = server.client();
    experimentId = newExperiment(client);
    versionId = newVersion(client);
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  /** A new experiment, made through the Java SDK with {@code c}'s token. */
  static String newExperiment(TestClient c) {
    String name = "exec-" + UUID.randomUUID();
    Experiment e = c.sdk().createExperiment(name, null, null);
    assertThat(e.name()).isEqualTo(name);
    return e.experimentId();
  }

  /** A new dataset with one version ({@code train.csv}), uploaded through the Java SDK with {@code c}'s token. */
  static String newVersion(TestClient c) {
    String datasetId = c.datasets().createDataset("ds-" + UUID.randomUUID(), null, null).datasetId();
    try {
      Path dir = Files.createTempDirectory("exec-dataset");
      Path file = Files.writeString(dir.resolve("train.csv"), DATASET_BYTES, StandardCharsets.UTF_8);
      DatasetVersion v = c.datasets().uploadDatasetVersion(datasetId, file, null, null);
      Files.delete(file);
      Files.delete(dir);
      assertThat(v.datasetId()).isEqualTo(datasetId);
      assertThat(v.sizeBytes()).isEqualTo(DATASET_BYTES.getBytes(StandardCharsets.UTF_8).length);
      return v.versionId();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A body with the required fields, a git commit and the given extra JSON members. */
  static String body(String extra) {
    return "{\"dataset_version_id\":\"" + versionId + "\",\"experiment_id\":\"" + experimentId
        + "\",\"image_ref\":\"local/train:dev\",\"git_commit\":\"abc123\",\"params\":{\"lr\":0.1},"
        + "\"resources\":{}" + (extra.isEmpty() ? "" : "," + extra) + "}";
  }

  static String shell(String script) {
    return "\"command\":[\"sh\",\"-c\"," + io.animus.datapilot.kernel.Json.writeString(script) + "]";
  }

  static JsonNode execute(String json) {
    var r = client.post(EXECUTE, json);
    assertThat(r.status()).as(r.text()).isEqualTo(201);
    return r.json();
  }

  static JsonNode waitForRun(String runId, Predicate<String> status) throws InterruptedException {
    while (true) {
      JsonNode run = client.get(RUNS + runId).json();
      if (status.test(run.get("status").asText())) {
        return run;
      }
      Thread.sleep(200);
    }
  }

  static JsonNode waitTerminal(String runId) throws InterruptedException {
    return waitForRun(runId, s -> Set.of("succeeded", "failed", "canceled").contains(s));
  }

  static List<JsonNode> events(String runId) {
    List<JsonNode> out = new ArrayList<>();
    client.get(RUNS + runId + "/events?limit=1000").json().get("events").forEach(out::add);
    java.util.Collections.reverse(out); // oldest first
    return out;
  }

  static List<JsonNode> states(String runId) {
    List<JsonNode> out = new ArrayList<>();
    client.get(RUNS + runId + "/states").json().get("states").forEach(out::add);
    return out;
  }

  static void registerImage(String digest, String repo, String commit) {
    String json = "{\"commit_sha\":\"" + commit + "\",\"image_digest\":\"" + digest
        + "\",\"pipeline_id\":\"build-1\",\"provider\":\"github_actions\",\"repo\":\"" + repo + "\"}";
    byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
    String ts = String.valueOf(System.currentTimeMillis() / 1000);
    var r = client.sendBytes("POST", "/api/experiments/ci/report", bytes, Map.of("Content-Type", "application/json",
        "X-Animus-CI-Ts", ts, "X-Animus-CI-Sig", CiSignature.sign(SECRET, ts, "POST", bytes)));
    assertThat(r.status()).as(r.text()).isEqualTo(201);
  }

  static void expectError(String json, int status, String code) {
    var r = client.post(EXECUTE, json);
    assertThat(r.status()).as(json + " -> " + r.text()).isEqualTo(status);
    assertThat(r.error()).as(json).isEqualTo(code);
  }

  @Test
  void withoutAnExecutorExecuteIs501NamingTheSetting() {
    try (TestServer plain = TestServer.start()) {
      var r = plain.client().post(EXECUTE, "not even json", Map.of("Idempotency-Key", "k1"));
      assertThat(r.status()).isEqualTo(501);
      assertThat(r.error()).isEqualTo("training_executor_disabled");
      assertThat(r.json().get("message").asText()).contains("DATAPILOT_EXECUTOR");
    }
  }

  @Test
  void checksComeInTheProtocolsOrder() {
    expectError("{}", 400, "experiment_id_required");
    expectError("{\"experiment_id\":\"x\",\"env\":{\"TOKEN\":\"x\"}}", 400, "dataset_version_id_required");
    expectError("{\"experiment_id\":\"x\",\"dataset_version_id\":\"y\",\"params\":[]}", 400, "image_ref_required");
    expectError("{\"experiment_id\":\"x\",\"dataset_version_id\":\"y\",\"image_ref\":\"i\",\"params\":[],"
        + "\"resources\":{\"gpus\":-1}}", 400, "invalid_params");
    for (String resources : List.of("[]", "{\"gpus\":-1}", "{\"gpus\":1.5}", "{\"gpus\":\"two\"}", "{\"cpu\":0}",
        "{\"cpu\":\"-1\"}", "{\"memory\":\"lots\"}", "{\"memory\":-5}")) {
      expectError(body("\"resources\":" + resources + ",\"command\":[]").replace(",\"resources\":{}", ""), 400,
          "invalid_resources");
    }
    for (String command : List.of("[]", "\"sh\"", "[1]", "[\"\"]")) {
      expectError(body("\"command\":" + command + ",\"env\":{\"TOKEN\":\"x\"}"), 400, "invalid_command");
    }
    expectError(body("\"env\":{\"TOKEN\":\"x\"}"), 400, "command_required");
    for (String env : List.of("{\"TOKEN\":\"x\"}", "{\"RUN_ID\":\"x\"}", "{\"DATAPILOT_URL\":\"x\"}",
        "{\"1BAD\":\"x\"}", "{\"A-B\":\"x\"}", "{\"OK\":1}", "[]")) {
      expectError(body("\"command\":[\"true\"],\"env\":" + env), 400, "invalid_env");
    }
    // well-formed resources are accepted (and recorded, not enforced)
    JsonNode ok = execute(body("\"command\":[\"true\"]").replace("\"resources\":{}",
        "\"resources\":{\"gpus\":\"2\",\"cpu\":0.5,\"memory\":\"512Mi\",\"other\":true}"));
    JsonNode execution = client.get(RUNS + ok.get("run_id").asText() + "/execution").json();
    assertThat(execution.get("resources").toString())
        .isEqualTo("{\"gpus\":\"2\",\"cpu\":0.5,\"memory\":\"512Mi\",\"other\":true}");
  }

  @Test
  void missingExperimentOrVersionIs404() {
    String unknown = UUID.randomUUID().toString();
    expectError(body("\"command\":[\"true\"]").replace(experimentId, unknown), 404, "not_found");
    expectError(body("\"command\":[\"true\"]").replace(experimentId, "not-a-uuid"), 404, "not_found");
    expectError(body("\"command\":[\"true\"]").replace(versionId, unknown), 404, "not_found");
    assertThat(client.get(RUNS + unknown + "/execution").status()).isEqualTo(404);
    assertThat(client.get(RUNS + unknown + "/build-context").status()).isEqualTo(404);
    assertThat(client.post(RUNS + unknown + ":cancel", "").status()).isEqualTo(404);
    String plainRun = client.sdk().createRun(experimentId, NewRun.withStatus("running")).runId();
    var r = client.get(RUNS + plainRun + "/execution");
    assertThat(r.status()).isEqualTo(404);
    assertThat(r.error()).isEqualTo("not_found");
  }

  @Test
  void registeredImagesFillAndGuardTheGitFields() throws InterruptedException {
    String hex = UUID.randomUUID().toString().replace("-", "").repeat(2);
    String digest = "sha256:" + hex;
    registerImage(digest, "ghcr.io/acme/train", "deadbeef");
    String ref = "ghcr.io/acme/train:v1@sha256:" + hex.toUpperCase();
    String base = "{\"dataset_version_id\":\"" + versionId + "\",\"experiment_id\":\"" + experimentId
        + "\",\"image_ref\":\"" + ref + "\",\"params\":{},\"resources\":{},\"command\":[\"true\"]";
    expectError(base + ",\"git_repo\":\"github.com/other/repo\"}", 409, "git_repo_conflict");
    expectError(base + ",\"git_commit\":\"cafebabe\"}", 409, "git_commit_conflict");
    JsonNode filled = execute(base + "}");
    JsonNode run = client.get(RUNS + filled.get("run_id").asText()).json();
    assertThat(run.get("git_repo").asText()).isEqualTo("ghcr.io/acme/train");
    assertThat(run.get("git_commit").asText()).isEqualTo("deadbeef");
    JsonNode sameCommit = execute(base + ",\"git_commit\":\"DEADBEEF\",\"git_ref\":\"refs/heads/main\"}");
    assertThat(client.get(RUNS + sameCommit.get("run_id").asText()).json().get("git_ref").asText())
        .isEqualTo("refs/heads/main");

    JsonNode context = client.get(RUNS + filled.get("run_id").asText() + "/build-context").json();
    assertThat(context.get("run_id").asText()).isEqualTo(filled.get("run_id").asText());
    assertThat(context.get("image_ref").asText()).isEqualTo(ref);
    assertThat(context.get("image_digest").asText()).isEqualTo(digest);
    assertThat(context.get("repo").asText()).isEqualTo("ghcr.io/acme/train");
    assertThat(context.get("commit_sha").asText()).isEqualTo("deadbeef");
    assertThat(context.get("pipeline_id").asText()).isEqualTo("build-1");
    assertThat(context.get("provider").asText()).isEqualTo("github_actions");
    assertThat(context.has("received_at")).isTrue();

    String unregistered = "{\"dataset_version_id\":\"" + versionId + "\",\"experiment_id\":\"" + experimentId
        + "\",\"image_ref\":\"reg/x@sha256:" + "0".repeat(64) + "\",\"params\":{},\"resources\":{},"
        + "\"command\":[\"true\"]}";
    expectError(unregistered, 400, "git_commit_required");
    expectError(unregistered.replace("reg/x@sha256:" + "0".repeat(64), "train:latest"), 400,
        "git_commit_required");
    JsonNode unpinned = execute(body("\"command\":[\"true\"]"));
    JsonNode bare = client.get(RUNS + unpinned.get("run_id").asText() + "/build-context").json();
    assertThat(bare.has("image_digest")).isFalse();
    assertThat(bare.has("repo")).isFalse();
    waitTerminal(filled.get("run_id").asText());
  }

  @Test
  void aRealJobReportsWithItsTokenDownloadsItsDatasetAndSucceeds() throws InterruptedException {
    String script = String.join("\n",
        "set -e",
        "echo \"starting $RUN_ID with $TOKEN\"",
        "AUTH=\"Authorization: Bearer $TOKEN\"",
        "R=\"$DATAPILOT_URL/api/experiments/experiment-runs/$RUN_ID\"",
        "curl -sSf -X POST -H \"$AUTH\" -H 'Content-Type: application/json' "
            + "-d '{\"step\":1,\"metrics\":{\"loss\":0.25}}' \"$R/metrics\" > /dev/null",
        "curl -sSf -X POST -H \"$AUTH\" -H 'Content-Type: application/json' "
            + "-d '{\"message\":\"hello from the job\"}' \"$R/events\" > /dev/null",
        "curl -sSf -H \"$AUTH\" -o data.csv "
            + "\"$DATAPILOT_URL/api/dataset-registry/dataset-versions/$DATASET_VERSION_ID/download\"",
        "echo \"dataset lines: $(wc -l < data.csv)\"",
        "printf 'weights' > model.bin",
        "curl -sSf -H \"$AUTH\" -F kind=model -F name=model -F file=@model.bin \"$R/artifacts\" > /dev/null",
        "echo \"kind=$ANIMUS_JOB_KIND extra=$EXTRA pwd=$(basename $(dirname $PWD))\"",
        "echo \"names: $(env | cut -d= -f1 | sort | tr '\\n' ' ')\"",
        "echo done");
    JsonNode answer = execute(body(shell(script) + ",\"env\":{\"EXTRA\":\"yes\"}"));
    String runId = answer.get("run_id").asText();
    assertThat(answer.get("status").asText()).isIn("running", "pending", "succeeded");
    assertThat(answer.get("datapilot_url").asText()).isEqualTo("http://localhost:" + server.app().port());
    assertThat(answer.get("execution_id").asText()).isNotEmpty();

    JsonNode run = waitTerminal(runId);
    assertThat(run.get("status").asText()).as(events(runId).toString()).isEqualTo("succeeded");
    assertThat(run.get("dataset_version_id").asText()).isEqualTo(versionId);
    assertThat(run.get("git_commit").asText()).isEqualTo("abc123");
    assertThat(run.get("params").get("lr").asDouble()).isEqualTo(0.1);
    assertThat(states(runId)).extracting(s -> s.get("status").asText())
        .containsExactly("pending", "running", "succeeded");
    JsonNode pending = states(runId).get(0).get("details");
    assertThat(pending.get("executor").asText()).isEqualTo("local");
    assertThat(pending.get("dataset_version_id").asText()).isEqualTo(versionId);

    var metrics = client.get(RUNS + runId + "/metrics?name=loss").json().get("samples");
    assertThat(metrics).hasSize(1);
    assertThat(metrics.get(0).get("recorded_by").asText()).isEqualTo("run:" + runId + ":dv:" + versionId);

    List<JsonNode> events = events(runId);
    List<String> messages = events.stream().map(e -> e.get("message").asText()).toList();
    assertThat(messages).contains("hello from the job", "run pending", "run running", "run succeeded",
        "dataset lines: 2", "kind=training extra=yes pwd=" + runId, "done");
    List<JsonNode> logLines = events.stream()
        .filter(e -> "job_log".equals(e.path("metadata").path("source").asText())).toList();
    assertThat(logLines).allSatisfy(e -> {
      assertThat(e.get("actor").asText()).isEqualTo("system");
      assertThat(e.get("level").asText()).isEqualTo("info");
      assertThat(e.get("message").asText()).doesNotContain("animus_run_v1.");
    });
    assertThat(logLines).anySatisfy(e -> assertThat(e.get("message").asText())
        .isEqualTo("starting " + runId + " with [REDACTED]"));
    String names = messages.stream().filter(m -> m.startsWith("names: ")).findFirst().orElseThrow();
    Set<String> seen = new HashSet<>(List.of(names.substring(7).trim().split(" ")));
    Set<String> allowed = new HashSet<>(List.of("PATH", "HOME", "USER", "LANG", "TZ", "TMPDIR", "PYTHONPATH",
        "VIRTUAL_ENV", "JAVA_HOME", "RUN_ID", "DATASET_VERSION_ID", "DATAPILOT_URL", "TOKEN", "ANIMUS_JOB_KIND",
        "EXTRA", "PWD", "OLDPWD", "SHLVL", "_"));
    assertThat(seen).allSatisfy(n -> assertThat(allowed.contains(n) || n.startsWith("LC_")).as(n).isTrue());
    assertThat(seen).contains("TOKEN", "RUN_ID", "DATAPILOT_URL", "DATASET_VERSION_ID", "ANIMUS_JOB_KIND");

    JsonNode models = client.get(RUNS + runId + "/artifacts?kind=model").json().get("artifacts");
    assertThat(models).hasSize(1);
    assertThat(models.get(0).get("size_bytes").asLong()).isEqualTo(7);
    assertThat(models.get(0).get("created_by").asText()).isEqualTo("run:" + runId + ":dv:" + versionId);
    JsonNode artifacts = client.get(RUNS + runId + "/artifacts?kind=log").json().get("artifacts");
    assertThat(artifacts).hasSize(1);
    JsonNode log = artifacts.get(0);
    assertThat(log.get("name").asText()).isEqualTo("job-log");
    assertThat(log.get("filename").asText()).isEqualTo("job.log");
    assertThat(log.get("content_type").asText()).isEqualTo("text/plain; charset=utf-8");
    assertThat(log.get("created_by").asText()).isEqualTo("system");
    assertThat(log.get("metadata").size()).isZero();
    String text = client.get(RUNS + runId + "/artifacts/" + log.get("artifact_id").asText() + "/download").text();
    assertThat(text).contains("dataset lines: 2").endsWith("done\n");

    JsonNode execution = client.get(RUNS + runId + "/execution").json();
    assertThat(execution.get("execution_id").asText()).isEqualTo(answer.get("execution_id").asText());
    assertThat(execution.get("run_id").asText()).isEqualTo(runId);
    assertThat(execution.get("executor").asText()).isEqualTo("local");
    assertThat(execution.get("image_ref").asText()).isEqualTo("local/train:dev");
    assertThat(execution.has("image_digest")).isFalse();
    assertThat(execution.get("command").get(0).asText()).isEqualTo("sh");
    assertThat(execution.get("process_id").asLong()).isPositive();
    assertThat(execution.get("datapilot_url").asText()).isEqualTo(answer.get("datapilot_url").asText());
    assertThat(execution.get("created_by").asText()).isEqualTo("dev-user");
    assertThat(execution.has("created_at")).isTrue();
  }

  @Test
  void aFailingJobEndsFailedWithItsExitCodeAndLastLines() throws InterruptedException {
    JsonNode answer = execute(body(shell("for i in $(seq 1 60); do echo line $i; done; echo boom >&2; exit 3")));
    String runId = answer.get("run_id").asText();
    JsonNode run = waitTerminal(runId);
    assertThat(run.get("status").asText()).isEqualTo("failed");
    JsonNode failed = states(runId).get(states(runId).size() - 1);
    assertThat(failed.get("status").asText()).isEqualTo("failed");
    assertThat(failed.get("details").get("exit_code").asInt()).isEqualTo(3);
    List<JsonNode> events = events(runId);
    List<String> logLines = events.stream()
        .filter(e -> "job_log".equals(e.path("metadata").path("source").asText()))
        .map(e -> e.get("message").asText()).toList();
    assertThat(logLines).hasSize(50).endsWith("line 60", "boom").doesNotContain("line 10");
    assertThat(events).anySatisfy(e -> {
      assertThat(e.get("message").asText()).isEqualTo("run failed (exit_code 3)");
      assertThat(e.get("level").asText()).isEqualTo("error");
      assertThat(e.get("actor").asText()).isEqualTo("system");
    });
  }

  @Test
  void cancelStopsTheProcessGroupAndIsRepeatable() throws InterruptedException {
    JsonNode answer = execute(body(shell("echo sleeping; sleep 300 & wait")));
    String runId = answer.get("run_id").asText();
    waitForRun(runId, "running"::equals);
    long pid = client.get(RUNS + runId + "/execution").json().get("process_id").asLong();
    ProcessHandle leader = ProcessHandle.of(pid).orElseThrow();
    List<ProcessHandle> tree = new ArrayList<>(List.of(leader));
    while (tree.size() < 2) {
      tree = new ArrayList<>(List.of(leader));
      leader.descendants().forEach(tree::add);
      Thread.sleep(50);
    }

    var r = client.post(RUNS + runId + ":cancel", "");
    assertThat(r.status()).as(r.text()).isEqualTo(202);
    assertThat(r.json().get("run_id").asText()).isEqualTo(runId);
    assertThat(r.json().get("status").asText()).isEqualTo("canceled");
    assertThat(r.json().get("execution_id").asText()).isEqualTo(answer.get("execution_id").asText());
    assertThat(client.get(RUNS + runId).json().get("status").asText()).isEqualTo("canceled");
    for (ProcessHandle p : tree) {
      while (p.isAlive()) {
        Thread.sleep(100);
      }
    }
    var again = client.post(RUNS + runId + ":cancel", "");
    assertThat(again.status()).isEqualTo(202);
    assertThat(again.json().get("status").asText()).isEqualTo("canceled");
    // the log is still kept once the job itself ended
    while (client.get(RUNS + runId + "/artifacts?kind=log").json().get("artifacts").isEmpty()) {
      Thread.sleep(200);
    }
    assertThat(client.get(RUNS + runId).json().get("status").asText()).isEqualTo("canceled");

    String done = execute(body("\"command\":[\"true\"]")).get("run_id").asText();
    assertThat(waitTerminal(done).get("status").asText()).isEqualTo("succeeded");
    var conflict = client.post(RUNS + done + ":cancel", "");
    assertThat(conflict.status()).isEqualTo(409);
    assertThat(conflict.error()).isEqualTo("invalid_status_transition");

    String plain = client.sdk().createRun(experimentId, NewRun.withStatus("running")).runId();
    var never = client.post(RUNS + plain + ":cancel", "");
    assertThat(never.status()).isEqualTo(202);
    assertThat(never.json().has("execution_id")).isFalse();
    assertThat(client.get(RUNS + plain).json().get("status").asText()).isEqualTo("canceled");
  }

  @Test
  void aRunTokenCannotCancel() throws InterruptedException {
    String script = "curl -s -o /dev/null -w 'cancel=%{http_code}\\n' -X POST -H \"Authorization: Bearer $TOKEN\" "
        + "\"$DATAPILOT_URL/api/experiments/experiment-runs/$RUN_ID:cancel\"";
    String runId = execute(body(shell(script))).get("run_id").asText();
    assertThat(waitTerminal(runId).get("status").asText()).isEqualTo("succeeded");
    assertThat(events(runId)).anySatisfy(e -> assertThat(e.get("message").asText()).isEqualTo("cancel=403"));
  }

  @Test
  void anIdempotencyKeyReplaysTheFirstRunAndStartsNothingElse() {
    String experiment = newExperiment(client);
    String json = body("\"command\":[\"true\"]").replace(experimentId, experiment);
    var first = client.post(EXECUTE, json, Map.of("Idempotency-Key", "exec-key-1"));
    assertThat(first.status()).isEqualTo(201);
    var second = client.post(EXECUTE, json, Map.of("Idempotency-Key", "exec-key-1"));
    assertThat(second.status()).isEqualTo(201);
    assertThat(second.header("Idempotent-Replayed")).isEqualTo("true");
    assertThat(second.json().get("run_id").asText()).isEqualTo(first.json().get("run_id").asText());
    assertThat(second.header("Location")).isEqualTo(first.header("Location"));
    assertThat(client.sdk().listRuns(experiment, 100).items()).singleElement()
        .satisfies(r -> assertThat(r.runId()).isEqualTo(first.json().get("run_id").asText()));
    var other = client.post(EXECUTE, json.replace("abc123", "abc124"), Map.of("Idempotency-Key", "exec-key-1"));
    assertThat(other.status()).isEqualTo(409);
    assertThat(other.error()).isEqualTo("idempotency_key_reused");
  }

  @Test
  void aCommandThatCannotStartFailsTheRunWith502() {
    var r = client.post(EXECUTE, body("\"command\":[\"no-such-program-" + UUID.randomUUID() + "\"]"));
    assertThat(r.status()).isEqualTo(502);
    assertThat(r.error()).isEqualTo("training_submit_failed");
    String runId = r.json().get("details").get("run_id").asText();
    assertThat(client.get(RUNS + runId).json().get("status").asText()).isEqualTo("failed");
    assertThat(events(runId)).anySatisfy(e -> {
      assertThat(e.get("message").asText()).isEqualTo("run failed (submit_failed)");
      assertThat(e.get("level").asText()).isEqualTo("error");
    });
  }
}
