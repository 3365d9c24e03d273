package io.animus.datapilot.execution;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.command.CreateContainerCmd;
import com.github.dockerjava.api.command.InspectContainerResponse;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.exception.NotModifiedException;
import com.github.dockerjava.api.model.DeviceRequest;
import com.github.dockerjava.api.model.Frame;
import com.github.dockerjava.api.model.HostConfig;
import com.github.dockerjava.api.model.PullResponseItem;
import com.github.dockerjava.core.DefaultDockerClientConfig;
import com.github.dockerjava.core.DockerClientConfig;
import com.github.dockerjava.core.DockerClientImpl;
import com.github.dockerjava.httpclient5.ApacheDockerHttpClient;
import io.animus.datapilot.config.Config;
import io.animus.datapilot.kernel.ApiException;
import io.animus.datapilot.kernel.ErrorCode;
import io.animus.datapilot.kernel.Json;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs each job as a container {@code animus-run-<run_id>} through the Docker Engine API (PROTOCOL.md
 * §8.1 {@code docker}); podman's Docker-compatible API works too. The container is found again by
 * that name, so a restarted server picks running jobs up; stopping the server leaves them running.
 * A pinned image that is not present is pulled in the background: the job is {@code Waiting} until
 * the container starts, and a failed pull makes it {@code StartFailed}.
 */
public final class DockerExecutor implements Executor {
  private static final Logger LOG = LoggerFactory.getLogger(DockerExecutor.class);
  static final String NAME_PREFIX = "animus-run-";
  static final int STOP_TIMEOUT_SECONDS = 10;
  /** The labels of §8.1; {@code animus.run_id} carries the run id. */
  static final String RUN_LABEL = "animus.run_id";
  private static final long CPU_PERIOD = 100_000L;
  private final Path dataDir;
  private final String network;
  private final Duration startTimeout;
  private final DockerClient client;
  private final String instanceId = UUID.randomUUID().toString();
  private final Map<UUID, Starting> starting = new ConcurrentHashMap<>();
  private final ExecutorService workers = Executors.newCachedThreadPool(r -> {
    Thread t = new Thread(r, "docker-executor");
    t.setDaemon(true);
    return t;
  });

  /** A job whose image is being pulled: it starts afterwards unless it was stopped meanwhile. */
  private static final class Starting {
    volatile String failure;
    volatile boolean canceled;
  }

  public DockerExecutor(Path dataDir, Config.Docker settings, Duration startTimeout) {
    this.dataDir = dataDir;
    this.network = settings.network();
    this.startTimeout = startTimeout;
    DockerClientConfig config = DefaultDockerClientConfig.createDefaultConfigBuilder()
        .withDockerHost(settings.host()).build();
    this.client = DockerClientImpl.getInstance(config, new ApacheDockerHttpClient.Builder()
        .dockerHost(config.getDockerHost()).sslConfig(config.getSSLConfig()).maxConnections(32)
        .connectionTimeout(Duration.ofSeconds(10)).responseTimeout(Duration.ofMinutes(5)).build());
    try {
      client.pingCmd().exec();
    } catch (RuntimeException e) {
      LOG.warn("the Docker engine at {} does not answer yet: {}", settings.host(), readable(e));
    }
  }

  @Override
  public String kind() {
    return "docker";
  }

  @Override
  public Optional<String> nameFor(UUID runId) {
    return Optional.of(NAME_PREFIX + runId);
  }

  /**
   * §8.3: a pinned reference is used as given; otherwise the local image's id is both the reference
   * and the digest, and nothing is pulled.
   */
  @Override
  public Image resolveImage(String imageRef) {
    Optional<String> digest = ExecutionService.digestOf(imageRef);
    if (digest.isPresent()) {
      return new Image(imageRef, digest.get());
    }
    try {
      String id = client.inspectImageCmd(imageRef).exec().getId();
      return new Image(id, ExecutionService.digestOf(id).orElse(null));
    } catch (NotFoundException e) {
      throw new ApiException(ErrorCode.IMAGE_REF_NOT_FOUND, "image " + imageRef + " is not present on the "
          + "Docker host; pull it there or send a digest-pinned reference (name@sha256:...)");
    } catch (RuntimeException e) {
      LOG.warn("cannot inspect image {}: {}", imageRef, readable(e));
      throw new ApiException(ErrorCode.IMAGE_REF_RESOLUTION_FAILED, "the Docker host could not resolve the "
          + "image reference");
    }
  }

  @Override
  public Submitted submit(Job job) throws SubmitException {
    String name = NAME_PREFIX + job.runId();
    boolean present;
    try {
      client.inspectImageCmd(job.imageRef()).exec();
      present = true;
    } catch (NotFoundException e) {
      present = false;
    } catch (RuntimeException e) {
      throw new SubmitException("the Docker engine does not answer: " + readable(e));
    }
    if (present) {
      createAndStart(job, name);
    } else {
      Starting pending = new Starting();
      starting.put(job.runId(), pending);
      workers.execute(() -> pullAndStart(job, name, pending));
    }
    return new Submitted(null, name, instanceId);
  }

