package io.animus.datapilot.console;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.animus.datapilot.ci.CiSignature;
import io.animus.datapilot.kernel.Json;
import io.animus.datapilot.testing.Multipart;
import io.animus.datapilot.testing.TestClient;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/** Creates what the console shows, through the public API only, and checks each answer. */
final class Seed {
  static final String RUNS = "/api/experiments/experiment-runs/";
  private final TestClient client;

  Seed(TestClient client) {
    this.client = client;
  }

  private JsonNode created(TestClient.Response r) {
    assertThat(r.status()).as(r.text()).isIn(200, 201);
    return r.json();
  }

  String experiment(String project, String name, String description) {
    return created(client.post("/api/experiments/experiments?project_id=" + project,
        "{\"name\":" + Json.writeString(name) + ",\"description\":" + Json.writeString(description) + "}"))
        .get("experiment_id").asText();
  }

  /** A run with the given status and params (a JSON object text). */
  String run(String experimentId, String status, String params) {
    return created(client.post("/api/experiments/experiments/" + experimentId + "/runs",
        "{\"status\":\"" + status + "\",\"params\":" + params + ",\"git_repo\":\"github.com/acme/vision\","
            + "\"git_commit\":\"0123abc\"}")).get("run_id").asText();
  }

  /** Points of one metric: steps {@code from} to {@code to - 1}, value {@code f(step)}, in batches of 10,000. */
  void metric(String runId, String name, int from, int to, java.util.function.IntFunction<String> value) {
    for (int start = from; start < to; start += 10_000) {
      StringBuilder body = new StringBuilder("{\"points\":[");
      for (int step = start; step < Math.min(to, start + 10_000); step++) {
        if (step > start) {
          body.append(',');
        }
        body.append("{\"step\":").append(step).append(",\"name\":").append(Json.writeString(name))
            .append(",\"value\":").append(value.apply(step)).append('}');
      }
      created(client.post(RUNS + runId + "/metrics:batch", body.append("]}").toString()));
    }
  }

  void metrics(String runId, int step, String metricsJson) {
    created(client.post(RUNS + runId + "/metrics", "{\"step\":" + step + ",\"metrics\":" + metricsJson + "}"));
  }

  void event(String runId, String level, String message, String metadataJson) {
    created(client.post(RUNS + runId + "/events", "{\"level\":\"" + level + "\",\"message\":"
        + Json.writeString(message) + ",\"metadata\":" + metadataJson + "}"));
  }

  void status(String runId, String status) {
    created(client.post(RUNS + runId + "/status", "{\"status\":\"" + status + "\"}"));
  }

  void artifact(String runId, String kind, String filename, String content) {
    Multipart form = Multipart.sdk().field("kind", kind).field("name", filename)
        .file("file", filename, "text/plain", content.getBytes(StandardCharsets.UTF_8));
    created(client.sendBytes("POST", RUNS + runId + "/artifacts", form.build(),
        Map.of("Content-Type", form.contentType())));
  }

  String dataset(String project, String name) {
    return created(client.post("/api/dataset-registry/datasets?project_id=" + project,
        "{\"name\":" + Json.writeString(name) + ",\"description\":\"images and labels\"}"))
        .get("dataset_id").asText();
  }

  JsonNode version(String datasetId, String filename, String content) {
    Multipart form = Multipart.sdk().file("file", filename, "text/csv", content.getBytes(StandardCharsets.UTF_8));
    return created(client.sendBytes("POST", "/api/dataset-registry/datasets/" + datasetId + "/versions/upload",
        form.build(), Map.of("Content-Type", form.contentType())));
  }

  /** Registers a CI-built image (signed like a CI job would). */
  void ciReport(String secret, String digest, String repo, String commit, String pipeline) {
    byte[] body = ("{\"commit_sha\":\"" + commit + "\",\"image_digest\":\"" + digest + "\",\"pipeline_id\":\""
        + pipeline + "\",\"provider\":\"github_actions\",\"repo\":\"" + repo + "\"}").getBytes(StandardCharsets.UTF_8);
    String ts = Long.toString(System.currentTimeMillis() / 1000);
    created(client.sendBytes("POST", "/api/experiments/ci/report", body, Map.of("Content-Type", "application/json",
        "X-Animus-CI-Ts", ts, "X-Animus-CI-Sig", CiSignature.sign(secret, ts, "POST", body))));
  }
}
