package io.animus.sdk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Run curation through the Java SDK against the real server (docs/protocol.md §3.4–§3.6). */
@Timeout(120)
class RunCurationTest {
  private final ExperimentsClient client = LiveServer.experiments();
  private final RunsClient runs = client.runs();

  private String newExperiment() {
    return client.createExperiment(LiveServer.unique("cur"), "", null).experimentId();
  }

  private Run newRun(String experimentId, Map<String, ?> params, Map<String, ?> metrics, Map<String, String> tags) {
    return client.createRun(experimentId, NewRun.withStatus("running").params(params).metrics(metrics).tags(tags));
  }

  @Test
  void namesTagsAndNotesAreSetOnCreateAndPatched() {
    String exp = newExperiment();
    String name = LiveServer.unique("resnet");
    Run run = client.createRun(exp, NewRun.withStatus("running").name(name).tags(Map.of("stage", "dev", "debug", "1"))
        .notes("# first"));
    assertThat(run.name()).isEqualTo(name);
    assertThat(run.tags()).isEqualTo(Map.of("stage", "dev", "debug", "1"));
    assertThat(run.notes()).isEqualTo("# first");
    Run picked = newRun(exp, Map.of(), Map.of(), Map.of());
    assertThat(picked.name()).matches("[a-z]+-[a-z]+-\\d+");
    assertThat(picked.notes()).isNull();

    Run patched = runs.updateRun(run.runId(), RunPatch.create().name(name + "-b").tag("stage", "prod")
        .removeTag("debug").notes("").metric("test_acc", 0.93));
    assertThat(patched.name()).isEqualTo(name + "-b");
    assertThat(patched.tags()).isEqualTo(Map.of("stage", "prod"));
    assertThat(patched.notes()).isNull();
    assertThat(patched.summaryMetric("test_acc")).hasValue(0.93);
    assertThat(client.getRun(run.runId()).tags()).isEqualTo(Map.of("stage", "prod"));
    assertThat(runs.updateRun(run.runId(), RunPatch.create().removeMetric("test_acc")).metrics()).isEmpty();

    assertThatThrownBy(() -> runs.updateRun(picked.runId(), RunPatch.create().name(name + "-b")))
        .isInstanceOfSatisfying(AnimusApiException.class, e -> {
          assertThat(e.status()).isEqualTo(409);
          assertThat(e.code()).isEqualTo("run_name_exists");
          assertThat(e.details()).containsEntry("run_id", run.runId());
        });
  }

  @Test
  void paramsAddedLaterConflictWithAnotherValue() {
    Run run = newRun(newExperiment(), Map.of("lr", 0.1), Map.of(), Map.of());
    assertThat(runs.addParams(run.runId(), Map.of("epochs", 10, "lr", 0.1)).params())
        .containsEntry("lr", 0.1).containsEntry("epochs", 10);
    assertThatThrownBy(() -> runs.addParams(run.runId(), Map.of("lr", 0.2, "batch", 32)))
        .isInstanceOfSatisfying(AnimusApiException.class, e -> {
          assertThat(e.status()).isEqualTo(409);
          assertThat(e.code()).isEqualTo("param_already_set");
          assertThat(e.details()).containsEntry("key", "lr").containsEntry("value", 0.1);
        });
    assertThat(client.getRun(run.runId()).params()).doesNotContainKey("batch");
  }

  @Test
  void searchFiltersOrdersPagesAndExplainsErrors() {
    String exp = newExperiment();
    String tag = LiveServer.unique("batch");
    Run low = newRun(exp, Map.of("opt", "sgd"), Map.of("acc", 0.5), Map.of("batch", tag));
    Run mid = newRun(exp, Map.of("opt", "adam"), Map.of("acc", 0.8), Map.of("batch", tag));
    Run high = newRun(exp, Map.of("opt", "adam"), Map.of("acc", 0.95), Map.of("batch", tag));

    Page<Run> adam = runs.searchRuns(RunQuery.where("tags.batch = '" + tag + "' and params.opt = 'adam'")
        .orderBy("metrics.acc").ascending());
    assertThat(adam.items()).extracting(Run::runId).containsExactly(mid.runId(), high.runId());
    assertThat(runs.searchRuns(RunQuery.where("metrics.acc > 0.6").experimentIds(exp)).items())
        .extracting(Run::runId).containsExactlyInAnyOrder(mid.runId(), high.runId());
    assertThat(runs.listRuns(exp, RunQuery.where("params.opt = 'sgd'")).items()).extracting(Run::runId)
        .containsExactly(low.runId());
    assertThat(runs.listRuns(null, RunQuery.where("tags.batch = '" + tag + "'").orderBy("metrics.acc")).items())
        .extracting(Run::runId).containsExactly(high.runId(), mid.runId(), low.runId());

    Page<Run> first = runs.searchRuns(RunQuery.where("tags.batch = '" + tag + "'").orderBy("metrics.acc").limit(1));
    assertThat(first.items()).hasSize(1);
    assertThat(first.hasNext()).isTrue();
    List<String> all = runs.searchAll(RunQuery.where("tags.batch = '" + tag + "'").orderBy("metrics.acc").limit(1))
        .map(Run::runId).toList();
    assertThat(all).containsExactly(high.runId(), mid.runId(), low.runId());
    assertThat(runs.listAll(exp, RunQuery.all().limit(2)).count()).isEqualTo(3);

    assertThatThrownBy(() -> runs.searchRuns(RunQuery.where("metrics.acc >> 1")))
        .isInstanceOfSatisfying(AnimusApiException.class, e -> {
          assertThat(e.status()).isEqualTo(400);
          assertThat(e.code()).isEqualTo("invalid_filter");
          assertThat(e.details()).containsKeys("position", "expected");
        });
    assertThatThrownBy(() -> runs.searchRuns(RunQuery.all().orderBy("nonsense")))
        .isInstanceOfSatisfying(AnimusApiException.class, e -> assertThat(e.code()).isEqualTo("invalid_order_by"));
  }

  @Test
  void latestMetricsStandBehindTheSummary() {
    String exp = newExperiment();
    Run run = newRun(exp, Map.of(), Map.of("acc", 0.9), Map.of());
    client.setRunStatus(run.runId(), "running", null);
    try (RunTelemetryLogger logger = RunTelemetryLogger.builder().gatewayUrl(LiveServer.url()).runId(run.runId())
        .build()) {
      logger.logMetric(3, "acc", 0.7);
      logger.logMetric(3, "loss", 0.25);
      assertThat(logger.flush(java.time.Duration.ofSeconds(30))).isTrue();
    }
    Run listed = runs.searchRuns(RunQuery.all().experimentIds(exp).includeLatestMetrics(true)).items().get(0);
    assertThat(listed.summaryMetric("acc")).hasValue(0.9);
    assertThat(listed.latestMetrics()).containsEntry("acc", 0.7).containsEntry("loss", 0.25);
    assertThat(runs.searchRuns(RunQuery.where("metrics.acc > 0.8").experimentIds(exp)).items()).hasSize(1);
    assertThat(runs.searchRuns(RunQuery.where("metrics.loss < 0.3").experimentIds(exp)).items()).hasSize(1);
    assertThat(runs.setRunStatus(run.runId(), "succeeded").status()).isEqualTo("succeeded");
  }
}
