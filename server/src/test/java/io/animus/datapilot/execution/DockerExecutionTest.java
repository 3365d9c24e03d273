package io.animus.datapilot.execution;

import io.animus.datapilot.config.ExecutorKind;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.command.InspectContainerResponse;
import com.github.dockerjava.api.exception.InternalServerErrorException;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.core.DefaultDockerClientConfig;
import com.github.dockerjava.core.DockerClientConfig;
import com.github.dockerjava.core.DockerClientImpl;
import com.github.dockerjava.httpclient5.ApacheDockerHttpClient;
import io.animus.datapilot.ci.CiSignature;
import io.animus.datapilot.kernel.Json;
import io.animus.datapilot.testing.TestClient;
import io.animus.datapilot.testing.TestServer;
import io.animus.datapilot.config.Config;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The docker executor against a real engine: podman's Docker-compatible API, set up by
 * {@code .ci/podman-setup.sh}, which also builds the tiny busybox job image (its default command,
 * {@code /job.sh}, reads its dataset and reports a metric and an event with its run token) and
 * pushes a copy to a loopback registry for the digest-pinned reference.
 */
@Timeout(240)
class DockerExecutionTest {
  static final String HOST = System.getenv("DATAPILOT_TEST_DOCKER_HOST");
  static final String IMAGE = System.getenv("DATAPILOT_TEST_DOCKER_IMAGE");
  static final String PINNED = System.getenv("DATAPILOT_TEST_DOCKER_PINNED_IMAGE");
  static final String EXECUTE = ExecutionHttpTest.EXECUTE;
  static final String RUNS = ExecutionHttpTest.RUNS;
  static final String SECRET = "docker-test-ci-secret";
  static Map<String, String> settings;
  static TestServer server;
  static TestClient client;
  static DockerClient docker;
  static String experimentId;
  static String versionId;

  @BeforeAll
  static void start() throws IOException {
    assumeTrue(HOST != null && IMAGE != null && PINNED != null, "DATAPILOT_TEST_DOCKER_HOST, "
        + "DATAPILOT_TEST_DOCKER_IMAGE and DATAPILOT_TEST_DOCKER_PINNED_IMAGE are not set: run .ci/podman-setup.sh "
        + "and source the env file it writes to run the Docker executor tests");
    // A fixed port, so that the URL jobs got still reaches the server after the restart test.
    int port;
    try (ServerSocket socket = new ServerSocket(0)) {
      port = socket.getLocalPort();
    }
    settings = new HashMap<>(Map.of("DATAPILOT_EXECUTOR", "docker", "DATAPILOT_DOCKER_HOST", HOST,
        "DATAPILOT_EXECUTOR_SYNC_INTERVAL", "1s", "ANIMUS_CI_WEBHOOK_SECRET", SECRET,
        "DATAPILOT_LISTEN", "127.0.0.1:" + port));
    server = TestServer.start(settings);
    client = server.client();
    experimentId = ExecutionHttpTest.newExperiment(client);
    versionId = ExecutionHttpTest.newVersion(client);
    DockerClientConfig config = DefaultDockerClientConfig.createDefaultConfigBuilder().withDockerHost(HOST).build();
    docker = DockerClientImpl.getInstance(config, new ApacheDockerHttpClient.Builder()
        .dockerHost(config.getDockerHost()).build());
  }

  @AfterAll
  static void stop() throws IOException {
    if (server != null) {
      server.close();
    }
    if (docker != null) {
      docker.close();
    }
  }

  /** A body for {@code image}, with a git commit and the given extra JSON members. */
  static String body(String image, String extra) {
    return "{\"dataset_version_id\":\"" + versionId + "\",\"experiment_id\":\"" + experimentId + "\",\"image_ref\":"
        + Json.writeString(image) + ",\"params\":{},\"resources\":{}" + (extra.isEmpty() ? "" : "," + extra) + "}";
  }

  static String withCommit(String extra) {
    return "\"git_commit\":\"abc123\"" + (extra.isEmpty() ? "" : "," + extra);
  }

  static String shell(String script) {
    return "\"command\":[\"sh\",\"-c\"," + Json.writeString(script) + "]";
  }

