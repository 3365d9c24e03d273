package io.animus.datapilot.execution;

import io.animus.datapilot.kernel.Json;
import io.fabric8.kubernetes.api.model.ContainerState;
import io.fabric8.kubernetes.api.model.ContainerStateBuilder;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.JobConditionBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.JobStatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMixedDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.ServerRequest;
import io.fabric8.mockwebserver.ServerResponse;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Queue;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * The executor contract for the {@code kubernetes} executor against fabric8's mock API server (CRUD
 * mode, as in {@link KubernetesExecutionHttpTest}). The mock has no controllers: the hooks play the
 * Job controller and the kubelet by writing the pod and the Job's status.
 */
class KubernetesExecutorContractTest extends ExecutorContract {
  static final String NAMESPACE = "contract";
  static final String IMAGE = "registry.example/acme/train@sha256:" + "cd".repeat(32);
  static KubernetesMockServer mock;
  static KubernetesClient kube;

  @BeforeAll
  static void startMock() {
    Map<ServerRequest, Queue<ServerResponse>> responses = new HashMap<>();
    mock = new KubernetesMockServer(new Context(), new MockWebServer(), responses,
        new KubernetesMixedDispatcher(responses), false);
    mock.init();
    kube = mock.createClient();
  }

  @AfterAll
  static void stopMock() {
    kube.close();
    mock.destroy();
  }

  @Override
  Executor create(Path dataDir) {
    return new KubernetesExecutor(mock.createClient(), NAMESPACE, 600, Optional.empty(), dataDir);
  }

  @Override
  String image() {
    return IMAGE;
  }

  @Override
  Executor.Job unstartable(UUID runId) {
    String missing = "registry.example/no-such-image@sha256:" + "0".repeat(64);
    return new Executor.Job(runId, missing, null, Map.of("TOKEN", "contract-token"), Json.object());
  }

  @Override
  boolean refusesUnstartableAtSubmit() {
    return false;
  }

  @Override
  boolean jobsOutliveTheExecutor() {
    return true;
  }

  @Override
  boolean forgetRemovesTheJob() {
    return false;
  }

  static String podName(Execution e) {
    return e.jobName() + "-x7k2p";
  }

  static void pod(Execution e, String phase, ContainerState state) {
    Pod pod = new PodBuilder()
        .withNewMetadata().withName(podName(e)).withNamespace(NAMESPACE)
        .addToLabels(KubernetesExecutor.RUN_LABEL, e.runId().toString()).addToLabels("job-name", e.jobName())
        .endMetadata()
        .withNewSpec().addNewContainer().withName(KubernetesExecutor.CONTAINER).withImage(e.imageRef()).endContainer()
        .endSpec()
        .withNewStatus().withPhase(phase)
        .withContainerStatuses(new ContainerStatusBuilder().withName(KubernetesExecutor.CONTAINER).withState(state)
            .build())
        .endStatus()
        .build();
    kube.pods().inNamespace(NAMESPACE).resource(pod).createOr(existing -> existing.update());
  }

  @Override
  void started(Execution e) {
    pod(e, "Running", new ContainerStateBuilder().withNewRunning().endRunning().build());
  }

  @Override
  void ended(Execution e, String output, int exitCode) {
    mock.expect().get()
        .withPath("/api/v1/namespaces/" + NAMESPACE + "/pods/" + podName(e) + "/log?pretty=false&container="
            + KubernetesExecutor.CONTAINER)
        .andReturn(200, output).always();
    pod(e, exitCode == 0 ? "Succeeded" : "Failed", new ContainerStateBuilder().withNewTerminated()
        .withExitCode(exitCode).endTerminated().build());
    String condition = exitCode == 0 ? "Complete" : "Failed";
    kube.batch().v1().jobs().inNamespace(NAMESPACE).withName(e.jobName()).editStatus(j -> {
      j.setStatus(new JobStatusBuilder().withActive(0).withSucceeded(exitCode == 0 ? 1 : 0)
          .withFailed(exitCode == 0 ? 0 : 1)
          .withConditions(new JobConditionBuilder().withType(condition).withStatus("True").build()).build());
      return j;
    });
  }

  @Override
  void cannotStart(Execution e) {
    pod(e, "Pending", new ContainerStateBuilder().withNewWaiting().withReason("ErrImagePull")
        .withMessage("pull access denied for " + e.imageRef()).endWaiting().build());
  }
}
