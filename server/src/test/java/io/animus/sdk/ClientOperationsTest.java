package io.animus.sdk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
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
    return client.createExperiment(LiveServer.unique("exp"), "", null).experimentId();
  }

  @Test
  void experimentsAreCreatedListedAndRead() {
    String name = LiveServer.unique("listed");
    String id = client.createExperiment(name, "d", Map.of("apiKey", "s3cr3t")).experimentId();
    Page<Experiment> listed = client.listExperiments(10, name);
    assertThat(listed.items()).hasSize(1);
    assertThat(listed.hasNext()).isFalse();
    assertThat(listed.items().get(0).experimentId()).isEqualTo(id);
    assertThat(listed.items().get(0).runCount()).isZero();
    Experiment got = client.getExperiment(id);
    assertThat(got.name()).isEqualTo(name);
    assertThat(got.description()).isEqualTo("d");
    assertThat(got.metadata()).containsEntry("apiKey", "[REDACTED]");
    assertThat(got.raw()).containsEntry("experiment_id", id);
    assertThatThrownBy(() -> client.createExperiment(name, "", null)).isInstanceOfSatisfying(
        AnimusApiException.class, e -> {
          assertThat(e.status()).isEqualTo(409);
          assertThat(e.code()).isEqualTo("experiment_name_exists");
          assertThat(((Map<?, ?>) e.bodyObject().get("details")).get("experiment_id")).isEqualTo(id);
          assertThat(e.details()).containsEntry("experiment_id", id);
          assertThat(e.requestId()).isNotBlank();
        });
  }

  @Test
  void runsCarryGitTimesAndAreListedWithLatestMetrics() {
    String exp = newExperiment();
    Instant start = Instant.parse("2026-01-05T10:11:12Z");
    Run a = client.createRunWithGit(exp, NewRun.withStatus("running").startedAt(start)
        .git(new GitMetadata("github.com/acme/train", "abc123", "refs/heads/main", "test"))
        .params(Map.of("lr", 0.1)).artifactsPrefix("custom/prefix"), null);
    Run b = client.createRun(exp, NewRun.withStatus("succeeded").startedAt(start.plusSeconds(5))
        .endedAt(start.plusSeconds(60)).params(Map.of("lr", 0.2)));
    assertThat(a.gitRepo()).isEqualTo("github.com/acme/train");
    assertThat(a.gitCommit()).isEqualTo("abc123");
    assertThat(a.gitRef()).isEqualTo("refs/heads/main");
    assertThat(a.artifactsPrefix()).isEqualTo("custom/prefix");
    assertThat(a.startedAt()).isEqualTo(start);
    assertThat(a.endedAt()).isNull();
    assertThat(b.gitRepo()).isNull();
    assertThat(b.endedAt()).isEqualTo(start.plusSeconds(60));
    String runA = a.runId();
    String runB = b.runId();
    assertThat(client.getRun(runA).status()).isEqualTo("running");

    try (RunTelemetryLogger logger = RunTelemetryLogger.builder().gatewayUrl(LiveServer.url()).runId(runA).build()) {
      logger.logMetric(1, "acc", 0.5);
      logger.logMetric(2, "acc", 0.9);
      assertThat(logger.flush(java.time.Duration.ofSeconds(30))).isTrue();
    }
    List<Run> listed = client.listRuns(exp, 10, null, "metric:acc", "desc", true, null).items();
    assertThat(listed).extracting(Run::runId).containsExactly(runA, runB);
    assertThat(listed.get(0).latestMetrics()).containsExactly(Map.entry("acc", 0.9));
    assertThat(listed.get(0).params()).containsEntry("lr", 0.1);
    assertThat(client.listRuns(exp, 10, "succeeded", null, null, false, null).items()).extracting(Run::runId)
        .containsExactly(runB);
    assertThat(client.listRuns(null, 500).items()).extracting(Run::runId).contains(runA, runB);
    Page<Run> first = client.listRuns(exp, 1, null, "started_at", "asc", false, null);
    assertThat(first.items()).extracting(Run::runId).containsExactly(runA);
    assertThat(first.hasNext()).isTrue();
    Page<Run> second = client.listRuns(exp, 1, null, "started_at", "asc", false, first.nextPageToken());
    assertThat(second.items()).extracting(Run::runId).containsExactly(runB);
    assertThat(Page.all(token -> client.listRuns(exp, 1, null, "started_at", "asc", false, token)).map(Run::runId))
        .containsExactly(runA, runB);
    List<MetricPoint> samples = client.listMetrics(runA, "acc", 10).items();
    assertThat(samples).extracting(MetricPoint::step).containsExactly(1L, 2L);
    assertThat(samples).extracting(MetricPoint::value).containsExactly(0.5, 0.9);
    assertThat(samples.get(0).runId()).isEqualTo(runA);
    assertThat(samples.get(0).recordedAt()).isNotNull();
  }

  @Test
  void createRunWithGitDetectsCiVariables() {
    String exp = newExperiment();
    ExperimentsClient ci = ExperimentsClient.fromEnv(Map.of("ANIMUS_GATEWAY_URL", LiveServer.url(),
        "GITHUB_ACTIONS", "true", "GITHUB_REPOSITORY", "acme/detected", "GITHUB_SHA", "f00d", "GITHUB_REF",
        "refs/heads/feature"));
    Run run = ci.createRunWithGit(exp, NewRun.withStatus("pending"), null);
    assertThat(run.gitRepo()).isEqualTo("github.com/acme/detected");
    assertThat(run.gitCommit()).isEqualTo("f00d");
    assertThat(run.gitRef()).isEqualTo("refs/heads/feature");
  }

  @Test
  void statusHeartbeatStatesAndCancel() {
    String exp = newExperiment();
    String run = client.createRun(exp, NewRun.withStatus("pending")).runId();
    assertThat(client.setRunStatus(run, "running", "go").status()).isEqualTo("running");
    Heartbeat beat = client.heartbeat(run);
    assertThat(beat.runId()).isEqualTo(run);
    assertThat(beat.status()).isEqualTo("running");
    assertThat(beat.canceled()).isFalse();
    assertThat(beat.lastHeartbeatAt()).isNotNull();
    assertThat(client.getRun(run).lastHeartbeatAt()).isEqualTo(beat.lastHeartbeatAt());
    Run canceled = client.setRunStatus(run, "canceled", "stop");
    assertThat(canceled.status()).isEqualTo("canceled");
    assertThat(canceled.terminal()).isTrue();
    assertThat(client.heartbeat(run).canceled()).isTrue();
    List<RunState> states = client.listRunStates(run);
    assertThat(states).extracting(RunState::status).containsExactly("pending", "running", "canceled");
    assertThat(states.get(1).details()).containsEntry("message", "go");
    assertThat(states.get(1).runId()).isEqualTo(run);
    assertThat(states.get(1).observedAt()).isAfterOrEqualTo(states.get(0).observedAt());
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
    String run = client.createRun(newExperiment(), NewRun.withStatus("running")).runId();
    CancelResult cancel = client.cancelRun(run);
    assertThat(cancel.runId()).isEqualTo(run);
    assertThat(cancel.status()).isEqualTo("canceled");
    assertThat(cancel.executionId()).isNull();
    assertThat(client.getRun(run).status()).isEqualTo("canceled");
    assertThat(client.cancelRun(run).status()).isEqualTo("canceled");
  }

  @Test
  void artifactsStreamUpAndDownWithTheirHash() throws Exception {
    String run = client.createRun(newExperiment(), NewRun.withStatus("running")).runId();
    Path big = tmp.resolve("weights.bin");
    byte[] bytes = new byte[3 * 1024 * 1024 + 17];
    new Random(7).nextBytes(bytes);
    Files.write(big, bytes);
    Artifact artifact = client.uploadRunArtifact(run, "file", big, null, null);
    String sha = HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(bytes));
    assertThat(artifact.sha256()).isEqualTo(sha);
    assertThat(artifact.sizeBytes()).isEqualTo(bytes.length);
    assertThat(artifact.kind()).isEqualTo("file");
    assertThat(artifact.contentType()).isEqualTo("application/octet-stream");
    String id = artifact.artifactId();
    Artifact got = client.getRunArtifact(run, id);
    assertThat(got.artifactId()).isEqualTo(id);
    assertThat(got.objectKey()).isEqualTo(artifact.objectKey()).endsWith("/weights.bin");
    assertThat(got.createdAt()).isEqualTo(artifact.createdAt());
    assertThat(client.listRunArtifacts(run, null).items()).extracting(Artifact::artifactId).containsExactly(id);
    assertThat(client.listRunArtifacts(run, "model").items()).isEmpty();
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
    Dataset ds = datasets.createDataset(LiveServer.unique("ds"), "desc", Map.of("owner", "ml"));
    String id = ds.datasetId();
    assertThat(ds.description()).isEqualTo("desc");
    assertThat(ds.metadata()).containsEntry("owner", "ml");
    assertThat(datasets.getDataset(id)).usingRecursiveComparison().ignoringFields("raw").isEqualTo(ds);
    assertThat(datasets.listDatasets(500, null).items()).extracting(Dataset::datasetId).contains(id);
    Path file = tmp.resolve("rows.csv");
    Files.writeString(file, "x\n1\n");
    DatasetVersion v = datasets.uploadDatasetVersion(id, file, Map.of("split", "train"), "rule-1");
    assertThat(v.ordinal()).isEqualTo(1);
    assertThat(v.datasetId()).isEqualTo(id);
    assertThat(v.qualityRuleId()).isEqualTo("rule-1");
    assertThat(v.sizeBytes()).isEqualTo(4);
    assertThat(v.metadata()).containsEntry("split", "train").containsEntry("filename", "rows.csv");
    assertThat(datasets.listDatasetVersions(id, 10, null).items()).extracting(DatasetVersion::versionId)
        .containsExactly(v.versionId());
    assertThat(datasets.getDatasetVersion(v.versionId()).contentSha256()).isEqualTo(v.contentSha256())
        .matches("[0-9a-f]{64}");
    assertThatThrownBy(() -> datasets.uploadDatasetVersion(id, file, null, null))
        .isInstanceOfSatisfying(AnimusApiException.class, e -> {
          assertThat(e.status()).isEqualTo(409);
          assertThat(e.code()).isEqualTo("duplicate_content");
          assertThat(e.details()).containsEntry("version_id", v.versionId());
        });
  }

  @Test
  void ciRequestsAreSignedAndAWrongSecretIsRejected() {
    String run = client.createRun(newExperiment(), NewRun.withStatus("running")).runId();
    CiContext attached = client.postCiWebhook(Map.of("run_id", run, "note", "caf\u00e9"));
    assertThat(attached.runId()).isEqualTo(run);
    assertThat(attached.payload()).containsEntry("note", "caf\u00e9");
    assertThat(attached.provider()).isEmpty();
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
    List<ModelImage> images = client.listModelImages(repo, null, 10).items();
    assertThat(images).hasSize(1);
    assertThat(images.get(0).imageDigest()).isEqualTo(digest);
    assertThat(images.get(0).commitSha()).isEqualTo("c0ffee");
    assertThat(images.get(0).pipelineId()).isEqualTo("p1");
    assertThat(client.postCiReport(Map.of("image_digest", digest, "repo", repo, "commit_sha", "c0ffee",
        "pipeline_id", "p1")).status()).isEqualTo("duplicate");
    assertThatThrownBy(() -> client.postCiReport(Map.of("image_digest", digest, "repo", repo, "commit_sha", "other",
        "pipeline_id", "p2"))).isInstanceOfSatisfying(AnimusApiException.class,
            e -> assertThat(e.code()).isEqualTo("model_image_conflict"));
  }
}
