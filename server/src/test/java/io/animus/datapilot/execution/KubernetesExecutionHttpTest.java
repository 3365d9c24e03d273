package io.animus.datapilot.execution;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.animus.datapilot.testing.TestClient;
import io.animus.datapilot.testing.TestServer;
import io.fabric8.kubernetes.api.model.ContainerState;
import io.fabric8.kubernetes.api.model.ContainerStateBuilder;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobConditionBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.JobStatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMixedDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.ServerRequest;
import io.fabric8.mockwebserver.ServerResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * docs/protocol.md §8 with the {@code kubernetes} executor against fabric8's mock API server in CRUD
 * mode, reached over HTTP through a kubeconfig file. The mock has no controllers: the test plays
 * the Job controller and the kubelet by writing Job status and Pods itself.
 */
@Timeout(120)
class KubernetesExecutionHttpTest {
  static final String EXECUTE = ExecutionHttpTest.EXECUTE;
  static final String RUNS = ExecutionHttpTest.RUNS;
  static final String NAMESPACE = "training";
  static final String PUBLIC_URL = "http://datapilot.cluster.test:8080";
  static final String IMAGE = "registry.example/acme/train@sha256:" + "ab".repeat(32);
  static KubernetesMockServer mock;
  static KubernetesClient kube;
  static Path kubeconfig;
  static TestServer server;
  static TestClient client;
  static String experimentId;
  static String versionId;

  @BeforeAll
  static void start() throws Exception {
    // CRUD storage plus expectations (for pod logs), over plain HTTP
    Map<ServerRequest, Queue<ServerResponse>> responses = new HashMap<>();
    mock = new KubernetesMockServer(new Context(), new MockWebServer(), responses,
        new KubernetesMixedDispatcher(responses), false);
    mock.init();
    kube = mock.createClient();
    kubeconfig = Files.createTempFile("kubeconfig", ".yaml");
    Files.writeString(kubeconfig, """
        apiVersion: v1
        kind: Config
        clusters:
        - name: mock
          cluster:
            server: http://127.0.0.1:%d
        contexts:
        - name: mock
          context:
            cluster: mock
            user: tester
            namespace: from-kubeconfig
        current-context: mock
        users:
        - name: tester
          user:
            token: not-checked-by-the-mock
        """.formatted(mock.getPort()));
    server = TestServer.start(settings(Map.of()));
    client = server.client();
    experimentId = ExecutionHttpTest.newExperiment(client);
    versionId = ExecutionHttpTest.newVersion(client);
  }

  @AfterAll
  static void stop() throws Exception {
    if (server != null) {
      server.close();
    }
    kube.close();
    mock.destroy();
    Files.deleteIfExists(kubeconfig);
  }

  static Map<String, String> settings(Map<String, String> extra) {
    Map<String, String> s = new HashMap<>(Map.of("DATAPILOT_EXECUTOR", "kubernetes",
        "DATAPILOT_PUBLIC_URL", PUBLIC_URL + "/api", "DATAPILOT_EXECUTOR_SYNC_INTERVAL", "1s",
        "DATAPILOT_K8S_KUBECONFIG", kubeconfig.toString(), "DATAPILOT_K8S_NAMESPACE", NAMESPACE,
        "DATAPILOT_K8S_SERVICE_ACCOUNT", "trainer-sa", "DATAPILOT_K8S_JOB_TTL_SECONDS", "600"));
    s.putAll(extra);
    return s;
  }

  static String body(String extra) {
    return "{\"dataset_version_id\":\"" + versionId + "\",\"experiment_id\":\"" + experimentId
        + "\",\"image_ref\":\"" + IMAGE + "\",\"git_commit\":\"abc123\",\"params\":{},\"resources\":{}"
        + (extra.isEmpty() ? "" : "," + extra) + "}";
  }

  static String execute(TestClient c, String json) {
    var r = c.post(EXECUTE, json);
    assertThat(r.status()).as(r.text()).isEqualTo(201);
    assertThat(r.json().get("status").asText()).isEqualTo("running");
    assertThat(r.json().get("datapilot_url").asText()).isEqualTo(PUBLIC_URL);
    return r.json().get("run_id").asText();
  }

  static Job job(String runId) {
    return kube.batch().v1().jobs().inNamespace(NAMESPACE).withName("animus-run-" + runId).get();
  }

