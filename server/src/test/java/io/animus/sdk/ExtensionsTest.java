package io.animus.sdk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Projects, job environment helpers, execution records, quality evaluations and the stream listener. */
@Timeout(120)
class ExtensionsTest {
  private final ExperimentsClient client = LiveServer.experiments();

  @TempDir
  Path tmp;

  /** A new version of a new dataset, holding unique bytes; {@code ruleId} may be null. */
  private DatasetVersion newVersion(String prefix, String ruleId) throws Exception {
    DatasetRegistryClient datasets = LiveServer.datasets();
    Dataset ds = datasets.createDataset(LiveServer.unique(prefix), "", null);
    Path file = tmp.resolve(prefix + ".csv");
    Files.writeString(file, "a\n" + LiveServer.unique("row") + "\n");
    return datasets.uploadDatasetVersion(ds.datasetId(), file, null, ruleId);
  }

  @Test
  void aProjectScopesCreatesAndLists() {
    String project = LiveServer.unique("team");
    ExperimentsClient scoped = ExperimentsClient.builder().gatewayUrl(LiveServer.url()).projectId(project).build();
    assertThat(scoped.projectId()).isEqualTo(project);
    String name = LiveServer.unique("scoped");
    Experiment exp = scoped.createExperiment(name, "", null);
    assertThat(exp.projectId()).isEqualTo(project);
    assertThat(scoped.listExperiments(10, name).items()).extracting(Experiment::experimentId)
        .containsExactly(exp.experimentId());
    assertThat(client.listExperiments(10, name).items()).isEmpty();
    Run run = scoped.createRun(exp.experimentId(), NewRun.withStatus("running"));
    assertThat(run.projectId()).isEqualTo(project);
    // found by id from the default client, which names no project
    assertThat(client.getRun(run.runId()).projectId()).isEqualTo(project);
    assertThat(client.listProjects()).filteredOn(p -> p.projectId().equals(project)).singleElement()
        .satisfies(p -> {
          assertThat(p.experimentCount()).isEqualTo(1);
          assertThat(p.datasetCount()).isZero();
        });
    DatasetRegistryClient datasets = DatasetRegistryClient.builder().gatewayUrl(LiveServer.url()).projectId(project)
        .build();
    assertThat(datasets.createDataset(LiveServer.unique("d"), null, null).projectId()).isEqualTo(project);
    ExperimentsClient other = ExperimentsClient.builder().gatewayUrl(LiveServer.url()).projectId("elsewhere").build();
    assertThatThrownBy(() -> other.getExperiment(exp.experimentId())).isInstanceOfSatisfying(
        AnimusApiException.class, e -> assertThat(e.code()).isEqualTo("not_found"));
    assertThatThrownBy(() -> ExperimentsClient.builder().projectId("bad project").build())
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("projectId");
  }

  @Test
  void summaryMetricsReadNonFiniteValuesBack() {
    String exp = client.createExperiment(LiveServer.unique("summary"), "", null).experimentId();
    Run created = client.createRun(exp, NewRun.withStatus("succeeded").metrics(Map.of("loss", Double.NaN,
        "best", Double.POSITIVE_INFINITY, "acc", 0.75, "note", "text")));
    Run run = client.getRun(created.runId());
    assertThat(run.summaryMetric("loss").orElseThrow()).isNaN();
    assertThat(run.summaryMetric("best")).hasValue(Double.POSITIVE_INFINITY);
    assertThat(run.summaryMetric("acc")).hasValue(0.75);
    assertThat(run.summaryMetric("note")).isEmpty();
    assertThat(run.summaryMetric("missing")).isEmpty();
  }

  @Test
  void jobVariablesNameTheRunAndTheDataset() throws Exception {
    DatasetVersion v = newVersion("job", null);
    Map<String, String> env = Map.of("DATAPILOT_URL", LiveServer.url(), "RUN_ID", "run-from-env",
        "DATASET_VERSION_ID", v.versionId());
    assertThat(ExperimentsClient.fromEnv(env).jobRunId()).isEqualTo("run-from-env");
    DatasetRegistryClient job = DatasetRegistryClient.fromEnv(env);
    assertThat(job.jobDatasetVersionId()).isEqualTo(v.versionId());
    DownloadResult got = job.downloadJobDataset(tmp.resolve("in/data.csv"));
    assertThat(got.sha256()).isEqualTo(v.contentSha256());
    assertThat(Files.readString(tmp.resolve("in/data.csv"))).isEqualTo(Files.readString(tmp.resolve("job.csv")));
    DatasetRegistryClient notAJob = DatasetRegistryClient.fromEnv(Map.of("DATAPILOT_URL", LiveServer.url()));
    assertThat(notAJob.jobDatasetVersionId()).isNull();
    assertThatThrownBy(() -> notAJob.downloadJobDataset(tmp.resolve("x"))).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("DATASET_VERSION_ID");
  }

  @Test
  void anExecutedRunHasItsExecutionAndBuildContext() throws Exception {
    String version = newVersion("exec", null).versionId();
    String digest = "sha256:" + HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
        .digest(LiveServer.unique("image").getBytes()));
    client.postCiReport(Map.of("image_digest", digest, "repo", "ghcr.io/acme/exec", "commit_sha", "abc123",
        "pipeline_id", "p-9", "provider", "gitlab_ci"));
    String exp = client.createExperiment(LiveServer.unique("exec"), "", null).experimentId();

    ExecuteRunResult started = client.executeRun(exp, version, "ghcr.io/acme/exec@" + digest,
        Map.of("epochs", 2), Map.of("cpu", 1));