  static JsonNode execute(String json) {
    var r = client.post(EXECUTE, json);
    assertThat(r.status()).as(r.text()).isEqualTo(201);
    return r.json();
  }

  static JsonNode waitFor(String runId, Set<String> statuses) throws InterruptedException {
    while (true) {
      JsonNode run = client.get(RUNS + runId).json();
      if (statuses.contains(run.get("status").asText())) {
        return run;
      }
      Thread.sleep(200);
    }
  }

  static JsonNode waitTerminal(String runId) throws InterruptedException {
    return waitFor(runId, Set.of("succeeded", "failed", "canceled"));
  }

  /** Messages of the run's events, oldest first. */
  static List<String> messages(String runId) {
    List<String> out = new ArrayList<>();
    client.get(RUNS + runId + "/events?limit=1000").json().get("events").forEach(e -> out.add(0,
        e.get("message").asText()));
    return out;
  }

  static JsonNode lastState(String runId) {
    JsonNode states = client.get(RUNS + runId + "/states").json().get("states");
    return states.get(states.size() - 1);
  }

  static boolean containerExists(String name) {
    try {
      docker.inspectContainerCmd(name).exec();
      return true;
    } catch (NotFoundException e) {
      return false;
    } catch (InternalServerErrorException e) {
      // podman, while the container is being removed
      assertThat(e.getMessage()).contains("no such container");
      return false;
    }
  }

  static void waitGone(String name) throws InterruptedException {
    while (containerExists(name)) {
      Thread.sleep(200);
    }
  }

  @Test
  void theImagesOwnCommandGetsTheEnvContractAndReportsWithItsRunToken() throws InterruptedException {
    JsonNode executed = execute(body(IMAGE, withCommit("")));
    String runId = executed.get("run_id").asText();
    assertThat(executed.get("datapilot_url").asText()).isEqualTo(server.baseUrl().replace("127.0.0.1",
        "localhost"));
    JsonNode run = waitTerminal(runId);
    assertThat(run.get("status").asText()).as(messages(runId).toString()).isEqualTo("succeeded");

    // The job read its dataset and reported with its own token.
    JsonNode sample = client.get(RUNS + runId + "/metrics?name=job/loss").json().get("samples").get(0);
    assertThat(sample.get("value").asDouble()).isEqualTo(0.25);
    assertThat(sample.get("recorded_by").asText()).isEqualTo("run:" + runId + ":dv:" + versionId);
    List<String> messages = messages(runId);
    assertThat(messages).contains("job read x,y from " + versionId + " as training");
    // Its output came back as the log artifact and as events, the token redacted.
    assertThat(messages).contains("job RUN_ID=" + runId + " DATASET_VERSION_ID=" + versionId
        + " ANIMUS_JOB_KIND=training", "job DATAPILOT_URL=" + executed.get("datapilot_url").asText()
        + " TOKEN=[REDACTED]", "job done");
    assertThat(client.get(RUNS + runId + "/artifacts?kind=log").json().get("artifacts")).hasSize(1);

    // Unpinned: the local image's id is both the reference and the digest (§8.3).
    String imageId = docker.inspectImageCmd(IMAGE).exec().getId();
    JsonNode execution = client.get(RUNS + runId + "/execution").json();
    assertThat(execution.get("executor").asText()).isEqualTo("docker");
    assertThat(execution.get("image_ref").asText()).isEqualTo(imageId);
    assertThat(execution.get("image_digest").asText()).isEqualTo(imageId);
    assertThat(execution.get("docker_container_id").asText()).isEqualTo("animus-run-" + runId);
    assertThat(execution.has("command")).isFalse();
    JsonNode pending = client.get(RUNS + runId + "/states").json().get("states").get(0);
    assertThat(pending.get("details").get("job_name").asText()).isEqualTo("animus-run-" + runId);
    assertThat(pending.get("details").get("image_ref").asText()).isEqualTo(IMAGE);
    waitGone("animus-run-" + runId);
  }

