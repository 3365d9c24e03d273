package io.animus.datapilot.telemetry;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.animus.datapilot.testing.TestClient;
import io.animus.sdk.Experiment;
import io.animus.sdk.NewRun;
import io.animus.sdk.Run;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** Experiments and runs the telemetry tests write to, made through the Java SDK. */
final class RunFixtures {
  static final String RUNS = "/api/experiments/experiment-runs/";

  private RunFixtures() {}

  /** A new experiment, created through the Java SDK with the client's token. */
  static String newExperiment(TestClient client) {
    Experiment e = client.sdk().createExperiment("telemetry-" + UUID.randomUUID(), "", Map.of());
    assertThat(e.name()).startsWith("telemetry-");
    return e.experimentId();
  }

  /** A new run with {@code status}, created through the Java SDK with the client's token. */
  static String newRun(TestClient client, String experimentId, String status) {
    Run run = client.sdk().createRun(experimentId, NewRun.withStatus(status));
    assertThat(run.experimentId()).isEqualTo(experimentId);
    assertThat(run.status()).isEqualTo(status);
    return run.runId();
  }

  static String newRun(TestClient client, String status) {
    return newRun(client, newExperiment(client), status);
  }

  static String newRun(TestClient client) {
    return newRun(client, "running");
  }

  static JsonNode getRun(TestClient client, String runId) {
    var r = client.get(RUNS + runId);
    assertThat(r.status()).as(r.text()).isEqualTo(200);
    return r.json();
  }

  /** Every event of a run, oldest first, by following the pages of {@code GET …/events}. */
  static List<JsonNode> allEvents(TestClient client, String runId) {
    List<JsonNode> newestFirst = new ArrayList<>();
    String query = "?limit=1000";
    for (int page = 0; page < 1000; page++) {
      var r = client.get(RUNS + runId + "/events" + query);
      assertThat(r.status()).as(r.text()).isEqualTo(200);
      r.json().get("events").forEach(newestFirst::add);
      if (!r.json().has("next_page_token")) {
        break;
      }
      query = "?limit=1000&page_token=" + r.json().get("next_page_token").asText();
    }
    List<JsonNode> oldestFirst = new ArrayList<>(newestFirst);
    Collections.reverse(oldestFirst);
    return oldestFirst;
  }

  static List<String> texts(JsonNode array, String field) {
    List<String> out = new ArrayList<>();
    array.forEach(n -> out.add(n.path(field).asText()));
    return out;
  }
}
