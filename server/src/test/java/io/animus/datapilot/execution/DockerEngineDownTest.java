package io.animus.datapilot.execution;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.animus.datapilot.testing.TestClient;
import io.animus.datapilot.testing.TestServer;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The docker executor when its engine does not answer: clear 502s, and no job left half-started (§8.2, §8.3). */
@Timeout(120)
class DockerEngineDownTest {
  @Test
  void anUnreachableEngineGives502AndAFailedRunOnlyOnceTheRunExists() {
    try (TestServer server = TestServer.start(Map.of("DATAPILOT_EXECUTOR", "docker", "DATAPILOT_DOCKER_HOST",
        "unix:///nonexistent/datapilot-docker.sock"))) {
      TestClient c = server.client();
      String experiment = ExecutionHttpTest.newExperiment(c);
      String version = ExecutionHttpTest.newVersion(c);
      String common = "\"dataset_version_id\":\"" + version + "\",\"experiment_id\":\"" + experiment
          + "\",\"git_commit\":\"abc\",\"params\":{},\"resources\":{}";

      // An unpinned reference needs the engine to be resolved: nothing is created.
      var unpinned = c.post(ExecutionHttpTest.EXECUTE, "{" + common + ",\"image_ref\":\"train:dev\"}");
      assertThat(unpinned.status()).as(unpinned.text()).isEqualTo(502);
      assertThat(unpinned.error()).isEqualTo("image_ref_resolution_failed");
      assertThat(c.get("/api/experiments/experiments/" + experiment + "/runs").json().get("runs")).isEmpty();

      // A pinned one is used as given: the run exists, then its submission fails.
      var pinned = c.post(ExecutionHttpTest.EXECUTE, "{" + common + ",\"image_ref\":\"registry.example/train@sha256:"
          + "a".repeat(64) + "\"}");
      assertThat(pinned.status()).as(pinned.text()).isEqualTo(502);
      assertThat(pinned.error()).isEqualTo("training_submit_failed");
      String runId = pinned.json().get("details").get("run_id").asText();
      JsonNode run = c.get(ExecutionHttpTest.RUNS + runId).json();
      assertThat(run.get("status").asText()).isEqualTo("failed");
      JsonNode states = c.get(ExecutionHttpTest.RUNS + runId + "/states").json().get("states");
      assertThat(states.get(states.size() - 1).get("details").get("reason").asText()).isEqualTo("submit_failed");
      JsonNode execution = c.get(ExecutionHttpTest.RUNS + runId + "/execution").json();
      assertThat(execution.get("image_digest").asText()).isEqualTo("sha256:" + "a".repeat(64));
    }
  }
}
