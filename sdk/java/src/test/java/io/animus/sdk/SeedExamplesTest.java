package io.animus.sdk;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Each example of the seed Python README, in Java, in the README's order, against the real server. */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(120)
class SeedExamplesTest {
  private static String gateway;
  private static String datasetVersionId;
  private static String experimentId;
  private static String runId;
  private static String imageDigest;
  private static final String COMMIT = "deadbeefcafe0123456789abcdef0123456789ab";

  @TempDir
  static Path tmp;

  @BeforeAll
  static void datasetVersionExists() throws Exception {
    gateway = LiveServer.url();
    DatasetRegistryClient datasets = LiveServer.datasets();
    JsonNode dataset = datasets.createDataset(LiveServer.unique("fraud"), "seed examples", Map.of());
    Path csv = tmp.resolve("train.csv");
    Files.writeString(csv, "a,b\n1,2\n" + LiveServer.unique("row") + "\n");
    datasetVersionId = datasets.uploadDatasetVersion(dataset.path("dataset_id").asText(), csv, null, null)
        .path("version_id").asText();
    imageDigest = "sha256:" + HexFormat.of().formatHex(
        java.security.MessageDigest.getInstance("SHA-256").digest(LiveServer.unique("img").getBytes()));
  }

  @Test
  @Order(1)
  void experimentsUsage() {
    ExperimentsClient client = ExperimentsClient.builder().gatewayUrl(gateway).ciSecret(LiveServer.CI_SECRET).build();

    JsonNode exp = client.createExperiment(LiveServer.unique("baseline"), "Baseline training run",
        Map.of("team", "ml", "project", "fraud"));

    JsonNode run = client.createRun(exp.get("experiment_id").asText(), NewRun.withStatus("succeeded")
        .datasetVersionId(datasetVersionId)
        .params(Map.of("lr", 1e-3))
        .metrics(Map.of("accuracy", 0.91)));

    JsonNode ci = client.postCiWebhook(Map.of(
        "run_id", run.get("run_id").asText(),
        "provider", "github_actions",
        "context", Map.of("workflow", "train.yml", "job", "train")));

    experimentId = exp.get("experiment_id").asText();
    runId = run.get("run_id").asText();
    assertThat(exp.path("metadata").path("team").asText()).isEqualTo("ml");
    assertThat(run.path("status").asText()).isEqualTo("succeeded");
    assertThat(run.path("dataset_version_id").asText()).isEqualTo(datasetVersionId);
    assertThat(run.path("params").path("lr").asDouble()).isEqualTo(1e-3);
    assertThat(ci.path("run_id").asText()).isEqualTo(runId);
    assertThat(ci.path("provider").asText()).isEqualTo("github_actions");
    assertThat(client.postCiWebhook(Map.of("run_id", runId, "provider", "github_actions",
        "context", Map.of("workflow", "train.yml", "job", "train"))).path("status").asText()).isEqualTo("duplicate");
  }

  @Test
  @Order(2)
  void ciImageRegistration() {
    ExperimentsClient client = ExperimentsClient.fromEnv(Map.of("ANIMUS_GATEWAY_URL", gateway,
        "ANIMUS_CI_WEBHOOK_SECRET", LiveServer.CI_SECRET));

    JsonNode report = client.postCiReport(Map.of(
        "image_digest", imageDigest,
        "repo", "ghcr.io/acme/train",
        "commit_sha", COMMIT,
        "pipeline_id", "build-123",
        "provider", "github_actions"));

    assertThat(report.path("status").asText()).isEqualTo("created");
    assertThat(report.path("image_digest").asText()).isEqualTo(imageDigest);
    assertThat(client.getModelImage(imageDigest).path("commit_sha").asText()).isEqualTo(COMMIT);
  }

  @Test
  @Order(3)
  void executeTrainingRun() {
    ExperimentsClient client = ExperimentsClient.builder().gatewayUrl(gateway).build();
    JsonNode resp = client.executeRun(experimentId, datasetVersionId, "ghcr.io/acme/train@" + imageDigest);
    System.out.println(resp.get("run_id").asText());
    assertThat(client.getRun(resp.get("run_id").asText()).path("git_commit").asText()).isEqualTo(COMMIT);
  }

  @Test
  @Order(4)
  void liveTelemetry() {
    RunTelemetryLogger logger = RunTelemetryLogger.fromEnv(Map.of("DATAPILOT_URL", gateway, "RUN_ID", runId));
    logger.logStatus("starting");

    for (int step = 0; step < 100; step++) {
      double loss = 1.0 / (step + 1);
      logger.logMetric(step, "loss", loss);
      logger.logProgress(step, 100L, (step + 1) / 100.0, null);
    }

    logger.logStatus("finished");
    assertThat(logger.close(Duration.ofSeconds(30))).isTrue();

    ExperimentsClient client = LiveServer.experiments();
    JsonNode series = client.getMetricSeries(runId, "loss", 1000);
    assertThat(series.path("total_points").asLong()).isEqualTo(100);
    assertThat(series.path("buckets").get(99).path("last").asDouble()).isEqualTo(0.01);
    JsonNode events = client.listRunEvents(runId, 1000, null).path("events");
    assertThat(events.size()).isEqualTo(102);
    assertThat(events.get(0).path("metadata").path("status").asText()).isEqualTo("finished");
    assertThat(client.getRun(runId).path("reported_status").asText()).isEqualTo("finished");
  }

  @Test
  @Order(5)
  void datasetDownload() throws Exception {
    Map<String, String> env = Map.of("DATAPILOT_URL", gateway, "TOKEN", "", "DATASET_VERSION_ID", datasetVersionId);
    Path dest = tmp.resolve("dataset.zip");

    DatasetRegistryClient datasets = DatasetRegistryClient.builder().gatewayUrl(env.get("DATAPILOT_URL"))
        .authToken(env.get("TOKEN")).build();
    DownloadResult result = datasets.downloadDatasetVersion(env.get("DATASET_VERSION_ID"), dest);

    JsonNode version = datasets.getDatasetVersion(datasetVersionId);
    assertThat(result.sha256()).isEqualTo(version.path("content_sha256").asText());
    assertThat(result.sizeBytes()).isEqualTo(Files.size(dest)).isEqualTo(version.path("size_bytes").asLong());
    assertThat(result.contentType()).startsWith("text/csv");
    assertThat(Files.exists(tmp.resolve("dataset.zip.tmp"))).isFalse();
  }

  @Test
  @Order(6)
  void runArtifacts() throws Exception {
    Path model = tmp.resolve("model.json");
    Files.writeString(model, "{\"weights\":[1,2,3]}");
    ExperimentsClient exp = ExperimentsClient.fromEnv(Map.of("DATAPILOT_URL", gateway, "RUN_ID", runId));

    JsonNode uploaded = exp.uploadRunArtifact(runId, "model", model, "model", Map.of("format", "json"));

    JsonNode artifact = uploaded.path("artifact");
    assertThat(artifact.path("kind").asText()).isEqualTo("model");
    assertThat(artifact.path("filename").asText()).isEqualTo("model.json");
    assertThat(artifact.path("content_type").asText()).isEqualTo("application/json");
    assertThat(artifact.path("size_bytes").asLong()).isEqualTo(Files.size(model));
    assertThat(artifact.path("metadata").path("format").asText()).isEqualTo("json");
    List<String> ids = exp.listRunArtifacts(runId, "model").path("artifacts").findValuesAsText("artifact_id");
    assertThat(ids).contains(artifact.path("artifact_id").asText());
  }
}
