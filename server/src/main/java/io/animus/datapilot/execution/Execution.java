package io.animus.datapilot.execution;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.animus.datapilot.config.ExecutorKind;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * One executed run as stored: what was started, where, and how it ended. {@code instanceId}
 * names the server instance that started a local process, or the namespace of a Kubernetes Job;
 * {@code endedAt} is set once the job is over (for any reason) and {@code logCapturedAt} once its
 * log was kept.
 */
public record Execution(UUID executionId, UUID runId, ExecutorKind executor, String imageRef, String imageDigest,
                        List<String> command, ObjectNode resources, List<String> envNames, Long processId,
                        String jobName, String instanceId, String datapilotUrl, String tokenSha256,
                        Instant submittedAt, Instant endedAt, Integer exitCode, String endReason,
                        Instant logCapturedAt, Instant createdAt, String createdBy) {

  /** The answer of {@code GET …/execution} (docs/protocol.md §8.6); absent values are omitted. */
  public record View(UUID executionId, UUID runId, String executor, String imageRef, String imageDigest,
                     List<String> command, ObjectNode resources, String k8sNamespace, String k8sJobName,
                     String dockerContainerId, Long processId, String datapilotUrl, Instant createdAt,
                     String createdBy) {}

  /** Where the job is, in the fields of its backend: a Job's namespace and name, or a container's name. */
  public View view() {
    String namespace = null;
    String k8sJob = null;
    String container = null;
    switch (executor) {
      case KUBERNETES -> {
        namespace = instanceId;
        k8sJob = jobName;
      }
      case DOCKER -> container = jobName;
      case LOCAL -> {
        // a process id only
      }
    }
    return new View(executionId, runId, executor.wire(), imageRef, imageDigest, command, resources, namespace,
        k8sJob, container, processId, datapilotUrl, createdAt, createdBy);
  }

  /** The answer of {@code GET …/build-context}: the execution joined with its digest's model image. */
  public record BuildContext(UUID runId, String imageRef, String imageDigest, String repo, String commitSha,
                             String pipelineId, String provider, Instant receivedAt) {}
}