    Execution execution = client.getExecution(started.runId());
    assertThat(execution.executionId()).isEqualTo(started.executionId());
    assertThat(execution.executor()).isEqualTo("local");
    assertThat(execution.imageDigest()).isEqualTo(digest);
    assertThat(execution.resources()).containsEntry("cpu", 1);
    assertThat(execution.createdAt()).isNotNull();
    BuildContext build = client.getBuildContext(started.runId());
    assertThat(build.imageDigest()).isEqualTo(digest);
    assertThat(build.repo()).isEqualTo("ghcr.io/acme/exec");
    assertThat(build.commitSha()).isEqualTo("abc123");
    assertThat(build.pipelineId()).isEqualTo("p-9");
    assertThat(client.getRun(started.runId()).params()).containsEntry("epochs", 2);
    String plain = client.createRun(exp, NewRun.withStatus("running")).runId();
    assertThatThrownBy(() -> client.getExecution(plain)).isInstanceOfSatisfying(AnimusApiException.class,
        e -> assertThat(e.status()).isEqualTo(404));
  }

  @Test
  void anUnregisteredImageNeedsGitMetadataAndTheJobGetsItsCommandAndEnv() throws Exception {
    String version = newVersion("unreg", null).versionId();
    String exp = client.createExperiment(LiveServer.unique("unreg"), "", null).experimentId();
    String image = "local/train@sha256:" + HexFormat.of().formatHex(java.security.MessageDigest
        .getInstance("SHA-256").digest(LiveServer.unique("unregistered").getBytes()));
    assertThatThrownBy(() -> client.executeRun(exp, version, image)).isInstanceOfSatisfying(
        AnimusApiException.class, e -> {
          assertThat(e.status()).isEqualTo(400);
          assertThat(e.code()).isEqualTo("git_commit_required");
        });
    Path marker = tmp.resolve("marker.txt");
    ExecuteRunResult started = client.executeRun(NewExecution.of(exp, version, image)
        .git(new GitMetadata("github.com/acme/local", "0123abcd", "refs/heads/dev", "test"))
        .params(Map.of("lr", 0.5))
        .command(List.of("sh", "-c", "printf '%s' \"$MARKER_TEXT:$RUN_ID\" > \"$MARKER_PATH\""))
        .env(Map.of("MARKER_TEXT", "hello", "MARKER_PATH", marker.toString())));
    Run run = client.getRun(started.runId());
    assertThat(run.gitRepo()).isEqualTo("github.com/acme/local");
    assertThat(run.gitCommit()).isEqualTo("0123abcd");
    assertThat(run.gitRef()).isEqualTo("refs/heads/dev");
    assertThat(run.params()).containsEntry("lr", 0.5);
    assertThat(client.getExecution(started.runId()).command()).containsExactly("sh", "-c",
        "printf '%s' \"$MARKER_TEXT:$RUN_ID\" > \"$MARKER_PATH\"");
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (!Files.exists(marker) && System.nanoTime() < deadline) {
      Thread.sleep(100);
    }
    assertThat(Files.readString(marker)).isEqualTo("hello:" + started.runId());
    assertThatThrownBy(() -> NewExecution.of(exp, version, image).command(List.of()))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void qualityEvaluationsAreRecordedAndListed() throws Exception {
    DatasetRegistryClient datasets = LiveServer.datasets();
    DatasetVersion ruled = newVersion("quality", "rule-7");
    QualityEvaluation eval = datasets.addQualityEvaluation(ruled.versionId(), "pass", Map.of("rows", 1));
    assertThat(eval.status()).isEqualTo("pass");
    assertThat(eval.ruleId()).isEqualTo("rule-7");
    assertThat(eval.datasetVersionId()).isEqualTo(ruled.versionId());
    assertThat(eval.summary()).containsEntry("rows", 1);
    assertThat(datasets.listQualityEvaluations(ruled.versionId(), 10, null).items())
        .extracting(QualityEvaluation::evaluationId).containsExactly(eval.evaluationId());
    DatasetVersion unruled = newVersion("unruled", null);
    assertThatThrownBy(() -> datasets.addQualityEvaluation(unruled.versionId(), "pass", null))
        .isInstanceOfSatisfying(AnimusApiException.class, e -> assertThat(e.code()).isEqualTo("quality_rule_not_set"));
  }

  @Test
  void aListenerReceivesTypedFramesUntilTheStreamIsClosed() throws Exception {
    String exp = client.createExperiment(LiveServer.unique("listen"), "", null).experimentId();
    String run = client.createRun(exp, NewRun.withStatus("running")).runId();
    List<StreamFrame> frames = new CopyOnWriteArrayList<>();
    CompletableFuture<RuntimeException> ended = new CompletableFuture<>();
    CompletableFuture<RunEvent> received = new CompletableFuture<>();
    try (RunStream stream = client.streamRun(run, null)) {
      stream.listen(f -> {
        frames.add(f);
        if (f instanceof StreamFrame.Event e) {
          received.complete(e.event());
        }
      }, ended::complete);
      try (RunTelemetryLogger logger = RunTelemetryLogger.builder().gatewayUrl(LiveServer.url()).runId(run).build()) {
        // the stream has no backlog: send until the listener is surely connected and sees one
        while (!received.isDone()) {
          logger.logEvent("info", "hello");
          logger.flush(Duration.ofSeconds(10));
          try {
            received.get(500, TimeUnit.MILLISECONDS);
          } catch (java.util.concurrent.TimeoutException notYet) {
            // keep sending
          }
        }
      }
      assertThat(received.get().message()).isEqualTo("hello");
      assertThat(frames.get(0)).isInstanceOf(StreamFrame.Ready.class);
      assertThat(ended).isNotDone();
    }
    assertThat(ended.get(30, TimeUnit.SECONDS)).isNull();
    client.setRunStatus(run, "succeeded", null);
  }
}