  @Test
  void aNonZeroExitFailsTheRunWithItsCodeAndLastLogLines() throws InterruptedException {
    String runId = execute(body(IMAGE, withCommit("\"env\":{\"JOB_EXIT\":\"7\"}"))).get("run_id").asText();
    JsonNode run = waitTerminal(runId);
    assertThat(run.get("status").asText()).isEqualTo("failed");
    JsonNode details = lastState(runId).get("details");
    assertThat(details.get("exit_code").asInt()).isEqualTo(7);
    assertThat(details.get("reason").asText()).isEqualTo("exit_code");
    assertThat(messages(runId)).contains("job done", "run failed (exit_code 7)");
  }

  @Test
  void cancelStopsTheContainerWhichCarriesLabelsEnvAndLimits() throws InterruptedException {
    String runId = execute(body(IMAGE, withCommit(shell("echo started; exec sleep 300")
        + ",\"resources\":{\"cpu\":0.5,\"memory\":\"64Mi\"},\"env\":{\"MODE\":\"cancel-test\"}"))
        .replace(",\"resources\":{},", ",")).get("run_id").asText();
    String name = "animus-run-" + runId;
    InspectContainerResponse container = docker.inspectContainerCmd(name).exec();
    assertThat(container.getState().getRunning()).isTrue();
    assertThat(container.getConfig().getLabels()).containsEntry("animus.run_id", runId)
        .containsEntry("app.kubernetes.io/name", "animus-datapilot")
        .containsEntry("app.kubernetes.io/component", "training-job");
    assertThat(container.getConfig().getEnv()).contains("RUN_ID=" + runId, "DATASET_VERSION_ID=" + versionId,
        "ANIMUS_JOB_KIND=training", "MODE=cancel-test", "DATAPILOT_URL=" + server.baseUrl().replace("127.0.0.1",
            "localhost"));
    assertThat(container.getConfig().getEnv()).anyMatch(v -> v.startsWith("TOKEN=animus_run_v1."));
    assertThat(container.getHostConfig().getMemory()).isEqualTo(64L << 20);
    assertThat(container.getHostConfig().getCpuQuota()).isEqualTo(50_000L);
    assertThat(container.getHostConfig().getNetworkMode()).isEqualTo("host");

    var r = client.post(RUNS + runId + ":cancel", "");
    assertThat(r.status()).as(r.text()).isEqualTo(202);
    assertThat(r.json().get("status").asText()).isEqualTo("canceled");
    waitGone(name);
    assertThat(client.get(RUNS + runId).json().get("status").asText()).isEqualTo("canceled");
    while (client.get(RUNS + runId + "/artifacts?kind=log").json().get("artifacts").isEmpty()) {
      Thread.sleep(200);
    }
    assertThat(messages(runId)).contains("started");
  }

  @Test
  void aServerRestartMidRunPicksTheContainersUpAgain() throws InterruptedException {
    // Each job waits for an event "proceed" on its run, which the test posts only after the restart.
    String wait = "until dp-get /api/experiments/experiment-runs/$RUN_ID/events | grep -q proceed; do sleep 0.3;"
        + " done; dp-post metrics '{\"metrics\":{\"after_restart\":1}}'; exit ";
    String ok = execute(body(IMAGE, withCommit(shell(wait + "0")))).get("run_id").asText();
    String bad = execute(body(IMAGE, withCommit(shell(wait + "5")))).get("run_id").asText();
    waitFor(ok, Set.of("running"));
    waitFor(bad, Set.of("running"));
    server = server.restart(settings);
    client = server.client();
    assertThat(docker.inspectContainerCmd("animus-run-" + ok).exec().getState().getRunning()).isTrue();
    for (String runId : List.of(ok, bad)) {
      assertThat(client.post(RUNS + runId + "/events", "{\"message\":\"proceed\"}").status()).isEqualTo(201);
    }
    assertThat(waitTerminal(ok).get("status").asText()).isEqualTo("succeeded");
    assertThat(client.get(RUNS + ok + "/metrics?name=after_restart").json().get("samples")).hasSize(1);
    assertThat(waitTerminal(bad).get("status").asText()).isEqualTo("failed");
    assertThat(lastState(bad).get("details").get("exit_code").asInt()).isEqualTo(5);
    waitGone("animus-run-" + ok);
    waitGone("animus-run-" + bad);
  }

