package io.animus.sdk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Every client operation with an endpoint, against the real server. */
@Timeout(120)
class ClientOperationsTest {
  private final ExperimentsClient client = LiveServer.experiments();
  private final DatasetRegistryClient datasets = LiveServer.datasets();

  @TempDir
  Path tmp;

  private String newExperiment() {
    return client.createExperiment(LiveServer.unique("exp"), "", null).path("experiment_id").asText();
  }

  @Test
  void experimentsAreCreatedListedAndRead() {
    String name = LiveServer.unique("listed");
    String id = client.createExperiment(name, "d", Map.of("apiKey", "s3cr3t")).path("experiment_id").asText();
    JsonNode listed = client.listExperiments(10, name).path("experiments");
    assertThat(listed.size()).isEqualTo(1);
    assertThat(listed.get(0).path("experiment_id").asText()).isEqualTo(id);
    JsonNode got = client.getExperiment(id);
    assertThat(got.path("name").asText()).isEqualTo(name);
    assertThat(got.path("metadata").path("apiKey").asText()).isEqualTo("[REDACTED]");
    assertThatThrownBy(() -> client.createExperiment(name, "", null)).isInstanceOfSatisfying(
        AnimusApiException.class, e -> {
          assertThat(e.status()).isEqualTo(409);
          assertThat(e.code()).isEqualTo("experiment_name_exists");
          assertThat(e.body().path("details").path("experiment_id").asText()).isEqualTo(id);
          assertThat(e.requestId()).isNotBlank();
        });
  }

  @Test
  void runsCarryGitTimesAndAreListedWithLatestMetrics() {
    String exp = newExperiment();
    Instant start = Instant.parse("2026-01-05T10:11:12Z");
    JsonNode a = client.createRunWithGit(exp, NewRun.withStatus("running").startedAt(start)
        .git(new GitMetadata("github.com/acme/train", "abc123", "refs/heads/main", "test"))
        .params(Map.of("lr", 0.1)).artifactsPrefix("custom/prefix"), null);
    JsonNode b = client.createRun(exp, NewRun.withStatus("succeeded").startedAt(start.plusSeconds(5))
        .endedAt(start.plusSeconds(60)).params(Map.of("lr", 0.2)));
    assertThat(a.path("git_repo").asText()).isEqualTo("github.com/acme/train");
    assertThat(a.path("git_commit").asText()).isEqualTo("abc123");
    assertThat(a.path("artifacts_prefix").asText()).isEqualTo("custom/prefix");
    assertThat(b.has("git_repo")).isFalse();
    String runA = a.path("run_id").asText();
    String runB = b.path("run_id").asText();
    assertThat(client.getRun(runA).path("status").asText()).isEqualTo("running");

    try (RunTelemetryLogger logger = RunTelemetryLogger.builder().gatewayUrl(LiveServer.url()).runId(runA).build()) {
      logger.logMetric(1, "acc", 0.5);
      logger.logMetric(2, "acc", 0.9);
      assertThat(logger.flush(java.time.Duration.ofSeconds(30))).isTrue();
    }
    JsonNode listed = client.listRuns(exp, 10, null, "metric:acc", "desc", true, null).path("runs");
    assertThat(listed.size()).isEqualTo(2);
    assertThat(listed.get(0).path("run_id").asText()).isEqualTo(runA);
    assertThat(listed.get(0).path("latest_metrics").path("acc").asDouble()).isEqualTo(0.9);
    assertThat(client.listRuns(exp, 10, "succeeded", null, null, false, null).path("runs").findValuesAsText("run_id"))
        .containsExactly(runB);
    assertThat(client.listRuns(null, 500).path("runs").findValuesAsText("run_id")).contains(runA, runB);
    assertThat(client.listMetrics(runA, "acc", 10).path("samples").size()).isEqualTo(2);
  }