  private void pullAndStart(Job job, String name, Starting pending) {
    try {
      pull(job.imageRef());
      if (pending.canceled) {
        return; // inspect reports it as never started; forget drops it
      }
      createAndStart(job, name);
      starting.remove(job.runId(), pending);
      if (pending.canceled) {
        // stopped while the container was being created: its stop found nothing to stop
        client.stopContainerCmd(name).withTimeout(STOP_TIMEOUT_SECONDS).exec();
      }
    } catch (SubmitException e) {
      pending.failure = e.getMessage();
    } catch (RuntimeException e) {
      pending.failure = "image " + job.imageRef() + " could not be pulled: " + readable(e);
    } catch (InterruptedException e) {
      pending.failure = "the pull of " + job.imageRef() + " was interrupted";
      Thread.currentThread().interrupt();
    }
  }

  /** Pulls a pinned reference ({@code name[:tag]@sha256:…}) by its digest. */
  private void pull(String imageRef) throws InterruptedException, SubmitException {
    int at = imageRef.lastIndexOf('@');
    if (at <= 0) {
      throw new SubmitException("image " + imageRef + " is not present and a bare digest cannot be pulled");
    }
    String name = imageRef.substring(0, at);
    int slash = name.lastIndexOf('/');
    int colon = name.lastIndexOf(':');
    if (colon > slash) {
      name = name.substring(0, colon);
    }
    PullProgress progress = client.pullImageCmd(name).withTag(imageRef.substring(at + 1)).exec(new PullProgress());
    if (!progress.awaitCompletion(30, TimeUnit.MINUTES)) {
      try {
        progress.close();
      } catch (IOException e) {
        LOG.debug("closing the pull of {}: {}", imageRef, e.getMessage());
      }
      throw new SubmitException("the pull of " + imageRef + " took longer than 30 minutes");
    }
    if (progress.error != null) {
      throw new SubmitException("image " + imageRef + " could not be pulled: " + progress.error);
    }
    try {
      client.inspectImageCmd(imageRef).exec();
    } catch (NotFoundException e) {
      throw new SubmitException("image " + imageRef + " is still absent after its pull");
    }
  }

  /** Keeps the error a pull reports in its progress stream (the engine answers 200 and then fails). */
  private static final class PullProgress extends ResultCallback.Adapter<PullResponseItem> {
    volatile String error;

    @Override
    public void onNext(PullResponseItem item) {
      if (item.getErrorDetail() != null && item.getErrorDetail().getMessage() != null) {
        error = item.getErrorDetail().getMessage();
      } else if (item.getError() != null) {
        error = item.getError();
      }
    }
  }

  private void createAndStart(Job job, String name) throws SubmitException {
    List<String> env = new ArrayList<>();
    job.env().forEach((k, v) -> env.add(k + "=" + v));
    CreateContainerCmd create = client.createContainerCmd(job.imageRef()).withName(name).withEnv(env)
        .withLabels(labels(job.runId())).withHostConfig(hostConfig(job.resources(), network));
    if (job.command() != null) {
      // The request's command replaces the image's entrypoint and command (§8.2).
      create.withEntrypoint(job.command()).withCmd(List.of());
    }
    String id;
    try {
      id = create.exec().getId();
    } catch (RuntimeException e) {
      throw new SubmitException("container " + name + " could not be created: " + readable(e));
    }
    try {
      client.startContainerCmd(id).exec();
    } catch (RuntimeException e) {
      remove(name);
      throw new SubmitException("container " + name + " could not be started: " + readable(e));
    }
  }

  static Map<String, String> labels(UUID runId) {
    return Map.of("app.kubernetes.io/name", "animus-datapilot", "app.kubernetes.io/component", "training-job",
        RUN_LABEL, runId.toString());
  }

  /** §8.4: {@code cpu} → CPU quota, {@code memory} → memory limit, {@code gpus} → a device request. */
  static HostConfig hostConfig(ObjectNode resources, String network) {
    HostConfig host = HostConfig.newHostConfig().withNetworkMode(network);
    JobResources wanted = JobResources.of(resources);
    wanted.cpu().ifPresent(cores -> host.withCpuPeriod(CPU_PERIOD)
        .withCpuQuota(Math.max(1000L, cores.multiply(BigDecimal.valueOf(CPU_PERIOD)).longValue())));
    wanted.memoryBytes().ifPresent(host::withMemory);
    wanted.gpus().filter(n -> n > 0).ifPresent(n -> host.withDeviceRequests(List.of(
        new DeviceRequest().withCount(n).withCapabilities(List.of(List.of("gpu"))))));
    return host;
  }

