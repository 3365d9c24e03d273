package io.animus.datapilot.console;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.core.type.TypeReference;
import io.animus.datapilot.kernel.Json;
import io.animus.datapilot.testing.TestClient;
import io.animus.sdk.Artifact;
import io.animus.sdk.Dataset;
import io.animus.sdk.DatasetVersion;
import io.animus.sdk.Experiment;
import io.animus.sdk.ExperimentsClient;
import io.animus.sdk.GitMetadata;
import io.animus.sdk.ModelImage;
import io.animus.sdk.NewRun;
import io.animus.sdk.Run;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Creates what the console shows, through the public API only (the Java SDK where it has the call), and checks
 * each answer.
 */
final class Seed {
  static final String RUNS = "/api/experiments/experiment-runs/";
  private final TestClient client;

  Seed(TestClient client) {
    this.client = client;
  }

  private static Path tempFile(String content) {
    try {
      Path file = Files.createTempFile("seed", ".tmp");
      Files.writeString(file, content, StandardCharsets.UTF_8);
      file.toFile().deleteOnExit();
      return file;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private JsonNode created(TestClient.Response r) {
    assertThat(r.status()).as(r.text()).isIn(200, 201);
    return r.json();
  }

  String experiment(String project, String name, String description) {
    Experiment e = client.sdk(project).createExperiment(name, description, null);
    assertThat(e.projectId()).isEqualTo(project);
    assertThat(e.name()).isEqualTo(name);
    return e.experimentId();
  }

  /** A run with the given status and params (a JSON object text). */
  String run(String experimentId, String status, String params) {
    Map<String, Object> values;
    try {
      values = Json.mapper().readValue(params, new TypeReference<LinkedHashMap<String, Object>>() {});
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    Run run = client.sdk().createRun(experimentId, NewRun.withStatus(status).params(values)
        .git(new GitMetadata("github.com/acme/vision", "0123abc", null, null)));
    assertThat(run.status()).isEqualTo(status);
    assertThat(run.gitCommit()).isEqualTo("0123abc");
    return run.runId();
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
    assertThat(client.sdk().setRunStatus(runId, status, null).status()).isEqualTo(status);
  }

  void artifact(String runId, String kind, String filename, String content) {
    Artifact a = client.sdk().uploadRunArtifact(runId, kind, tempFile(content), filename, null, filename,
        "text/plain");
    assertThat(a.kind()).isEqualTo(kind);
  }

  String dataset(String project, String name) {
    Dataset d = client.datasets(project).createDataset(name, "images and labels", null);
    assertThat(d.projectId()).isEqualTo(project);
    return d.datasetId();
  }

  DatasetVersion version(String datasetId, String filename, String content) {
    Path dir;
    try {
      dir = Files.createTempDirectory("seed");
      dir.toFile().deleteOnExit();
      Path file = Files.writeString(dir.resolve(filename), content, StandardCharsets.UTF_8);
      file.toFile().deleteOnExit();
      DatasetVersion v = client.datasets().uploadDatasetVersion(datasetId, file, null, null);
      assertThat(v.datasetId()).isEqualTo(datasetId);
      return v;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Registers a CI-built image (signed like a CI job would). */
  void ciReport(String secret, String digest, String repo, String commit, String pipeline) {
    ExperimentsClient ci = ExperimentsClient.builder().gatewayUrl(client.baseUrl()).ciSecret(secret).build();
    ModelImage image = ci.postCiReport(Map.of("commit_sha", commit, "image_digest", digest, "pipeline_id", pipeline,
        "provider", "github_actions", "repo", repo));
    assertThat(image.imageDigest()).isEqualTo(digest);
  }
}
