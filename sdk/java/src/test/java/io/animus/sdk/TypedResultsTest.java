package io.animus.sdk;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Reading answers into the typed records: protocol field names, non-finite values, unknown and absent fields. */
class TypedResultsTest {
  private static JsonNode json(String text) throws Exception {
    return Json.parse(text.getBytes(java.nio.charset.StandardCharsets.UTF_8));
  }

  @Test
  void aRunReadsEveryProtocolFieldAndIgnoresUnknownOnes() throws Exception {
    Run run = Run.fromJson(json("{\"run_id\":\"r1\",\"experiment_id\":\"e1\",\"project_id\":\"p\","
        + "\"dataset_version_id\":\"v1\",\"status\":\"running\",\"started_at\":\"2026-01-05T10:11:12.5Z\","
        + "\"ended_at\":\"2026-01-05T11:11:12+01:00\",\"git_repo\":\"github.com/a/b\",\"git_commit\":\"c\","
        + "\"git_ref\":\"refs/heads/main\",\"params\":{\"lr\":0.001,\"layers\":[1,2]},\"metrics\":{\"acc\":0.9},"
        + "\"latest_metrics\":{\"loss\":\"NaN\",\"up\":\"Infinity\",\"down\":\"-Infinity\",\"acc\":0.5},"
        + "\"artifacts_prefix\":\"x/y\",\"last_heartbeat_at\":\"2026-01-05T10:12:00Z\",\"stale\":true,"
        + "\"reported_status\":\"training\",\"progress\":{\"step\":3,\"total_steps\":10,\"percent\":0.4,"
        + "\"at\":\"2026-01-05T10:12:01Z\"},\"a_future_field\":{\"nested\":1}}"));
    assertThat(run.runId()).isEqualTo("r1");
    assertThat(run.experimentId()).isEqualTo("e1");
    assertThat(run.datasetVersionId()).isEqualTo("v1");
    assertThat(run.startedAt()).isEqualTo(Instant.parse("2026-01-05T10:11:12.500Z"));
    assertThat(run.endedAt()).isEqualTo(Instant.parse("2026-01-05T10:11:12Z"));
    assertThat(run.gitRepo()).isEqualTo("github.com/a/b");
    assertThat(run.params()).containsEntry("lr", 0.001).containsEntry("layers", List.of(1, 2));
    assertThat(run.metrics()).containsEntry("acc", 0.9);
    assertThat(run.latestMetrics().get("loss")).isNaN();
    assertThat(run.latestMetrics()).containsEntry("up", Double.POSITIVE_INFINITY)
        .containsEntry("down", Double.NEGATIVE_INFINITY).containsEntry("acc", 0.5);
    assertThat(run.stale()).isTrue();
    assertThat(run.terminal()).isFalse();
    assertThat(run.reportedStatus()).isEqualTo("training");
    assertThat(run.progress()).isEqualTo(new RunProgress(3, 10L, 0.4, Instant.parse("2026-01-05T10:12:01Z")));
    assertThat(run.raw().get("a_future_field")).isEqualTo(Map.of("nested", 1));
  }

  @Test
  void absentOptionalFieldsAreNullAndObjectsEmpty() throws Exception {
    Run run = Run.fromJson(json("{\"run_id\":\"r1\",\"status\":\"pending\"}"));
    assertThat(run.endedAt()).isNull();
    assertThat(run.gitCommit()).isNull();
    assertThat(run.params()).isEmpty();
    assertThat(run.latestMetrics()).isEmpty();
    assertThat(run.progress()).isNull();
    assertThat(run.stale()).isFalse();
    Experiment exp = Experiment.fromJson(json("{\"experiment_id\":\"e\",\"name\":\"n\"}"));
    assertThat(exp.description()).isEmpty();
    assertThat(exp.runCount()).isNull();
    assertThat(exp.metadata()).isEmpty();
  }