  static JsonNode waitForRun(TestClient c, String runId, Predicate<String> status) throws InterruptedException {
    while (true) {
      JsonNode run = c.get(RUNS + runId).json();
      if (status.test(run.get("status").asText())) {
        return run;
      }
      Thread.sleep(200);
    }
  }

  static JsonNode lastState(TestClient c, String runId) {
    JsonNode states = c.get(RUNS + runId + "/states").json().get("states");
    return states.get(states.size() - 1);
  }

  /** What the Job controller would write when the Job ends. */
  static void endJob(String runId, String condition) {
    kube.batch().v1().jobs().inNamespace(NAMESPACE).withName("animus-run-" + runId).editStatus(j -> {
      j.setStatus(new JobStatusBuilder().withActive(0)
          .withSucceeded(condition.equals("Complete") ? 1 : 0).withFailed(condition.equals("Failed") ? 1 : 0)
          .withConditions(new JobConditionBuilder().withType(condition).withStatus("True").build()).build());
      return j;
    });
  }

  /** What the Job controller and the kubelet would create: the Job's pod with the given trainer status. */
  static void createPod(String runId, String phase, ContainerState state) {
    Pod pod = new PodBuilder()
        .withNewMetadata().withName("animus-run-" + runId + "-x7k2p").withNamespace(NAMESPACE)
        .addToLabels(KubernetesExecutor.RUN_LABEL, runId).addToLabels("job-name", "animus-run-" + runId)
        .endMetadata()
        .withNewSpec().addNewContainer().withName("trainer").withImage(IMAGE).endContainer().endSpec()
        .withNewStatus().withPhase(phase)
        .withContainerStatuses(new ContainerStatusBuilder().withName("trainer").withState(state).build())
        .endStatus()
        .build();
    kube.pods().inNamespace(NAMESPACE).resource(pod).create();
  }

  static void podLog(String runId, String text) {
    mock.expect().get()
        .withPath("/api/v1/namespaces/" + NAMESPACE + "/pods/animus-run-" + runId
            + "-x7k2p/log?pretty=false&container=trainer")
        .andReturn(200, text).always();
  }

