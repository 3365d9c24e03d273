package io.animus.sdk;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * How a run was executed (docs/protocol.md §8.6, {@code GET …/experiment-runs/{run_id}/execution}).
 *
 * @param executionId the execution's id
 * @param runId its run
 * @param executor {@code local}, {@code docker} or {@code kubernetes}
 * @param imageRef the image reference as requested
 * @param imageDigest the resolved digest, or null
 * @param command the command that replaced the image's, empty when none
 * @param resources the requested resources, empty when none
 * @param k8sNamespace the Kubernetes namespace, or null
 * @param k8sJobName the Kubernetes Job name, or null
 * @param dockerContainerId the Docker container id, or null
 * @param processId the local process id, or null
 * @param datapilotUrl the base URL handed to the job
 * @param createdAt when the job was submitted
 * @param createdBy the subject that executed the run
 */
public record Execution(String executionId, String runId, String executor, String imageRef, String imageDigest,
    List<String> command, Map<String, Object> resources, String k8sNamespace, String k8sJobName,
    String dockerContainerId, Long processId, String datapilotUrl, Instant createdAt, String createdBy) {

  /** Reads an execution object; unknown fields are ignored. */
  static Execution fromJson(JsonNode n) {
    return new Execution(Wire.text(n, "execution_id"), Wire.text(n, "run_id"), Wire.text(n, "executor"),
        Wire.text(n, "image_ref"), Wire.text(n, "image_digest"), Wire.list(n, "command", JsonNode::asText),
        Wire.object(n, "resources"), Wire.text(n, "k8s_namespace"), Wire.text(n, "k8s_job_name"),
        Wire.text(n, "docker_container_id"), Wire.optLong(n, "process_id"), Wire.text(n, "datapilot_url"),
        Wire.instant(n, "created_at"), Wire.text(n, "created_by"));
  }
}