  @Test
  void createRunWithGitDetectsCiVariables() {
    String exp = newExperiment();
    ExperimentsClient ci = ExperimentsClient.fromEnv(Map.of("ANIMUS_GATEWAY_URL", LiveServer.url(),
        "GITHUB_ACTIONS", "true", "GITHUB_REPOSITORY", "acme/detected", "GITHUB_SHA", "f00d", "GITHUB_REF",
        "refs/heads/feature"));
    JsonNode run = ci.createRunWithGit(exp, NewRun.withStatus("pending"), null);
    assertThat(run.path("git_repo").asText()).isEqualTo("github.com/acme/detected");
    assertThat(run.path("git_commit").asText()).isEqualTo("f00d");
    assertThat(run.path("git_ref").asText()).isEqualTo("refs/heads/feature");
  }

  @Test
  void statusHeartbeatStatesAndCancel() {
    String exp = newExperiment();
    String run = client.createRun(exp, NewRun.withStatus("pending")).path("run_id").asText();
    assertThat(client.setRunStatus(run, "running", "go").path("status").asText()).isEqualTo("running");
    JsonNode beat = client.heartbeat(run);
    assertThat(beat.path("status").asText()).isEqualTo("running");
    assertThat(beat.path("last_heartbeat_at").asText()).isNotBlank();
    assertThat(client.setRunStatus(run, "canceled", "stop").path("status").asText()).isEqualTo("canceled");
    assertThat(client.listRunStates(run).path("states").findValuesAsText("status"))
        .containsExactly("pending", "running", "canceled");
    assertThatThrownBy(() -> client.setRunStatus(run, "running", null)).isInstanceOfSatisfying(
        AnimusApiException.class, e -> assertThat(e.code()).isEqualTo("invalid_status_transition"));
    assertThatThrownBy(() -> client.getRun("00000000-0000-4000-8000-000000000000"))
        .isInstanceOfSatisfying(AnimusApiException.class, e -> {
          assertThat(e.status()).isEqualTo(404);
          assertThat(e.code()).isEqualTo("not_found");
        });
  }

  @Test
  void cancelRun() {
    String run = client.createRun(newExperiment(), NewRun.withStatus("running")).path("run_id").asText();
    JsonNode cancel = client.cancelRun(run);
    assertThat(cancel.path("status").asText()).isEqualTo("canceled");
    assertThat(client.getRun(run).path("status").asText()).isEqualTo("canceled");
  }

