package io.animus.datapilot.execution;

import io.animus.datapilot.config.Config;
import io.animus.datapilot.config.ExecutorKind;
import io.fabric8.kubernetes.api.model.ContainerState;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.DeletionPropagation;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EnvVarBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirementsBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.JobCondition;
import io.fabric8.kubernetes.api.model.batch.v1.JobStatus;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs each job as a batch/v1 Job {@code animus-run-<run_id>} (docs/protocol.md §8.1): one container
 * {@code trainer}, {@code restartPolicy: Never}, {@code backoffLimit: 0}. The Job's namespace is
 * recorded as the execution's {@code instanceId}, so that a restarted server finds its Jobs again
 * even if the configured namespace changed. The pod's log is copied to
 * {@code <data dir>/runs/<run_id>/job.log} before the Job is deleted or once it has ended.
 *
 * <p>The run token is not written into the Job: it lives in a Secret of the same name (key
 * {@code TOKEN}) that the container's {@code TOKEN} variable refers to, owned by the Job so that
 * Kubernetes deletes it with the Job; it is also deleted when the run ends or is canceled.
 */
public final class KubernetesExecutor implements Executor {
  private static final Logger LOG = LoggerFactory.getLogger(KubernetesExecutor.class);
  static final String CONTAINER = "trainer";
  /** The job variable (and Secret key) that carries the run token (§8.4). */
  static final String TOKEN = "TOKEN";
  static final String RUN_LABEL = "animus.run_id";
  static final Map<String, String> LABELS = Map.of("app.kubernetes.io/name", "animus-datapilot",
      "app.kubernetes.io/component", "training-job");
  /** Waiting reasons after which the container will never start without a new Job (§8.5). */
  static final Set<String> START_FAILURES = Set.of("ErrImagePull", "ImagePullBackOff", "InvalidImageName",
      "CreateContainerConfigError");
  private final KubernetesClient client;
  private final String namespace;
  private final long ttlSeconds;
  private final Optional<String> serviceAccount;
  private final Path dataDir;
  private final ExecutorService stopper = Executors.newSingleThreadExecutor(r -> {
    Thread t = new Thread(r, "kubernetes-executor-stop");
    t.setDaemon(true);
    return t;
  });

  KubernetesExecutor(KubernetesClient client, String namespace, long ttlSeconds, Optional<String> serviceAccount,
                     Path dataDir) {
    this.client = client;
    this.namespace = namespace;
    this.ttlSeconds = ttlSeconds;
    this.serviceAccount = serviceAccount;
    this.dataDir = dataDir;
  }

  /**
   * Connects with the kubeconfig the settings name, else with fabric8's auto-configuration
   * ({@code KUBECONFIG}, {@code ~/.kube/config}, then the in-cluster service account).
   */
  public static KubernetesExecutor connect(Config.Kubernetes settings, Path dataDir) {
    io.fabric8.kubernetes.client.Config k8s = settings.kubeconfig()
        .map(file -> io.fabric8.kubernetes.client.Config.fromKubeconfig(file.toFile()))
        .orElseGet(() -> io.fabric8.kubernetes.client.Config.autoConfigure(null));
    // The reconciler retries every pass; a request thread must not wait through a long backoff.
    k8s.setRequestRetryBackoffLimit(1);
    String ns = settings.namespace().or(() -> Optional.ofNullable(k8s.getNamespace())).orElse("default");
    return new KubernetesExecutor(new KubernetesClientBuilder().withConfig(k8s).build(), ns,
        settings.jobTtlSeconds(), settings.serviceAccount(), dataDir);
  }

  @Override
  public ExecutorKind kind() {
    return ExecutorKind.KUBERNETES;
  }

  /** The namespace new Jobs are created in. */
  public String namespace() {
    return namespace;
  }

  @Override
  public Optional<String> nameFor(UUID runId) {
    return Optional.of(jobName(runId));
  }

  static String jobName(UUID runId) {
    return "animus-run-" + runId;
  }

  @Override
  public Submitted submit(Job job) throws SubmitException {
    String name = jobName(job.runId());
    try {
      client.secrets().inNamespace(namespace).resource(tokenSecret(job)).create();
    } catch (KubernetesClientException e) {
      if (e.getCode() != 409) {
        throw new SubmitException("cannot create Secret " + namespace + "/" + name + ": " + e.getMessage());
      }
    }
    io.fabric8.kubernetes.api.model.batch.v1.Job created;
    try {
      created = client.batch().v1().jobs().inNamespace(namespace).resource(jobSpec(job)).create();
    } catch (KubernetesClientException e) {
      if (e.getCode() != 409) {
        deleteSecret(namespace, name);
        throw new SubmitException("cannot create Job " + namespace + "/" + name + ": " + e.getMessage());
      }
      // §8.1: an existing Job of that name counts as submitted.
      return new Submitted(null, name, namespace);
    }
    ownSecret(created);
    return new Submitted(null, name, namespace);
  }

