package io.animus.datapilot.execution;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.command.CreateContainerCmd;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.model.DeviceRequest;
import com.github.dockerjava.api.model.Frame;
import com.github.dockerjava.api.model.HostConfig;
import io.animus.datapilot.kernel.Json;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The containers of the Docker executor: how a job becomes one (docs/protocol.md §8.1 labels, §8.4
 * environment and resources), its removal and the copy of its log.
 */
final class DockerContainers {
  private static final Logger LOG = LoggerFactory.getLogger(DockerContainers.class);
  /** The labels of §8.1; {@code animus.run_id} carries the run id. */
  static final String RUN_LABEL = "animus.run_id";
  private static final long CPU_PERIOD = 100_000L;
  private final DockerClient client;
  private final String network;

  DockerContainers(DockerClient client, String network) {
    this.client = client;
    this.network = network;
  }

  void createAndStart(Executor.Job job, String name) throws Executor.SubmitException {
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
      throw new Executor.SubmitException("container " + name + " could not be created: " + readable(e));
    }
    try {
      client.startContainerCmd(id).exec();
    } catch (RuntimeException e) {
      remove(name);
      throw new Executor.SubmitException("container " + name + " could not be started: " + readable(e));
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

  /** Writes the container's stdout and stderr to {@code file}; a NotFoundException when there is no container. */
  void copyLog(String name, Path file) throws IOException, InterruptedException {
    client.inspectContainerCmd(name).exec();
    Files.createDirectories(file.getParent());
    try (OutputStream out = new TailFile(file, JobLogs.MAX_BYTES)) {
      client.logContainerCmd(name).withStdOut(true).withStdErr(true)
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
  }

  void remove(String name) {
    try {
      client.removeContainerCmd(name).withForce(true).withRemoveVolumes(true).exec();
    } catch (NotFoundException e) {
      // already gone
    } catch (RuntimeException e) {
      LOG.warn("cannot remove container {}: {}", name, readable(e));
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