  @Test
  void artifactsStreamUpAndDownWithTheirHash() throws Exception {
    String run = client.createRun(newExperiment(), NewRun.withStatus("running")).path("run_id").asText();
    Path big = tmp.resolve("weights.bin");
    byte[] bytes = new byte[3 * 1024 * 1024 + 17];
    new Random(7).nextBytes(bytes);
    Files.write(big, bytes);
    JsonNode artifact = client.uploadRunArtifact(run, "file", big, null, null).path("artifact");
    String sha = HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(bytes));
    assertThat(artifact.path("sha256").asText()).isEqualTo(sha);
    assertThat(artifact.path("size_bytes").asLong()).isEqualTo(bytes.length);
    String id = artifact.path("artifact_id").asText();
    assertThat(client.getRunArtifact(run, id).path("artifact_id").asText()).isEqualTo(id);
    assertThat(client.listRunArtifacts(run, null).path("artifacts").size()).isEqualTo(1);
    assertThat(client.listRunArtifacts(run, "model").path("artifacts").size()).isZero();
    Path dest = tmp.resolve("out/weights.bin");
    DownloadResult result = client.downloadRunArtifact(run, id, dest);
    assertThat(result.sha256()).isEqualTo(sha);
    assertThat(result.sizeBytes()).isEqualTo(bytes.length);
    assertThat(Files.readAllBytes(dest)).isEqualTo(bytes);
    assertThatThrownBy(() -> client.uploadRunArtifact(run, "weights", big, null, null))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> client.downloadRunArtifact(run, "00000000-0000-4000-8000-000000000000",
        tmp.resolve("none"))).isInstanceOfSatisfying(AnimusApiException.class,
            e -> assertThat(e.status()).isEqualTo(404));
    assertThat(Files.exists(tmp.resolve("none.tmp"))).isFalse();
  }

  @Test
  void datasetsAndVersions() throws Exception {
    JsonNode ds = datasets.createDataset(LiveServer.unique("ds"), "desc", Map.of("owner", "ml"));
    String id = ds.path("dataset_id").asText();
    assertThat(datasets.getDataset(id).path("name").asText()).isEqualTo(ds.path("name").asText());
    assertThat(datasets.listDatasets(500, null).path("datasets").findValuesAsText("dataset_id")).contains(id);
    Path file = tmp.resolve("rows.csv");
    Files.writeString(file, "x\n1\n");
    JsonNode v = datasets.uploadDatasetVersion(id, file, Map.of("split", "train"), "rule-1");
    assertThat(v.path("ordinal").asInt()).isEqualTo(1);
    assertThat(v.path("quality_rule_id").asText()).isEqualTo("rule-1");
    assertThat(v.path("metadata").path("split").asText()).isEqualTo("train");
    assertThat(v.path("metadata").path("filename").asText()).isEqualTo("rows.csv");
    assertThat(datasets.listDatasetVersions(id, 10, null).path("versions").size()).isEqualTo(1);
    assertThat(datasets.getDatasetVersion(v.path("version_id").asText()).path("content_sha256").asText())
        .isEqualTo(v.path("content_sha256").asText());
    assertThatThrownBy(() -> datasets.uploadDatasetVersion(id, file, null, null))
        .isInstanceOfSatisfying(AnimusApiException.class, e -> {
          assertThat(e.status()).isEqualTo(409);
          assertThat(e.code()).isEqualTo("duplicate_content");
          assertThat(e.body().path("details").path("version_id").asText()).isEqualTo(v.path("version_id").asText());
        });
  }

  @Test
  void ciRequestsAreSignedAndAWrongSecretIsRejected() {
    String run = client.createRun(newExperiment(), NewRun.withStatus("running")).path("run_id").asText();
    assertThat(client.postCiWebhook(Map.of("run_id", run, "note", "caf\u00e9")).path("run_id").asText())
        .isEqualTo(run);
    ExperimentsClient wrong = ExperimentsClient.builder().gatewayUrl(LiveServer.url()).ciSecret("nope").build();
    assertThatThrownBy(() -> wrong.postCiWebhook(Map.of("run_id", run))).isInstanceOfSatisfying(
        AnimusApiException.class, e -> {
          assertThat(e.status()).isEqualTo(401);
          assertThat(e.code()).isEqualTo("ci_signature_invalid");
        });
    ExperimentsClient none = ExperimentsClient.fromEnv(Map.of("ANIMUS_GATEWAY_URL", LiveServer.url()));
    assertThatThrownBy(() -> none.postCiWebhook(Map.of("run_id", run))).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> client.postCiReport(Map.of("image_digest", "sha256:zz", "repo", "r", "commit_sha", "c",
        "pipeline_id", "p"))).isInstanceOfSatisfying(AnimusApiException.class,
            e -> assertThat(e.code()).isEqualTo("image_digest_invalid"));
  }

  @Test
  void modelImagesAreListedByRepo() {
    String digest = "sha256:" + "ab".repeat(31) + LiveServer.unique("x").substring(2, 4).replaceAll("[^0-9a-f]", "0");
    String repo = "ghcr.io/acme/" + LiveServer.unique("repo");
    client.postCiReport(Map.of("image_digest", digest, "repo", repo, "commit_sha", "c0ffee", "pipeline_id", "p1"));
    JsonNode images = client.listModelImages(repo, null, 10).path("model_images");
    assertThat(images.size()).isEqualTo(1);
    assertThat(images.get(0).path("image_digest").asText()).isEqualTo(digest);
    assertThatThrownBy(() -> client.postCiReport(Map.of("image_digest", digest, "repo", repo, "commit_sha", "other",
        "pipeline_id", "p2"))).isInstanceOfSatisfying(AnimusApiException.class,
            e -> assertThat(e.code()).isEqualTo("model_image_conflict"));
  }
}