  Secret tokenSecret(Job job) {
    return new SecretBuilder()
        .withNewMetadata().withName(jobName(job.runId())).withNamespace(namespace).withLabels(labels(job.runId()))
        .endMetadata()
        .withType("Opaque")
        .addToStringData(TOKEN, job.env().get(TOKEN))
        .build();
  }

  /** Makes the Job the Secret's owner, so that Kubernetes deletes the token with the Job (TTL included). */
  private void ownSecret(io.fabric8.kubernetes.api.model.batch.v1.Job created) {
    String uid = created == null || created.getMetadata() == null ? null : created.getMetadata().getUid();
    if (uid == null) {
      return;
    }
    String name = created.getMetadata().getName();
    try {
      client.secrets().inNamespace(namespace).withName(name).edit(secret -> new SecretBuilder(secret)
          .editMetadata().addNewOwnerReference().withApiVersion("batch/v1").withKind("Job").withName(name)
          .withUid(uid).endOwnerReference().endMetadata().build());
    } catch (KubernetesClientException e) {
      // the Secret is still deleted when the run ends (forget/stop)
      LOG.warn("cannot make Job {}/{} the owner of its token Secret: {}", namespace, name, e.getMessage());
    }
  }

  private void deleteSecret(String ns, String name) {
    try {
      client.secrets().inNamespace(ns).withName(name).delete();
    } catch (KubernetesClientException e) {
      LOG.warn("cannot delete Secret {}/{}: {}", ns, name, e.getMessage());
    }
  }

  private static Map<String, String> labels(UUID runId) {
    Map<String, String> labels = new LinkedHashMap<>(LABELS);
    labels.put(RUN_LABEL, runId.toString());
    return labels;
  }

  io.fabric8.kubernetes.api.model.batch.v1.Job jobSpec(Job job) {
    Map<String, String> labels = labels(job.runId());
    String secret = jobName(job.runId());
    List<EnvVar> env = job.env().entrySet().stream().map(e -> e.getKey().equals(TOKEN)
        ? new EnvVarBuilder().withName(TOKEN).withNewValueFrom().withNewSecretKeyRef(TOKEN, secret, false)
            .endValueFrom().build()
        : new EnvVar(e.getKey(), e.getValue(), null)).toList();
    return new JobBuilder()
        .withNewMetadata().withName(jobName(job.runId())).withNamespace(namespace).withLabels(labels).endMetadata()
        .withNewSpec()
        .withBackoffLimit(0)
        .withTtlSecondsAfterFinished(ttlSeconds > 0 ? (int) ttlSeconds : null)
        .withNewTemplate()
        .withNewMetadata().withLabels(labels).endMetadata()
        .withNewSpec()
        .withRestartPolicy("Never")
        .withServiceAccountName(serviceAccount.orElse(null))
        .addNewContainer()
        .withName(CONTAINER)
        .withImage(job.imageRef())
        .withCommand(job.command() == null || job.command().isEmpty() ? null : job.command())
        .withEnv(env)
        .withResources(resources(JobResources.of(job.resources())))
        .endContainer()
        .endSpec()
        .endTemplate()
        .endSpec()
        .build();
  }

  /** §8.4: GPUs as a limit (the only place Kubernetes takes them), CPU and memory as requests. */
  private static io.fabric8.kubernetes.api.model.ResourceRequirements resources(JobResources r) {
    ResourceRequirementsBuilder builder = new ResourceRequirementsBuilder();
    r.gpus().filter(n -> n > 0).ifPresent(n -> builder.addToLimits("nvidia.com/gpu", new Quantity(n.toString())));
    r.cpu().ifPresent(c -> builder.addToRequests("cpu", new Quantity(c.stripTrailingZeros().toPlainString())));
    r.memoryBytes().ifPresent(b -> builder.addToRequests("memory", new Quantity(b.toString())));
    return builder.build();
  }

  @Override
  public JobState inspect(Execution execution) {
    var job = client.batch().v1().jobs().inNamespace(namespaceOf(execution)).withName(execution.jobName()).get();
    if (job == null) {
      return new Missing("job_missing");
    }
    JobStatus status = job.getStatus();
    Optional<Pod> pod = newestPod(execution);
    if (hasCondition(status, "Complete")) {
      return new Exited(0);
    }
    if (hasCondition(status, "Failed")) {
      return new Exited(pod.flatMap(KubernetesExecutor::exitCode).filter(c -> c != 0).orElse(1));
    }
    if (pod.isEmpty()) {
      boolean active = status != null && status.getActive() != null && status.getActive() > 0;
      return active ? new Running() : new Waiting("no pod yet");
    }
    return podState(pod.get());
  }