  /**
   * §8.5: created (not started) → waiting; running, paused or restarting → running; exited or dead →
   * exited with its code; no container → {@code job_missing}, except for a job another server
   * instance submitted less than the start timeout ago: its image may still be being pulled there.
   */
  @Override
  public JobState inspect(Execution execution) {
    Starting pending = starting.get(execution.runId());
    if (pending != null) {
      if (pending.failure != null) {
        return new StartFailed(pending.failure);
      }
      return pending.canceled ? new StartFailed("stopped before its image was pulled")
          : new Waiting("pulling image " + execution.imageRef());
    }
    InspectContainerResponse.ContainerState state;
    try {
      state = client.inspectContainerCmd(containerOf(execution)).exec().getState();
    } catch (NotFoundException e) {
      boolean foreign = !instanceId.equals(execution.instanceId());
      boolean recent = execution.submittedAt() != null
          && execution.submittedAt().plus(startTimeout).isAfter(java.time.Instant.now());
      return foreign && recent ? new Waiting("no container yet (submitted by another server instance)")
          : new Missing("job_missing");
    }
    String status = state.getStatus() == null ? "" : state.getStatus();
    switch (status) {
      case "exited", "dead", "stopped", "removing" -> {
        Long code = state.getExitCodeLong();
        return new Exited(code == null ? -1 : code.intValue());
      }
      case "running", "paused", "restarting", "stopping" -> {
        return new Running();
      }
      default -> {
        return Boolean.TRUE.equals(state.getRunning()) ? new Running()
            : new Waiting("container " + (status.isEmpty() ? "not started" : status));
      }
    }
  }

  /** {@code docker stop} with a 10 s timeout, in the background; a pending pull does not start it. */
  @Override
  public void stop(Execution execution) {
    Starting pending = starting.get(execution.runId());
    if (pending != null) {
      pending.canceled = true;
    }
    String name = containerOf(execution);
    try {
      workers.execute(() -> {
        try {
          client.stopContainerCmd(name).withTimeout(STOP_TIMEOUT_SECONDS).exec();
        } catch (NotFoundException | NotModifiedException e) {
          // never created, already stopped or already removed
        } catch (RuntimeException e) {
          LOG.warn("cannot stop container {}: {}", name, readable(e));
        }
      });
    } catch (java.util.concurrent.RejectedExecutionException e) {
      LOG.warn("container {} not stopped: the executor is closed", name);
    }
  }

  /** The container's stdout and stderr, written to {@code <data dir>/runs/<run_id>/job.log}. */
  @Override
  public Optional<Path> log(Execution execution) {
    Path file = logFile(execution);
    try {
      client.inspectContainerCmd(containerOf(execution)).exec();
      Files.createDirectories(file.getParent());
      try (OutputStream out = new TailFile(file, JobLogs.MAX_BYTES)) {
        client.logContainerCmd(containerOf(execution)).withStdOut(true).withStdErr(true)
            .exec(new ResultCallback.Adapter<Frame>() {
              @Override
              public void onNext(Frame frame) {
                try {
                  out.write(frame.getPayload());
                } catch (IOException e) {
                  throw new UncheckedIOException(e);
                }
              }
            }).awaitCompletion(5, TimeUnit.MINUTES);
      }
      return Optional.of(file);
    } catch (NotFoundException e) {
      return Optional.empty();
    } catch (IOException | RuntimeException e) {
      LOG.warn("run {}: cannot read the container's log: {}", execution.runId(), readable(e));
      return Files.isRegularFile(file) ? Optional.of(file) : Optional.empty();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Optional.empty();
    }
  }

  /** Removes the container and the copy of its log. */
  @Override
  public void forget(Execution execution) {
    starting.remove(execution.runId());
    remove(containerOf(execution));
    try {
      Files.deleteIfExists(logFile(execution));
    } catch (IOException e) {
      LOG.warn("run {}: cannot delete {}: {}", execution.runId(), logFile(execution), e.getMessage());
    }
  }

  private void remove(String name) {
    try {
      client.removeContainerCmd(name).withForce(true).withRemoveVolumes(true).exec();
    } catch (NotFoundException e) {
      // already gone
    } catch (RuntimeException e) {
      LOG.warn("cannot remove container {}: {}", name, readable(e));
    }
  }

  private Path logFile(Execution execution) {
    return dataDir.resolve("runs").resolve(execution.runId().toString()).resolve("job.log");
  }

  private static String containerOf(Execution execution) {
    return execution.jobName() != null ? execution.jobName() : NAME_PREFIX + execution.runId();
  }

  /** Leaves the containers running: the next server instance picks them up by name. */
  @Override
  public void close() {
    workers.shutdownNow();
    try {
      client.close();
    } catch (IOException e) {
      LOG.debug("closing the Docker client: {}", e.getMessage());
    }
  }

  /** An engine error in words: the {@code message} of its JSON body when it has one. */
  static String readable(Throwable e) {
    String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    int brace = message.indexOf('{');
    if (brace >= 0) {
      try {
        JsonNode body = Json.mapper().readTree(message.substring(brace));
        if (body != null && body.hasNonNull("message")) {
          return body.get("message").asText();
        }
      } catch (IOException | RuntimeException ignored) {
        // not JSON: keep the whole message
      }
    }
    return message.strip();
  }
}
