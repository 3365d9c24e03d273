package io.animus.datapilot.execution;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.animus.datapilot.testing.TestClient;
import io.animus.datapilot.testing.TestServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A server restart during a local job, and the job token's scope and lifetime (§2.3, §8.5). */
@Timeout(120)
class ExecutionRestartTest {
  static final Map<String, String> SETTINGS = Map.of("DATAPILOT_EXECUTOR", "local",
      "DATAPILOT_EXECUTOR_SYNC_INTERVAL", "1s", "DATAPILOT_RUN_TOKEN_GRACE", "1s");

  private static String execute(TestClient c, String experiment, String version, String script) {
    var r = c.post(ExecutionHttpTest.EXECUTE, "{\"command\":[\"sh\",\"-c\"," + io.animus.datapilot.kernel.Json
        .writeString(script) + "],\"dataset_version_id\":\"" + version + "\",\"experiment_id\":\"" + experiment
        + "\",\"git_commit\":\"abc\",\"image_ref\":\"local/x\",\"params\":{},\"resources\":{}}");
    assertThat(r.status()).as(r.text()).isEqualTo(201);
    return r.json().get("run_id").asText();
  }

  private static JsonNode waitFor(TestClient c, String runId, Set<String> statuses) throws InterruptedException {
    while (true) {
      JsonNode run = c.get(ExecutionHttpTest.RUNS + runId).json();
      if (statuses.contains(run.get("status").asText())) {
        return run;
      }
      Thread.sleep(200);
    }
  }

  @Test
  void aRestartDuringALocalJobEndsItFailedExecutorRestarted() throws InterruptedException {
    TestServer server = TestServer.start(SETTINGS);
    try {
      TestClient c = server.client();
      String runId = execute(c, ExecutionHttpTest.newExperiment(c), ExecutionHttpTest.newVersion(c),
          "echo before restart; sleep 300 & wait");
      waitFor(c, runId, Set.of("running"));
      long pid = c.get(ExecutionHttpTest.RUNS + runId + "/execution").json().get("process_id").asLong();
      ProcessHandle leader = ProcessHandle.of(pid).orElseThrow();
      server = server.restart(SETTINGS);
      while (leader.isAlive()) {
        Thread.sleep(100);
      }
      c = server.client();
      JsonNode run = waitFor(c, runId, Set.of("succeeded", "failed", "canceled"));
      assertThat(run.get("status").asText()).isEqualTo("failed");
      JsonNode states = c.get(ExecutionHttpTest.RUNS + runId + "/states").json().get("states");
      JsonNode last = states.get(states.size() - 1);
      assertThat(last.get("details").get("reason").asText()).isEqualTo("executor_restarted");
      assertThat(last.get("details").get("actor").asText()).isEqualTo("system");
      assertThat(c.get(ExecutionHttpTest.RUNS + runId + "/artifacts?kind=log").json().get("artifacts"))
          .hasSize(1);
    } finally {
      server.close();
    }
  }

  @Test
  void theJobTokenReachesOnlyItsRunAndVersionAndExpiresAfterTheGrace() throws Exception {
    try (TestServer server = TestServer.start(SETTINGS)) {
      TestClient c = server.client();
      String experiment = ExecutionHttpTest.newExperiment(c);
      String version = ExecutionHttpTest.newVersion(c);
      String otherVersion = ExecutionHttpTest.newVersion(c);
      String otherRun = c.post("/api/experiments/experiments/" + experiment + "/runs", "{\"status\":\"running\"}")
          .json().get("run_id").asText();
      String runId = execute(c, experiment, version, "printf %s \"$TOKEN\" > token.txt");
      assertThat(waitFor(c, runId, Set.of("succeeded", "failed")).get("status").asText()).isEqualTo("succeeded");
      Path file = server.app().config().dataDir().resolve("runs").resolve(runId).resolve("work")
          .resolve("token.txt");
      TestClient job = c.withToken(Files.readString(file));
      assertThat(job.get(ExecutionHttpTest.RUNS + otherRun).status()).isIn(401, 403);
      assertThat(job.get("/api/dataset-registry/dataset-versions/" + otherVersion).status()).isIn(401, 403);
      assertThat(job.get("/api/dataset-registry/dataset-versions/" + UUID.randomUUID()).status()).isIn(401, 403);
      while (job.get(ExecutionHttpTest.RUNS + runId).status() != 401) {
        Thread.sleep(200);
      }
      assertThat(job.get("/api/dataset-registry/dataset-versions/" + version).status()).isEqualTo(401);
    }
  }
}