  @Test
  void aRunBecomesAJobCarryingTheEnvContractResourcesAndLabels() throws Exception {
    String runId = execute(client, body("\"command\":[\"python\",\"-u\",\"train.py\"],\"env\":{\"EPOCHS\":\"3\"},"
        + "\"resources\":{\"gpus\":2,\"cpu\":\"1.5\",\"memory\":\"4Gi\"}").replace(",\"resources\":{}", ""));
    Job job = job(runId);
    assertThat(job).isNotNull();
    Map<String, String> labels = Map.of("app.kubernetes.io/name", "animus-datapilot",
        "app.kubernetes.io/component", "training-job", "animus.run_id", runId);
    assertThat(job.getMetadata().getNamespace()).isEqualTo(NAMESPACE);
    assertThat(job.getMetadata().getLabels()).containsAllEntriesOf(labels);
    assertThat(job.getSpec().getBackoffLimit()).isZero();
    assertThat(job.getSpec().getTtlSecondsAfterFinished()).isEqualTo(600);
    var pod = job.getSpec().getTemplate();
    assertThat(pod.getMetadata().getLabels()).containsAllEntriesOf(labels);
    assertThat(pod.getSpec().getRestartPolicy()).isEqualTo("Never");
    assertThat(pod.getSpec().getServiceAccountName()).isEqualTo("trainer-sa");
    assertThat(pod.getSpec().getContainers()).hasSize(1);
    var container = pod.getSpec().getContainers().get(0);
    assertThat(container.getName()).isEqualTo("trainer");
    assertThat(container.getImage()).isEqualTo(IMAGE);
    assertThat(container.getCommand()).containsExactly("python", "-u", "train.py");
    assertThat(container.getArgs()).isNullOrEmpty();
    Map<String, EnvVar> vars = container.getEnv().stream().collect(Collectors.toMap(EnvVar::getName, v -> v));
    assertThat(vars).containsOnlyKeys("RUN_ID", "DATASET_VERSION_ID", "DATAPILOT_URL", "TOKEN", "ANIMUS_JOB_KIND",
        "EPOCHS");
    Map<String, String> env = vars.values().stream().filter(v -> v.getValue() != null)
        .collect(Collectors.toMap(EnvVar::getName, EnvVar::getValue));
    assertThat(env).containsOnly(Map.entry("RUN_ID", runId), Map.entry("DATASET_VERSION_ID", versionId),
        Map.entry("DATAPILOT_URL", PUBLIC_URL), Map.entry("ANIMUS_JOB_KIND", "training"), Map.entry("EPOCHS", "3"));
    // the run token is not in the Job: TOKEN refers to the run's Secret, owned by the Job
    var tokenRef = vars.get("TOKEN").getValueFrom().getSecretKeyRef();
    assertThat(tokenRef.getName()).isEqualTo("animus-run-" + runId);
    assertThat(tokenRef.getKey()).isEqualTo("TOKEN");
    Secret secret = kube.secrets().inNamespace(NAMESPACE).withName("animus-run-" + runId).get();
    assertThat(secret.getMetadata().getLabels()).containsAllEntriesOf(labels);
    assertThat(job.getMetadata().getUid()).isNotBlank();
    assertThat(secret.getMetadata().getOwnerReferences()).singleElement().satisfies(owner -> {
      assertThat(owner.getKind()).isEqualTo("Job");
      assertThat(owner.getName()).isEqualTo("animus-run-" + runId);
      assertThat(owner.getUid()).isEqualTo(job.getMetadata().getUid());
    });
    String token = secretValue(secret, "TOKEN");
    assertThat(token).startsWith("animus_run_v1.");
    env.put("TOKEN", token);
    assertThat(container.getResources().getLimits()).containsOnlyKeys("nvidia.com/gpu");
    assertThat(container.getResources().getLimits().get("nvidia.com/gpu")).isEqualTo(new Quantity("2"));
    assertThat(container.getResources().getRequests()).containsOnlyKeys("cpu", "memory");
    assertThat(container.getResources().getRequests().get("cpu").toString()).isEqualTo("1.5");
    assertThat(Quantity.getAmountInBytes(container.getResources().getRequests().get("memory")).longValueExact())
        .isEqualTo(4L << 30);

    // the token in the Job is a working run token for this run
    var asJob = client.withToken(env.get("TOKEN"));
    var event = asJob.post(RUNS + runId + "/events", "{\"message\":\"hello from the pod\"}");
    assertThat(event.status()).as(event.text()).isEqualTo(201);
    assertThat(event.json().get("actor").asText()).startsWith("run:" + runId);

    JsonNode execution = client.get(RUNS + runId + "/execution").json();
    assertThat(execution.get("executor").asText()).isEqualTo("kubernetes");
    assertThat(execution.get("k8s_namespace").asText()).isEqualTo(NAMESPACE);
    assertThat(execution.get("k8s_job_name").asText()).isEqualTo("animus-run-" + runId);
    assertThat(execution.get("image_digest").asText()).isEqualTo("sha256:" + "ab".repeat(32));
    assertThat(execution.has("process_id")).isFalse();
  }

  @Test
  void withoutACommandTheImageRunsItsOwnAndMemoryInDockerUnitsIsBinary() {
    String runId = execute(client, body("").replace("\"resources\":{}", "\"resources\":{\"memory\":\"512m\"}"));
    var container = job(runId).getSpec().getTemplate().getSpec().getContainers().get(0);
    assertThat(container.getCommand()).isNullOrEmpty();
    assertThat(Quantity.getAmountInBytes(container.getResources().getRequests().get("memory")).longValueExact())
        .isEqualTo(512L << 20);
    assertThat(container.getResources().getLimits()).isNullOrEmpty();
  }

  @Test
  void anUnpinnedOrRawDigestImageIs400AndCreatesNothing() {
    int jobs = kube.batch().v1().jobs().inNamespace(NAMESPACE).list().getItems().size();
    int runs = client.get("/api/experiments/experiments/" + experimentId + "/runs?limit=1000").json()
        .get("runs").size();
    for (String image : List.of("registry.example/acme/train:v1", "sha256:" + "ab".repeat(32),
        "registry.example/acme/train@sha256:abc")) {
      var r = client.post(EXECUTE, body("").replace(IMAGE, image));
      assertThat(r.status()).as(image + " -> " + r.text()).isEqualTo(400);
      assertThat(r.error()).isEqualTo("image_ref_digest_required");
    }
    assertThat(kube.batch().v1().jobs().inNamespace(NAMESPACE).list().getItems()).hasSize(jobs);
    assertThat(client.get("/api/experiments/experiments/" + experimentId + "/runs?limit=1000").json()
        .get("runs").size()).isEqualTo(runs);
  }

