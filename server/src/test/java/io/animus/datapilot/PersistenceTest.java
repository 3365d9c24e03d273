package io.animus.datapilot;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.animus.datapilot.testing.TestClient;
import io.animus.datapilot.testing.TestServer;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What was created is still there after the server stops and starts again on the same storage. */
class PersistenceTest {

  @Test
  void experimentsAndRunsSurviveARestart() {
    TestServer server = TestServer.start();
    JsonNode experiment;
    JsonNode run;
    JsonNode states;
    String experimentPath;
    String runPath;
    try {
      TestClient client = server.client();
      var createdExperiment = client.post("/api/experiments/experiments",
          "{\"name\":\"durable\",\"description\":\"kept across restarts\",\"metadata\":{\"team\":\"ml\","
              + "\"db_password\":\"x\"}}", Map.of("X-Project-Id", "persist"));
      assertThat(createdExperiment.status()).isEqualTo(201);
      experiment = createdExperiment.json();
      experimentPath = createdExperiment.header("Location");
      var createdRun = client.post(experimentPath + "/runs", "{\"status\":\"running\",\"started_at\":"
          + "\"2026-01-05T12:11:12.5+02:00\",\"params\":{\"lr\":0.001},\"metrics\":{\"acc\":0.5},"
          + "\"git_commit\":\"deadbeef\",\"artifacts_prefix\":\"/m/\"}");
      assertThat(createdRun.status()).isEqualTo(201);
      run = createdRun.json();
      runPath = createdRun.header("Location");
      states = client.get(runPath + "/states").json();
    } catch (RuntimeException | AssertionError e) {
      server.close();
      throw e;
    }

    try (TestServer restarted = server.restart(Map.of())) {
      TestClient client = restarted.client();
      var experimentAfter = client.get(experimentPath);
      assertThat(experimentAfter.status()).isEqualTo(200);
      assertThat(experimentAfter.json()).isEqualTo(experiment);
      assertThat(experimentAfter.json().at("/metadata/db_password").asText()).isEqualTo("[REDACTED]");

      var runAfter = client.get(runPath);
      assertThat(runAfter.status()).isEqualTo(200);
      assertThat(runAfter.json().get("run_id")).isEqualTo(run.get("run_id"));
      assertThat(runAfter.json().get("started_at").asText()).isEqualTo("2026-01-05T10:11:12.500Z");
      for (String field : new String[] {"experiment_id", "project_id", "status", "started_at", "git_commit",
          "params", "metrics", "artifacts_prefix"}) {
        assertThat(runAfter.json().get(field)).as(field).isEqualTo(run.get(field));
      }
      assertThat(client.get(runPath + "/states").json()).isEqualTo(states);

      JsonNode listed = client.send("GET", "/api/experiments/experiments", null, Map.of("X-Project-Id", "persist"))
          .json();
      assertThat(listed.at("/experiments/0/experiment_id").asText())
          .isEqualTo(experiment.get("experiment_id").asText());
      assertThat(listed.at("/experiments/0/run_count").asLong()).isEqualTo(1);

      var duplicate = client.post("/api/experiments/experiments", "{\"name\":\"durable\"}",
          Map.of("X-Project-Id", "persist"));
      assertThat(duplicate.status()).isEqualTo(409);
      assertThat(duplicate.json().at("/details/experiment_id").asText())
          .isEqualTo(experiment.get("experiment_id").asText());
    }
  }
}