  @Test
  void anUnpullableImageFailsTheRunWithAReadableReason() throws InterruptedException {
    String registry = PINNED.substring(0, PINNED.indexOf('/'));
    String missing = registry + "/no-such-image@sha256:" + "0".repeat(64);
    String runId = execute(body(missing, withCommit(""))).get("run_id").asText();
    assertThat(waitTerminal(runId).get("status").asText()).isEqualTo("failed");
    JsonNode details = lastState(runId).get("details");
    assertThat(details.get("reason").asText()).isEqualTo("job_start_failed");
    String message = details.get("message").asText();
    assertThat(message).startsWith("image " + missing + " could not be pulled: ");
    assertThat(message).contains("manifest unknown").doesNotContain("{");
    assertThat(containerExists("animus-run-" + runId)).isFalse();
  }

  @Test
  void anUnknownTagIs400AndCreatesNoRun() {
    int before = client.get("/api/experiments/experiments/" + experimentId + "/runs?limit=100").json()
        .get("runs").size();
    var r = client.post(EXECUTE, body("localhost/no-such-image:" + UUID.randomUUID(), withCommit("")));
    assertThat(r.status()).as(r.text()).isEqualTo(400);
    assertThat(r.error()).isEqualTo("image_ref_not_found");
    assertThat(client.get("/api/experiments/experiments/" + experimentId + "/runs?limit=100").json()
        .get("runs").size()).isEqualTo(before);
  }

  @Test
  void aDigestPinnedReferenceIsPulledAndBoundToItsCiRegistration() throws InterruptedException {
    try {
      docker.removeImageCmd(PINNED).withForce(true).exec();
    } catch (NotFoundException e) {
      // not pulled yet
    }
    String digest = PINNED.substring(PINNED.lastIndexOf('@') + 1);
    String json = "{\"commit_sha\":\"feedbeef\",\"image_digest\":\"" + digest + "\",\"pipeline_id\":\"build-7\","
        + "\"provider\":\"github_actions\",\"repo\":\"acme/train\"}";
    byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
    String ts = String.valueOf(System.currentTimeMillis() / 1000);
    var report = client.sendBytes("POST", "/api/experiments/ci/report", bytes, Map.of("Content-Type",
        "application/json", "X-Animus-CI-Ts", ts, "X-Animus-CI-Sig", CiSignature.sign(SECRET, ts, "POST", bytes)));
    assertThat(report.status()).as(report.text()).isIn(200, 201);

    var conflict = client.post(EXECUTE, body(PINNED, "\"git_commit\":\"0ther\""));
    assertThat(conflict.status()).as(conflict.text()).isEqualTo(409);
    assertThat(conflict.error()).isEqualTo("git_commit_conflict");

    // No git_commit: the registration fills it.
    String runId = execute(body(PINNED, "")).get("run_id").asText();
    JsonNode run = waitTerminal(runId);
    assertThat(run.get("status").asText()).as(messages(runId).toString()).isEqualTo("succeeded");
    assertThat(run.get("git_commit").asText()).isEqualTo("feedbeef");
    assertThat(run.get("git_repo").asText()).isEqualTo("acme/train");
    assertThat(messages(runId)).contains("job read x,y from " + versionId + " as training");
    JsonNode context = client.get(RUNS + runId + "/build-context").json();
    assertThat(context.get("image_ref").asText()).isEqualTo(PINNED);
    assertThat(context.get("image_digest").asText()).isEqualTo(digest);
    assertThat(context.get("pipeline_id").asText()).isEqualTo("build-7");
    assertThat(docker.inspectImageCmd(PINNED).exec().getId()).startsWith("sha256:");
  }

  static Execution execution(UUID runId, String jobName, String instanceId, Instant submittedAt) {
    return new Execution(UUID.randomUUID(), runId, ExecutorKind.DOCKER, IMAGE, null, null, Json.object(), List.of(), null,
        jobName, instanceId, "http://localhost:1", "", submittedAt, null, null, null, null, submittedAt, "test");
  }