  /** A pod of a Job that has not ended: running, waiting, or never able to start. */
  static JobState podState(Pod pod) {
    Optional<ContainerState> state = trainer(pod).map(ContainerStatus::getState);
    var waiting = state.map(ContainerState::getWaiting);
    if (waiting.isPresent() && START_FAILURES.contains(waiting.get().getReason())) {
      String message = waiting.get().getMessage();
      return new StartFailed(waiting.get().getReason() + (message == null || message.isBlank() ? "" : ": " + message));
    }
    String phase = pod.getStatus() == null ? null : pod.getStatus().getPhase();
    if (!"Pending".equals(phase) && phase != null) {
      return new Running(); // Running, or ended and about to be reflected in the Job's conditions
    }
    if (waiting.isPresent() && waiting.get().getReason() != null) {
      return new Waiting(waiting.get().getReason());
    }
    Optional<PodCondition> unscheduled = pod.getStatus() == null || pod.getStatus().getConditions() == null
        ? Optional.empty()
        : pod.getStatus().getConditions().stream()
            .filter(c -> "PodScheduled".equals(c.getType()) && "False".equals(c.getStatus())).findFirst();
    return new Waiting(unscheduled.map(c -> c.getReason() + (c.getMessage() == null ? "" : ": " + c.getMessage()))
        .orElse("Pending"));
  }

  private static boolean hasCondition(JobStatus status, String type) {
    if (status == null || status.getConditions() == null) {
      return false;
    }
    for (JobCondition c : status.getConditions()) {
      if (type.equals(c.getType()) && "True".equals(c.getStatus())) {
        return true;
      }
    }
    return false;
  }

  private static Optional<ContainerStatus> trainer(Pod pod) {
    if (pod.getStatus() == null || pod.getStatus().getContainerStatuses() == null) {
      return Optional.empty();
    }
    return pod.getStatus().getContainerStatuses().stream().filter(s -> CONTAINER.equals(s.getName())).findFirst();
  }

  private static Optional<Integer> exitCode(Pod pod) {
    return trainer(pod).flatMap(s -> Optional.ofNullable(s.getState()).map(ContainerState::getTerminated)
            .or(() -> Optional.ofNullable(s.getLastState()).map(ContainerState::getTerminated)))
        .map(t -> t.getExitCode());
  }

  private Optional<Pod> newestPod(Execution execution) {
    List<Pod> pods = client.pods().inNamespace(namespaceOf(execution))
        .withLabel(RUN_LABEL, execution.runId().toString()).list().getItems();
    return pods.stream().max(Comparator.comparing(p -> String.valueOf(p.getMetadata().getCreationTimestamp())));
  }

  private String namespaceOf(Execution execution) {
    return execution.instanceId() != null ? execution.instanceId() : namespace;
  }

  /** Keeps the pod's log, then deletes the Job and (in the background) its pods. */
  @Override
  public void stop(Execution execution) {
    stopper.execute(() -> {
      try {
        saveLog(execution);
        client.batch().v1().jobs().inNamespace(namespaceOf(execution)).withName(execution.jobName())
            .withPropagationPolicy(DeletionPropagation.BACKGROUND).delete();
      } catch (RuntimeException e) {
        LOG.warn("run {}: cannot delete Job {}: {}", execution.runId(), execution.jobName(), e.getMessage());
      }
      deleteSecret(namespaceOf(execution), execution.jobName());
    });
  }

  @Override
  public Optional<Path> log(Execution execution) {
    Path file = logFile(execution);
    if (!Files.isRegularFile(file)) {
      saveLog(execution);
    }
    return Files.isRegularFile(file) ? Optional.of(file) : Optional.empty();
  }

  private Path logFile(Execution execution) {
    return dataDir.resolve("runs").resolve(execution.runId().toString()).resolve("job.log");
  }

  /**
   * Copies the pod's current log (the API serves what the kubelet still keeps; JobLogs stores the
   * last 100 MiB of it). Written to a temporary file and moved, so a reader never sees half of it.
   */
  private synchronized void saveLog(Execution execution) {
    Path file = logFile(execution);
    if (Files.isRegularFile(file)) {
      return;
    }
    try {
      Optional<Pod> pod = newestPod(execution);
      if (pod.isEmpty()) {
        return;
      }
      Files.createDirectories(file.getParent());
      Path partial = file.resolveSibling("job.log.part");
      try (InputStream in = client.pods().inNamespace(namespaceOf(execution))
          .withName(pod.get().getMetadata().getName()).inContainer(CONTAINER).getLogInputStream()) {
        Files.copy(in, partial, StandardCopyOption.REPLACE_EXISTING);
      }
      Files.move(partial, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException | RuntimeException e) {
      LOG.warn("run {}: cannot read the pod log: {}", execution.runId(), e.getMessage());
    }
  }

  @Override
  public void forget(Execution execution) {
    // the job has ended: its token is of no further use to it
    if (execution.jobName() != null) {
      deleteSecret(namespaceOf(execution), execution.jobName());
    }
  }

  @Override
  public void close() {
    stopper.shutdown();
    try {
      stopper.awaitTermination(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    client.close();
  }
}
