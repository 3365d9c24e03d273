package io.animus.sdk;

import static org.assertj.core.api.Assertions.assertThat;

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
    Dataset dataset = datasets.createDataset(LiveServer.unique("fraud"), "seed examples", Map.of());
    Path csv = tmp.resolve("train.csv");
    Files.writeString(csv, "a,b\n1,2\n" + LiveServer.unique("row") + "\n");
    datasetVersionId = datasets.uploadDatasetVersion(dataset.datasetId(), csv, null, null).versionId();
    imageDigest = "sha256:" + HexFormat.of().formatHex(
        java.security.MessageDigest.getInstance("SHA-256").digest(LiveServer.unique("img").getBytes()));
  }

  @Test
  @Order(1)
  void experimentsUsage() {
    ExperimentsClient client = ExperimentsClient.builder().gatewayUrl(gateway).ciSecret(LiveServer.CI_SECRET).build();

    Experiment exp = client.createExperiment(LiveServer.unique("baseline"), "Baseline training run",
        Map.of("team", "ml", "project", "fraud"));

    Run run = client.createRun(exp.experimentId(), NewRun.withStatus("succeeded")
        .datasetVersionId(datasetVersionId)
        .params(Map.of("lr", 1e-3))
        .metrics(Map.of("accuracy", 0.91)));

    CiContext ci = client.postCiWebhook(Map.of(
        "run_id", run.runId(),
        "provider", "github_actions",
        "context", Map.of("workflow", "train.yml", "job", "train")));

    experimentId = exp.experimentId();
    runId = run.runId();
    assertThat(exp.metadata()).containsEntry("team", "ml").containsEntry("project", "fraud");
    assertThat(exp.description()).isEqualTo("Baseline training run");
    assertThat(exp.projectId()).isEqualTo("default");
    assertThat(exp.createdAt()).isNotNull();
    assertThat(run.status()).isEqualTo("succeeded");
    assertThat(run.experimentId()).isEqualTo(experimentId);
    assertThat(run.datasetVersionId()).isEqualTo(datasetVersionId);
    assertThat(run.params()).containsEntry("lr", 1e-3);
    assertThat(run.metrics()).containsEntry("accuracy", 0.91);
    assertThat(ci.runId()).isEqualTo(runId);
    assertThat(ci.provider()).isEqualTo("github_actions");
    assertThat(ci.duplicate()).isFalse();
    assertThat(ci.payload()).containsEntry("run_id", runId);
    assertThat(client.postCiWebhook(Map.of("run_id", runId, "provider", "github_actions",
        "context", Map.of("workflow", "train.yml", "job", "train"))).duplicate()).isTrue();
  }

  @Test
  @Order(2)
  void ciImageRegistration() {
    ExperimentsClient client = ExperimentsClient.fromEnv(Map.of("ANIMUS_GATEWAY_URL", gateway,
        "ANIMUS_CI_WEBHOOK_SECRET", LiveServer.CI_SECRET));

    ModelImage report = client.postCiReport(Map.of(
        "image_digest", imageDigest,
        "repo", "ghcr.io/acme/train",
        "commit_sha", COMMIT,
        "pipeline_id", "build-123",
        "provider", "github_actions"));

    assertThat(report.status()).isEqualTo("created");
    assertThat(report.imageDigest()).isEqualTo(imageDigest);
    assertThat(report.repo()).isEqualTo("ghcr.io/acme/train");
    ModelImage stored = client.getModelImage(imageDigest);
    assertThat(stored.commitSha()).isEqualTo(COMMIT);
    assertThat(stored.pipelineId()).isEqualTo("build-123");
    assertThat(stored.payload()).containsEntry("provider", "github_actions");
  }

  @Test
  @Order(3)
  void executeTrainingRun() {
    ExperimentsClient client = ExperimentsClient.builder().gatewayUrl(gateway).build();
    ExecuteRunResult resp = client.executeRun(experimentId, datasetVersionId, "ghcr.io/acme/train@" + imageDigest);
    System.out.println(resp.runId());

    assertThat(resp.executionId()).isNotBlank();
    assertThat(resp.status()).isIn("pending", "running");
    assertThat(resp.datapilotUrl()).startsWith("http://");
    Run executed = client.getRun(resp.runId());
    // the CI report's registration filled the git fields: the binding rule was applied, not bypassed
    assertThat(executed.gitCommit()).isEqualTo(COMMIT);
    assertThat(executed.gitRepo()).isEqualTo("ghcr.io/acme/train");
    assertThat(executed.datasetVersionId()).isEqualTo(datasetVersionId);
  }

  @Test
  @Order(4)
  void liveTelemetry() {
    RunTelemetryLogger logger = RunTelemetryLogger.builderFromEnv(Map.of("DATAPILOT_URL", gateway, "RUN_ID", runId))
        .timeout(Duration.ofSeconds(2))
        .build();
    logger.logStatus("starting");

    for (int step = 0; step < 100; step++) {
      double loss = 1.0 / (step + 1);
      logger.logMetric(step, "loss", loss);
      logger.logProgress(step, 100L, (step + 1) / 100.0, null);
    }

    logger.logStatus("finished");
    assertThat(logger.close(Duration.ofSeconds(30))).isTrue();

    ExperimentsClient client = LiveServer.experiments();
    MetricSeries series = client.getMetricSeries(runId, "loss", 1000);
    assertThat(series.totalPoints()).isEqualTo(100);
    assertThat(series.downsampled()).isFalse();
    assertThat(series.buckets().get(99).last()).isEqualTo(0.01);
    assertThat(series.buckets().get(0).max()).isEqualTo(1.0);
    List<RunEvent> events = client.listRunEvents(runId, 1000, null).events();
    assertThat(events).hasSize(102);
    assertThat(events.get(0).metadata()).containsEntry("status", "finished");
    Run run = client.getRun(runId);
    assertThat(run.reportedStatus()).isEqualTo("finished");
    assertThat(run.progress().step()).isEqualTo(99);
    assertThat(run.progress().totalSteps()).isEqualTo(100L);
    assertThat(run.progress().percent()).isEqualTo(1.0);
  }

  @Test
  @Order(5)
  void datasetDownload() throws Exception {
    Map<String, String> env = Map.of("DATAPILOT_URL", gateway, "TOKEN", "", "DATASET_VERSION_ID", datasetVersionId);
    Path dest = tmp.resolve("dataset.zip");

    DatasetRegistryClient datasets = DatasetRegistryClient.builder().gatewayUrl(env.get("DATAPILOT_URL"))
        .authToken(env.get("TOKEN")).build();
    DownloadResult result = datasets.downloadDatasetVersion(env.get("DATASET_VERSION_ID"), dest);

    DatasetVersion version = datasets.getDatasetVersion(datasetVersionId);
    assertThat(result.sha256()).isEqualTo(version.contentSha256());
    assertThat(result.sizeBytes()).isEqualTo(Files.size(dest)).isEqualTo(version.sizeBytes());
    assertThat(version.metadata()).containsEntry("filename", "train.csv");
    assertThat(result.contentType()).startsWith("text/csv");
    assertThat(Files.exists(tmp.resolve("dataset.zip.tmp"))).isFalse();
  }

  @Test
  @Order(6)
  void runArtifacts() throws Exception {
    Path model = tmp.resolve("model.json");
    Files.writeString(model, "{\"weights\":[1,2,3]}");
    ExperimentsClient exp = ExperimentsClient.fromEnv(Map.of("DATAPILOT_URL", gateway, "RUN_ID", runId));

    Artifact artifact = exp.uploadRunArtifact(runId, "model", model, "model", Map.of("format", "json"));

    assertThat(artifact.kind()).isEqualTo("model");
    assertThat(artifact.name()).isEqualTo("model");
    assertThat(artifact.runId()).isEqualTo(runId);
    assertThat(artifact.filename()).isEqualTo("model.json");
    assertThat(artifact.contentType()).isEqualTo("application/json");
    assertThat(artifact.sizeBytes()).isEqualTo(Files.size(model));
    assertThat(artifact.metadata()).containsEntry("format", "json");
    List<String> ids = exp.listRunArtifacts(runId, "model").items().stream().map(Artifact::artifactId).toList();
    assertThat(ids).contains(artifact.artifactId());
  }
}
