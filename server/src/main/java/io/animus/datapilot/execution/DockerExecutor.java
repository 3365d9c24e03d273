package io.animus.datapilot.execution;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.command.InspectContainerResponse;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.exception.NotModifiedException;
import com.github.dockerjava.core.DefaultDockerClientConfig;
import com.github.dockerjava.core.DockerClientConfig;
import com.github.dockerjava.core.DockerClientImpl;
import com.github.dockerjava.httpclient5.ApacheDockerHttpClient;
import io.animus.datapilot.config.Config;
import io.animus.datapilot.config.ExecutorKind;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs each job as a container {@code animus-run-<run_id>} through the Docker Engine API (docs/protocol.md
 * §8.1 {@code docker}); podman's Docker-compatible API works too. The container is found again by
 * that name, so a restarted server picks running jobs up; stopping the server leaves them running.
 * A pinned image that is not present is pulled in the background: the job is {@code Waiting} until
 * the container starts, and a failed pull makes it {@code StartFailed}. {@link DockerImages} knows
 * the engine's images, {@link DockerContainers} how a job becomes a container.
 */
public final class DockerExecutor implements Executor {
  private static final Logger LOG = LoggerFactory.getLogger(DockerExecutor.class);
  static final String NAME_PREFIX = "animus-run-";
  static final int STOP_TIMEOUT_SECONDS = 10;
  private final Path dataDir;
  private final Duration startTimeout;
  private final DockerClient client;
  private final DockerImages images;
  private final DockerContainers containers;
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
    this.startTimeout = startTimeout;
    DockerClientConfig config = DefaultDockerClientConfig.createDefaultConfigBuilder()
        .withDockerHost(settings.host()).build();
    this.client = DockerClientImpl.getInstance(config, new ApacheDockerHttpClient.Builder()
        .dockerHost(config.getDockerHost()).sslConfig(config.getSSLConfig()).maxConnections(32)
        .connectionTimeout(Duration.ofSeconds(10)).responseTimeout(Duration.ofMinutes(5)).build());
    this.images = new DockerImages(client);
    this.containers = new DockerContainers(client, settings.network());
    try {
      client.pingCmd().exec();
    } catch (RuntimeException e) {
      LOG.warn("the Docker engine at {} does not answer yet: {}", settings.host(), DockerContainers.readable(e));
    }
  }

  @Override
  public ExecutorKind kind() {
    return ExecutorKind.DOCKER;
  }

  @Override
  public Optional<String> nameFor(UUID runId) {
    return Optional.of(NAME_PREFIX + runId);
  }

  /** §8.3, see {@link DockerImages#resolve}. */
  @Override
  public Image resolveImage(String imageRef) {
    return images.resolve(imageRef);
  }

  @Override
  public Submitted submit(Job job) throws SubmitException {
    String name = NAME_PREFIX + job.runId();
    if (images.present(job.imageRef())) {
      containers.createAndStart(job, name);
    } else {
      Starting pending = new Starting();
      starting.put(job.runId(), pending);
      workers.execute(() -> pullAndStart(job, name, pending));
    }
    return new Submitted(null, name, instanceId);
  }

  private void pullAndStart(Job job, String name, Starting pending) {
    try {
      images.pull(job.imageRef());
      if (pending.canceled) {
        return; // inspect reports it as never started; forget drops it
      }
      containers.createAndStart(job, name);
      starting.remove(job.runId(), pending);
      if (pending.canceled) {
        // stopped while the container was being created: its stop found nothing to stop
        client.stopContainerCmd(name).withTimeout(STOP_TIMEOUT_SECONDS).exec();
      }
    } catch (SubmitException e) {
      pending.failure = e.getMessage();
    } catch (RuntimeException e) {
      pending.failure = "image " + job.imageRef() + " could not be pulled: " + DockerContainers.readable(e);
    } catch (InterruptedException e) {
      pending.failure = "the pull of " + job.imageRef() + " was interrupted";
      Thread.currentThread().interrupt();
    }
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
          && execution.submittedAt().plus(startTimeout).isAfter(Instant.now());
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
          LOG.warn("cannot stop container {}: {}", name, DockerContainers.readable(e));
        }
      });
    } catch (RejectedExecutionException e) {
      LOG.warn("container {} not stopped: the executor is closed", name);
    }
  }

  /** The container's stdout and stderr, written to {@code <data dir>/runs/<run_id>/job.log}. */
  @Override
  public Optional<Path> log(Execution execution) {
    Path file = logFile(execution);
    try {
      containers.copyLog(containerOf(execution), file);
      return Optional.of(file);
    } catch (NotFoundException e) {
      return Optional.empty();
    } catch (IOException | RuntimeException e) {
      LOG.warn("run {}: cannot read the container's log: {}", execution.runId(),
          DockerContainers.readable(e));
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
    containers.remove(containerOf(execution));
    try {
      Files.deleteIfExists(logFile(execution));
    } catch (IOException e) {
      LOG.warn("run {}: cannot delete {}: {}", execution.runId(), logFile(execution), e.getMessage());
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
}