  @Test
  void seriesBucketsKeepNonFiniteValuesAndMarkAllNanBuckets() throws Exception {
    MetricSeries series = MetricSeries.fromJson(json("{\"run_id\":\"r\",\"name\":\"loss\",\"total_points\":3,"
        + "\"downsampled\":false,\"buckets\":[{\"step_min\":0,\"step_max\":0,\"last\":\"NaN\",\"count\":1,"
        + "\"nan_count\":1},{\"step_min\":1,\"step_max\":2,\"min\":\"-Infinity\",\"max\":2.5,\"last\":2.5,"
        + "\"count\":2,\"nan_count\":0}]}"));
    assertThat(series.totalPoints()).isEqualTo(3);
    MetricSeries.Bucket onlyNan = series.buckets().get(0);
    assertThat(onlyNan.min()).isNaN();
    assertThat(onlyNan.max()).isNaN();
    assertThat(onlyNan.last()).isNaN();
    assertThat(onlyNan.nanCount()).isEqualTo(1);
    assertThat(series.buckets().get(1)).isEqualTo(
        new MetricSeries.Bucket(1, 2, Double.NEGATIVE_INFINITY, 2.5, 2.5, 2, 0));
  }

  @Test
  void pagesCarryTheirTokenAndStreamFramesAreTyped() throws Exception {
    Page<Dataset> page = Wire.page(json("{\"datasets\":[{\"dataset_id\":\"d1\",\"name\":\"a\"}],"
        + "\"next_page_token\":\"tok\"}"), "datasets", Dataset::fromJson);
    assertThat(page.items()).extracting(Dataset::datasetId).containsExactly("d1");
    assertThat(page.hasNext()).isTrue();
    assertThat(Wire.page(json("{}"), "datasets", Dataset::fromJson).hasNext()).isFalse();
    // all() follows the tokens, skips empty pages and stops on the last one
    Map<String, Page<Integer>> pages = new java.util.HashMap<>();
    pages.put("", new Page<>(List.of(1, 2), "t1"));
    pages.put("t1", new Page<>(List.of(), "t2"));
    pages.put("t2", new Page<>(List.of(3), null));
    List<String> asked = new java.util.ArrayList<>();
    assertThat(Page.all(token -> {
      asked.add(String.valueOf(token));
      return pages.get(token == null ? "" : token);
    })).containsExactly(1, 2, 3);
    assertThat(asked).containsExactly("null", "t1", "t2");

    StreamFrame metrics = RunStream.frame("metrics", null, json("{\"samples\":[{\"name\":\"loss\",\"step\":4,"
        + "\"value\":\"-Infinity\",\"recorded_at\":\"2026-01-05T10:11:13Z\"}]}"));
    assertThat(metrics).isInstanceOfSatisfying(StreamFrame.Metrics.class, m -> {
      assertThat(m.samples().get(0).value()).isEqualTo(Double.NEGATIVE_INFINITY);
      assertThat(m.samples().get(0).step()).isEqualTo(4);
    });
    assertThat(RunStream.frame("error", null, json("{\"error\":\"slow_consumer\"}")))
        .isEqualTo(new StreamFrame.Error("slow_consumer"));
    StreamFrame other = RunStream.frame("message", "9", json("{\"x\":1}"));
    assertThat(other).isInstanceOf(StreamFrame.Other.class);
    assertThat(other.name()).isEqualTo("message");
    assertThat(((StreamFrame.Other) other).data()).isEqualTo(Map.of("x", 1));
  }

  @Test
  void wrappedAndBareArtifactsReadTheSame() throws Exception {
    String bare = "{\"artifact_id\":\"a\",\"kind\":\"model\",\"size_bytes\":3,\"metadata\":{\"format\":\"json\"}}";
    Artifact wrapped = Artifact.fromJson(json("{\"artifact\":" + bare + "}"));
    assertThat(wrapped.artifactId()).isEqualTo("a");
    assertThat(wrapped.sizeBytes()).isEqualTo(3);
    assertThat(wrapped.metadata()).isEqualTo(Map.of("format", "json"));
    assertThat(Artifact.fromJson(json(bare))).isEqualTo(wrapped);
  }
}