  @Test
  void aCompleteJobSucceedsAndItsPodLogIsKeptRedacted() throws Exception {
    String runId = execute(client, body(""));
    createPod(runId, "Running", running());
    podLog(runId, "epoch 1 loss 0.5\nepoch 2 loss 0.25 TOKEN=animus_run_v1.abc.def\n");
    Thread.sleep(1500); // a pass sees the pod running and leaves the run alone
    assertThat(client.get(RUNS + runId).json().get("status").asText()).isEqualTo("running");
    endJob(runId, "Complete");
    assertThat(waitForRun(client, runId, s -> !s.equals("running")).get("status").asText()).isEqualTo("succeeded");
    assertThat(lastState(client, runId).get("details").get("exit_code").asInt()).isZero();
    JsonNode artifacts = waitForLogArtifact(runId);
    String text = client.get(RUNS + runId + "/artifacts/" + artifacts.get(0).get("artifact_id").asText()
        + "/download").text();
    // the stored log is redacted as its events are: a viewer who downloads it gets no run token
    assertThat(text).isEqualTo("epoch 1 loss 0.5\nepoch 2 loss 0.25 TOKEN=[REDACTED]\n");
    List<String> lines = new ArrayList<>();
    client.get(RUNS + runId + "/events?limit=1000").json().get("events").forEach(e -> {
      if ("job_log".equals(e.path("metadata").path("source").asText())) {
        lines.add(e.get("message").asText());
      }
    });
    assertThat(lines).containsExactlyInAnyOrder("epoch 1 loss 0.5", "epoch 2 loss 0.25 TOKEN=[REDACTED]");
    assertThat(job(runId)).as("a finished Job is left to its TTL").isNotNull();
    waitUntilSecretIsGone(runId); // but its token is deleted once the run has ended
  }

  JsonNode waitForLogArtifact(String runId) throws InterruptedException {
    while (true) {
      JsonNode artifacts = client.get(RUNS + runId + "/artifacts?kind=log").json().get("artifacts");
      if (!artifacts.isEmpty()) {
        return artifacts;
      }
      Thread.sleep(200);
    }
  }

  @Test
  void aFailedJobFailsWithItsContainersExitCode() throws Exception {
    String runId = execute(client, body(""));
    createPod(runId, "Failed", new ContainerStateBuilder()
        .withNewTerminated().withExitCode(3).withReason("Error").endTerminated().build());
    endJob(runId, "Failed");
    assertThat(waitForRun(client, runId, s -> !s.equals("running")).get("status").asText()).isEqualTo("failed");
    JsonNode details = lastState(client, runId).get("details");
    assertThat(details.get("reason").asText()).isEqualTo("exit_code");
    assertThat(details.get("exit_code").asInt()).isEqualTo(3);
  }

  @Test
  void aFailedJobWithoutAPodFailsWithExitCodeOne() throws Exception {
    String runId = execute(client, body(""));
    endJob(runId, "Failed");
    waitForRun(client, runId, "failed"::equals);
    assertThat(lastState(client, runId).get("details").get("exit_code").asInt()).isEqualTo(1);
  }

  @Test
  void anImagePullFailureFailsTheRunWithTheWaitingMessageAndDeletesTheJob() throws Exception {
    String runId = execute(client, body(""));
    failsWhileWaiting(client, runId, waiting("ImagePullBackOff", "Back-off pulling image \"acme/train\""),
        "job_start_failed", "ImagePullBackOff: Back-off pulling image \"acme/train\"");
  }

  @Test
  void aJobDeletedBehindOurBackFailsTheRunAsMissing() throws Exception {
    String runId = execute(client, body(""));
    kube.batch().v1().jobs().inNamespace(NAMESPACE).withName("animus-run-" + runId).delete();
    waitForRun(client, runId, "failed"::equals);
    assertThat(lastState(client, runId).get("details").get("reason").asText()).isEqualTo("job_missing");
  }