  @Test
  void theExecutorMapsContainerStatesKeepsTheLogAndRemovesTheContainer(@TempDir Path dataDir) throws Exception {
    try (DockerExecutor executor = new DockerExecutor(dataDir, new Config.Docker(HOST, "host"),
        Duration.ofMinutes(15))) {
      UUID runId = UUID.randomUUID();
      Executor.Submitted submitted = executor.submit(new Executor.Job(runId, IMAGE,
          List.of("sh", "-c", "echo out; echo err >&2; exit 4"), Map.of("A", "1"), Json.object()));
      assertThat(submitted.jobName()).isEqualTo("animus-run-" + runId);
      Execution mine = execution(runId, submitted.jobName(), submitted.instanceId(), Instant.now());
      Executor.JobState state = executor.inspect(mine);
      while (!(state instanceof Executor.Exited)) {
        assertThat(state).isInstanceOfAny(Executor.Running.class, Executor.Waiting.class);
        Thread.sleep(100);
        state = executor.inspect(mine);
      }
      assertThat(state).isEqualTo(new Executor.Exited(4));
      Path log = executor.log(mine).orElseThrow();
      assertThat(Files.readAllLines(log)).containsExactlyInAnyOrder("out", "err");
      executor.forget(mine);
      waitGone(submitted.jobName());
      assertThat(log).doesNotExist();
      // Gone: missing for this instance; another instance's recent job may still be pulling its image.
      assertThat(executor.inspect(mine)).isEqualTo(new Executor.Missing("job_missing"));
      assertThat(executor.inspect(execution(runId, submitted.jobName(), "other", Instant.now())))
          .isInstanceOf(Executor.Waiting.class);
      assertThat(executor.inspect(execution(runId, submitted.jobName(), "other",
          Instant.now().minus(Duration.ofHours(1))))).isEqualTo(new Executor.Missing("job_missing"));

      // Created but never started: waiting.
      UUID idle = UUID.randomUUID();
      docker.createContainerCmd(IMAGE).withName("animus-run-" + idle).exec();
      Execution created = execution(idle, "animus-run-" + idle, submitted.instanceId(), Instant.now());
      assertThat(executor.inspect(created)).isInstanceOf(Executor.Waiting.class);
      executor.forget(created);
      waitGone("animus-run-" + idle);
    }
  }

  @Test
  void aPullThatDoesNotFinishInTheStartTimeoutFailsTheRun() throws Exception {
    // A "registry" that accepts connections and never answers: the engine's pull hangs.
    try (ServerSocket silent = new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress());
         TestServer quick = TestServer.start(Map.of("DATAPILOT_EXECUTOR", "docker", "DATAPILOT_DOCKER_HOST", HOST,
             "DATAPILOT_EXECUTOR_SYNC_INTERVAL", "1s", "DATAPILOT_JOB_START_TIMEOUT", "1s"))) {
      List<java.net.Socket> held = new java.util.concurrent.CopyOnWriteArrayList<>();
      Thread acceptor = new Thread(() -> {
        try {
          while (true) {
            held.add(silent.accept());
          }
        } catch (IOException e) {
          // closed at the end of the test
        }
      });
      acceptor.setDaemon(true);
      acceptor.start();
      TestClient c = quick.client();
      String image = "127.0.0.1:" + silent.getLocalPort() + "/slow@sha256:" + "1".repeat(64);
      var r = c.post(EXECUTE, "{\"dataset_version_id\":\"" + ExecutionHttpTest.newVersion(c)
          + "\",\"experiment_id\":\"" + ExecutionHttpTest.newExperiment(c) + "\",\"image_ref\":\"" + image
          + "\",\"git_commit\":\"abc\",\"params\":{},\"resources\":{}}");
      assertThat(r.status()).as(r.text()).isEqualTo(201);
      String runId = r.json().get("run_id").asText();
      JsonNode run = c.get(RUNS + runId).json();
      while (!Set.of("succeeded", "failed", "canceled").contains(run.get("status").asText())) {
        Thread.sleep(200);
        run = c.get(RUNS + runId).json();
      }
      assertThat(run.get("status").asText()).isEqualTo("failed");
      JsonNode states = c.get(RUNS + runId + "/states").json().get("states");
      JsonNode details = states.get(states.size() - 1).get("details");
      assertThat(details.get("reason").asText()).isEqualTo("start_timeout");
      assertThat(details.get("message").asText()).isEqualTo("pulling image " + image);
      for (java.net.Socket socket : held) {
        socket.close();
      }
      assertThat(containerExists("animus-run-" + runId)).isFalse();
    }
  }
}