  @Test
  void cancelReadsTheLogThenDeletesTheJob() throws Exception {
    String runId = execute(client, body(""));
    createPod(runId, "Running", running());
    podLog(runId, "step 1\nstep 2\n");
    var r = client.post(RUNS + runId + ":cancel", "");
    assertThat(r.status()).as(r.text()).isEqualTo(202);
    assertThat(r.json().get("status").asText()).isEqualTo("canceled");
    waitUntilJobIsGone(runId);
    waitUntilSecretIsGone(runId);
    JsonNode artifacts = waitForLogArtifact(runId);
    assertThat(client.get(RUNS + runId + "/artifacts/" + artifacts.get(0).get("artifact_id").asText()
        + "/download").text()).isEqualTo("step 1\nstep 2\n");
    assertThat(client.get(RUNS + runId).json().get("status").asText()).isEqualTo("canceled");
    assertThat(client.post(RUNS + runId + ":cancel", "").status()).isEqualTo(202);
  }

  @Test
  void aJobThatNeverStartsFailsWithStartTimeoutAndIsRemoved() throws Exception {
    try (TestServer quick = TestServer.start(settings(Map.of("DATAPILOT_JOB_START_TIMEOUT", "2s")))) {
      TestClient c = quick.client();
      failsWhileWaiting(c, executeOnAnotherServer(c), waiting("ContainerCreating", null),
          "start_timeout", "ContainerCreating");
    }
  }

  @Test
  void aServerRestartPicksTheJobUpAgain() throws Exception {
    TestServer first = TestServer.start(settings(Map.of()));
    String runId = executeOnAnotherServer(first.client());
    // restarted with another namespace setting: the Job is still found where it was created
    try (TestServer second = first.restart(settings(Map.of("DATAPILOT_K8S_NAMESPACE", "elsewhere")))) {
      TestClient c2 = second.client();
      Thread.sleep(1500);
      assertThat(c2.get(RUNS + runId).json().get("status").asText()).isEqualTo("running");
      endJob(runId, "Complete");
      assertThat(waitForRun(c2, runId, s -> !s.equals("running")).get("status").asText())
          .isEqualTo("succeeded");
    }
  }

  /** A run on a server other than the shared one, with an experiment and dataset version of its own. */
  static String executeOnAnotherServer(TestClient c) {
    String experiment = ExecutionHttpTest.newExperiment(c);
    String version = ExecutionHttpTest.newVersion(c);
    return execute(c, body("").replace(experimentId, experiment).replace(versionId, version));
  }

  static ContainerState running() {
    return new ContainerStateBuilder().withNewRunning().endRunning().build();
  }

  static ContainerState waiting(String reason, String message) {
    return new ContainerStateBuilder().withNewWaiting().withReason(reason).withMessage(message).endWaiting().build();
  }

  /** The run's pod waits in {@code state}: the run fails with {@code reason} and its Job is deleted. */
  static void failsWhileWaiting(TestClient c, String runId, ContainerState state, String reason, String message)
      throws InterruptedException {
    createPod(runId, "Pending", state);
    waitForRun(c, runId, "failed"::equals);
    JsonNode details = lastState(c, runId).get("details");
    assertThat(details.get("reason").asText()).isEqualTo(reason);
    assertThat(details.get("message").asText()).isEqualTo(message);
    waitUntilJobIsGone(runId);
  }

  /** A Secret's value as the mock keeps it: in stringData as sent, or base64 in data. */
  static String secretValue(Secret secret, String key) {
    if (secret.getStringData() != null && secret.getStringData().containsKey(key)) {
      return secret.getStringData().get(key);
    }
    return new String(java.util.Base64.getDecoder().decode(secret.getData().get(key)),
        java.nio.charset.StandardCharsets.UTF_8);
  }

  static void waitUntilSecretIsGone(String runId) throws InterruptedException {
    while (kube.secrets().inNamespace(NAMESPACE).withName("animus-run-" + runId).get() != null) {
      Thread.sleep(200);
    }
  }

  static void waitUntilJobIsGone(String runId) throws InterruptedException {
    while (job(runId) != null) {
      Thread.sleep(200);
    }
  }
}
