package io.animus.datapilot.telemetry;

import static io.animus.datapilot.telemetry.RunFixtures.RUNS;
import static io.animus.datapilot.telemetry.RunFixtures.newExperiment;
import static io.animus.datapilot.telemetry.RunFixtures.newRun;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.animus.datapilot.testing.TestClient;
import io.animus.datapilot.testing.ServerExtension;
import io.animus.datapilot.testing.TestServer;
import io.animus.sdk.ExperimentsClient;
import io.animus.sdk.MetricPoint;
import io.animus.sdk.Page;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.Timeout;

@Timeout(120)
class MetricsHttpTest {
  static TestServer server;
  static TestClient client;

  @RegisterExtension
  static final ServerExtension SERVER = ServerExtension.started(s -> {
    server = s;
    client = s.client();
  });

  private static TestClient.Response postMetrics(String runId, String body) {
    return client.post(RUNS + runId + "/metrics", body);
  }

  private static TestClient.Response postBatch(String runId, String body) {
    return client.post(RUNS + runId + "/metrics:batch", body);
  }

  private static JsonNode samples(String runId, String query) {
    var r = client.get(RUNS + runId + "/metrics" + query);
    assertThat(r.status()).as(r.text()).isEqualTo(200);
    return r.json();
  }

  private static List<String> fieldNames(JsonNode node) {
    List<String> names = new ArrayList<>();
    node.fieldNames().forEachRemaining(names::add);
    return names;
  }

  private static List<Long> sdkSteps(Page<MetricPoint> page) {
    return page.items().stream().map(MetricPoint::step).toList();
  }

  private static List<Long> steps(JsonNode samples) {
    List<Long> steps = new ArrayList<>();
    samples.forEach(s -> steps.add(s.get("step").asLong()));
    return steps;
  }

  @Test
  void publishedSdkLogMetricsBodyIsAcceptedAnd201CountsTheSamples() {
    String runId = newRun(client);
    String requestId = UUID.randomUUID().toString().replace("-", "");
    var r = client.post(RUNS + runId + "/metrics",
        "{\"metadata\":{\"split\":\"train\"},\"metrics\":{\"accuracy\":0.5,\"loss\":1.25},\"step\":3}",
        Map.of("X-Request-Id", requestId, "Accept", "application/json"));

    assertThat(r.status()).as(r.text()).isEqualTo(201);
    JsonNode body = r.json();
    assertThat(fieldNames(body)).containsExactly("inserted", "received", "request_id", "run_id", "step");
    assertThat(body.get("inserted").asInt()).isEqualTo(2);
    assertThat(body.get("received").asInt()).isEqualTo(2);
    assertThat(body.get("request_id").asText()).isEqualTo(requestId);
    assertThat(r.header("X-Request-Id")).isEqualTo(requestId);
    assertThat(body.get("run_id").asText()).isEqualTo(runId);
    assertThat(body.get("step").asLong()).isEqualTo(3);

    JsonNode loss = samples(runId, "?name=loss").get("samples");
    assertThat(loss).hasSize(1);
    JsonNode sample = loss.get(0);
    assertThat(fieldNames(sample)).containsExactly("sample_id", "run_id", "recorded_at", "recorded_by", "step",
        "name", "value", "metadata");
    assertThat(sample.get("sample_id").asText())
        .matches("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}");
    assertThat(sample.get("run_id").asText()).isEqualTo(runId);
    assertThat(sample.get("recorded_at").asText()).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d(\\.\\d{1,6})?Z");
    assertThat(sample.get("recorded_by").asText()).isEqualTo("dev-user");
    assertThat(sample.get("step").asLong()).isEqualTo(3);
    assertThat(sample.get("name").asText()).isEqualTo("loss");
    assertThat(sample.get("value").isNumber()).isTrue();
    assertThat(sample.get("value").asDouble()).isEqualTo(1.25);
    assertThat(sample.get("metadata").toString()).isEqualTo("{\"split\":\"train\"}");
  }

  @Test
  void publishedSdkLogMetricBodyWithoutMetadataStoresEmptyMetadata() {
    String runId = newRun(client);
    var r = postMetrics(runId, "{\"metrics\":{\"loss\":0.25},\"step\":0}");
    assertThat(r.status()).as(r.text()).isEqualTo(201);
    assertThat(r.json().get("step").asLong()).isZero();
    JsonNode sample = samples(runId, "?name=loss").get("samples").get(0);
    assertThat(sample.get("value").asDouble()).isEqualTo(0.25);
    assertThat(sample.get("metadata").toString()).isEqualTo("{}");
  }

  @Test
  void missingStepMeansStepZero() {
    String runId = newRun(client);
    var r = postMetrics(runId, "{\"metrics\":{\"loss\":2.0}}");
    assertThat(r.status()).isEqualTo(201);
    assertThat(r.json().get("step").asLong()).isZero();
    assertThat(steps(samples(runId, "?name=loss").get("samples"))).containsExactly(0L);
  }

  @Test
  void duplicateMetricStepIsIgnoredAndAnswered200() {
    String runId = newRun(client);
    assertThat(postMetrics(runId, "{\"metrics\":{\"loss\":1.5},\"step\":7}").status()).isEqualTo(201);

    var again = postMetrics(runId, "{\"metrics\":{\"loss\":9.75},\"step\":7}");

    assertThat(again.status()).as(again.text()).isEqualTo(200);
    assertThat(again.json().get("inserted").asInt()).isZero();
    assertThat(again.json().get("received").asInt()).isEqualTo(1);
    assertThat(again.json().get("step").asLong()).isEqualTo(7);
    JsonNode stored = samples(runId, "?name=loss").get("samples");
    assertThat(stored).hasSize(1);
    assertThat(stored.get(0).get("value").asDouble()).isEqualTo(1.5);
  }

  @Test
  void partlyDuplicateStepInsertsOnlyTheNewNamesAndAnswers201() {
    String runId = newRun(client);
    postMetrics(runId, "{\"metrics\":{\"loss\":1.5},\"step\":1}");
    var r = postMetrics(runId, "{\"metrics\":{\"accuracy\":0.75,\"loss\":3.0},\"step\":1}");
    assertThat(r.status()).isEqualTo(201);
    assertThat(r.json().get("inserted").asInt()).isEqualTo(1);
    assertThat(r.json().get("received").asInt()).isEqualTo(2);
    assertThat(client.sdk().listMetrics(runId, "loss", 100).items()).singleElement()
        .satisfies(p -> assertThat(p.value()).isEqualTo(1.5));
    assertThat(client.sdk().listMetrics(runId, "accuracy", 100).items()).singleElement()
        .satisfies(p -> assertThat(p.value()).isEqualTo(0.75));
  }

  @Test
  void nanAndInfinityLiteralsAreStoredAndAnsweredAsStrings() {
    String runId = newRun(client);
    var r = postMetrics(runId, "{\"metrics\":{\"a\":NaN,\"b\":Infinity,\"c\":-Infinity,\"d\":1.5},\"step\":4}");
    assertThat(r.status()).as(r.text()).isEqualTo(201);
    assertThat(r.json().get("inserted").asInt()).isEqualTo(4);

    JsonNode latest = samples(runId, "").get("samples");
    assertThat(RunFixtures.texts(latest, "name")).containsExactly("a", "b", "c", "d");
    assertThat(latest.get(0).get("value").isTextual()).isTrue();
    assertThat(latest.get(0).get("value").asText()).isEqualTo("NaN");
    assertThat(latest.get(1).get("value").isTextual()).isTrue();
    assertThat(latest.get(1).get("value").asText()).isEqualTo("Infinity");
    assertThat(latest.get(2).get("value").isTextual()).isTrue();
    assertThat(latest.get(2).get("value").asText()).isEqualTo("-Infinity");
    assertThat(latest.get(3).get("value").isNumber()).isTrue();
    assertThat(latest.get(3).get("value").asDouble()).isEqualTo(1.5);

    assertThat(samples(runId, "?name=a").get("samples").get(0).get("value").asText()).isEqualTo("NaN");

    JsonNode nanSeries = client.get(RUNS + runId + "/metrics/series?name=a").json();
    JsonNode nanBucket = nanSeries.get("buckets").get(0);
    assertThat(nanBucket.get("last").asText()).isEqualTo("NaN");
    assertThat(nanBucket.has("min")).isFalse();
    assertThat(nanBucket.has("max")).isFalse();
    assertThat(nanBucket.get("nan_count").asLong()).isEqualTo(1);

    JsonNode infBucket = client.get(RUNS + runId + "/metrics/series?name=b").json().get("buckets").get(0);
    assertThat(infBucket.get("min").asText()).isEqualTo("Infinity");
    assertThat(infBucket.get("max").asText()).isEqualTo("Infinity");
    assertThat(infBucket.get("last").asText()).isEqualTo("Infinity");
    assertThat(infBucket.get("nan_count").asLong()).isZero();

    JsonNode negBucket = client.get(RUNS + runId + "/metrics/series?name=c").json().get("buckets").get(0);
    assertThat(negBucket.get("last").asText()).isEqualTo("-Infinity");
  }

  @Test
  void booleanStringAndNullValuesAreInvalidMetricValues() {
    String runId = newRun(client);
    for (String value : List.of("true", "\"1.5\"", "null", "{}", "[1]")) {
      var r = postMetrics(runId, "{\"metrics\":{\"loss\":" + value + "},\"step\":0}");
      assertThat(r.status()).as(value).isEqualTo(400);
      assertThat(r.error()).as(value).isEqualTo("invalid_metric_value");
      assertThat(r.json().get("request_id").asText()).isNotEmpty();
    }
    assertThat(samples(runId, "").get("samples")).isEmpty();
  }

  @Test
  void oneBadValueRejectsTheWholeRequest() {
    String runId = newRun(client);
    var r = postMetrics(runId, "{\"metrics\":{\"accuracy\":0.5,\"loss\":false},\"step\":0}");
    assertThat(r.status()).isEqualTo(400);
    assertThat(r.error()).isEqualTo("invalid_metric_value");
    assertThat(samples(runId, "").get("samples")).isEmpty();
  }

  @Test
  void emptyOrMissingMetricsAreMetricsRequired() {
    String runId = newRun(client);
    for (String body : List.of("{\"metrics\":{},\"step\":0}", "{\"step\":0}", "{\"metrics\":null}")) {
      var r = postMetrics(runId, body);
      assertThat(r.status()).as(body).isEqualTo(400);
      assertThat(r.error()).as(body).isEqualTo("metrics_required");
    }
  }

  @Test
  void negativeAndFractionalStepsAreInvalidSteps() {
    String runId = newRun(client);
    for (String step : List.of("-1", "1.5", "\"3\"", "true")) {
      var r = postMetrics(runId, "{\"metrics\":{\"loss\":1.0},\"step\":" + step + "}");
      assertThat(r.status()).as(step).isEqualTo(400);
      assertThat(r.error()).as(step).isEqualTo("invalid_step");
    }
    assertThat(samples(runId, "").get("samples")).isEmpty();
  }

  @Test
  void integralStepWrittenWithAFractionPartOfZeroIsAccepted() {
    String runId = newRun(client);
    var r = postMetrics(runId, "{\"metrics\":{\"loss\":1.0},\"step\":2.0}");
    assertThat(r.status()).as(r.text()).isEqualTo(201);
    assertThat(r.json().get("step").asLong()).isEqualTo(2);
  }

  @Test
  void blankOrOverlongMetricNamesAreInvalidMetricNames() {
    String runId = newRun(client);
    for (String name : List.of("   ", "x".repeat(256))) {
      var r = postMetrics(runId, "{\"metrics\":{\"" + name + "\":1.0},\"step\":0}");
      assertThat(r.status()).isEqualTo(400);
      assertThat(r.error()).isEqualTo("invalid_metric_name");
    }
    var trimmed = postMetrics(runId, "{\"metrics\":{\"  loss  \":1.0},\"step\":0}");
    assertThat(trimmed.status()).isEqualTo(201);
    assertThat(RunFixtures.texts(samples(runId, "").get("samples"), "name")).containsExactly("loss");
  }

  @Test
  void unknownFieldIsInvalidJson() {
    String runId = newRun(client);
    var r = postMetrics(runId, "{\"metrics\":{\"loss\":1.0},\"step\":0,\"epoch\":1}");
    assertThat(r.status()).isEqualTo(400);
    assertThat(r.error()).isEqualTo("invalid_json");
  }

  @Test
  void metricsOfAnUnknownRunAreNotFound() {
    String unknown = UUID.randomUUID().toString();
    for (String path : List.of(RUNS + unknown + "/metrics", RUNS + "not-a-uuid/metrics")) {
      var r = client.post(path, "{\"metrics\":{\"loss\":1.0},\"step\":0}");
      assertThat(r.status()).as(path).isEqualTo(404);
      assertThat(r.error()).as(path).isEqualTo("not_found");
    }
    var batch = postBatch(unknown, "{\"points\":[{\"name\":\"loss\",\"step\":0,\"value\":1.0}]}");
    assertThat(batch.status()).isEqualTo(404);
    assertThat(batch.error()).isEqualTo("not_found");
    for (String path : List.of("/metrics", "/metrics?name=loss", "/metrics/series?name=loss")) {
      var r = client.get(RUNS + unknown + path);
      assertThat(r.status()).as(path).isEqualTo(404);
      assertThat(r.error()).as(path).isEqualTo("not_found");
    }
  }

  @Test
  void metricNamedWithASlashIsWrittenAndReadThroughTheNameQueryParameter() {
    String runId = newRun(client);
    assertThat(postMetrics(runId, "{\"metrics\":{\"train/loss\":0.5},\"step\":1}").status()).isEqualTo(201);
    assertThat(postMetrics(runId, "{\"metrics\":{\"train/loss\":0.25},\"step\":2}").status()).isEqualTo(201);

    var series = client.get(RUNS + runId + "/metrics/series?name=train%2Floss");
    assertThat(series.status()).as(series.text()).isEqualTo(200);
    assertThat(fieldNames(series.json())).containsExactly("run_id", "name", "total_points", "downsampled",
        "buckets");
    assertThat(series.json().get("run_id").asText()).isEqualTo(runId);
    assertThat(series.json().get("name").asText()).isEqualTo("train/loss");
    assertThat(series.json().get("total_points").asLong()).isEqualTo(2);
    assertThat(series.json().get("downsampled").asBoolean()).isFalse();
    JsonNode buckets = series.json().get("buckets");
    assertThat(buckets).hasSize(2);
    assertThat(buckets.get(1).get("step_min").asLong()).isEqualTo(2);
    assertThat(buckets.get(1).get("last").asDouble()).isEqualTo(0.25);

    JsonNode listed = samples(runId, "?name=train%2Floss");
    assertThat(listed.get("name").asText()).isEqualTo("train/loss");
    assertThat(steps(listed.get("samples"))).containsExactly(1L, 2L);
  }

  @Test
  void seriesWithoutNameIsNameRequired() {
    String runId = newRun(client);
    for (String query : List.of("", "?name=", "?name=%20%20")) {
      var r = client.get(RUNS + runId + "/metrics/series" + query);
      assertThat(r.status()).as(query).isEqualTo(400);
      assertThat(r.error()).as(query).isEqualTo("name_required");
    }
  }

  @Test
  void sampleMetadataIsRedacted() {
    String runId = newRun(client);
    var r = postMetrics(runId, "{\"metadata\":{\"api_key\":\"abc\",\"max_tokens\":512,"
        + "\"nested\":{\"db_password\":\"hunter2\",\"keyword\":\"ok\"},\"split\":\"train\"},"
        + "\"metrics\":{\"loss\":1.0},\"step\":0}");
    assertThat(r.status()).isEqualTo(201);

    JsonNode metadata = samples(runId, "?name=loss").get("samples").get(0).get("metadata");
    assertThat(metadata.get("api_key").asText()).isEqualTo("[REDACTED]");
    assertThat(metadata.get("max_tokens").asInt()).isEqualTo(512);
    assertThat(metadata.get("nested").get("db_password").asText()).isEqualTo("[REDACTED]");
    assertThat(metadata.get("nested").get("keyword").asText()).isEqualTo("ok");
    assertThat(metadata.get("split").asText()).isEqualTo("train");
    assertThat(metadata.toString()).doesNotContain("hunter2").doesNotContain("abc");
  }

  @Test
  void listWithoutNameGivesTheHighestStepSampleOfEachNameOrderedByNameAndPages() {
    String runId = newRun(client);
    postMetrics(runId, "{\"metrics\":{\"beta\":2.0,\"gamma\":3.0},\"step\":5}");
    postMetrics(runId, "{\"metrics\":{\"alpha\":1.0,\"beta\":2.5},\"step\":9}");
    postMetrics(runId, "{\"metrics\":{\"beta\":0.5},\"step\":1}");
    postMetrics(runId, "{\"metrics\":{\"delta\":4.0},\"step\":0}");

    JsonNode all = samples(runId, "");
    assertThat(all.get("name").asText()).isEmpty();
    assertThat(all.get("run_id").asText()).isEqualTo(runId);
    assertThat(all.has("next_page_token")).isFalse();
    JsonNode latest = all.get("samples");
    assertThat(RunFixtures.texts(latest, "name")).containsExactly("alpha", "beta", "delta", "gamma");
    assertThat(steps(latest)).containsExactly(9L, 9L, 0L, 5L);
    assertThat(latest.get(1).get("value").asDouble()).isEqualTo(2.5);

    JsonNode first = samples(runId, "?limit=3");
    assertThat(RunFixtures.texts(first.get("samples"), "name")).containsExactly("alpha", "beta", "delta");
    String token = first.get("next_page_token").asText();
    JsonNode second = samples(runId, "?limit=3&page_token=" + token);
    assertThat(RunFixtures.texts(second.get("samples"), "name")).containsExactly("gamma");
    assertThat(second.has("next_page_token")).isFalse();

    var reused = client.get(RUNS + runId + "/metrics?name=beta&limit=3&page_token=" + token);
    assertThat(reused.status()).isEqualTo(400);
    assertThat(reused.error()).isEqualTo("invalid_page_token");
    var malformed = client.get(RUNS + runId + "/metrics?page_token=garbage");
    assertThat(malformed.status()).isEqualTo(400);
    assertThat(malformed.error()).isEqualTo("invalid_page_token");
  }

  @Test
  void listWithNameGivesTheNewestLimitSamplesAscendingAndPagesToEarlierSteps() {
    String runId = newRun(client);
    for (int step = 9; step >= 0; step--) {
      postMetrics(runId, "{\"metrics\":{\"loss\":" + (step / 10.0) + "},\"step\":" + step + "}");
    }
    postMetrics(runId, "{\"metrics\":{\"other\":1.0},\"step\":100}");

    // raw HTTP: the answer's top-level "name" field, which the SDK's Page does not carry
    JsonNode raw1 = samples(runId, "?name=loss&limit=4");
    assertThat(raw1.get("name").asText()).isEqualTo("loss");
    assertThat(steps(raw1.get("samples"))).containsExactly(6L, 7L, 8L, 9L);
    assertThat(raw1.has("next_page_token")).isTrue();

    ExperimentsClient sdk = client.sdk();
    Page<MetricPoint> page1 = sdk.listMetrics(runId, "loss", 4);
    assertThat(sdkSteps(page1)).containsExactly(6L, 7L, 8L, 9L);
    assertThat(page1.items()).allSatisfy(p -> assertThat(p.name()).isEqualTo("loss"));
    assertThat(page1.items().get(0).value()).isEqualTo(0.6);
    Page<MetricPoint> page2 = sdk.listMetrics(runId, "loss", 4, page1.nextPageToken());
    assertThat(sdkSteps(page2)).containsExactly(2L, 3L, 4L, 5L);
    Page<MetricPoint> page3 = sdk.listMetrics(runId, "loss", 4, page2.nextPageToken());
    assertThat(sdkSteps(page3)).containsExactly(0L, 1L);
    assertThat(page3.nextPageToken()).isNull();

    assertThat(sdkSteps(sdk.listMetrics(runId, "loss", 100))).containsExactly(0L, 1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L);
    assertThat(sdk.listMetrics(runId, "missing", 100).items()).isEmpty();
  }

  @Test
  void listLimitIsClampedNotRejected() {
    String runId = newRun(client);
    for (int step = 0; step < 3; step++) {
      postMetrics(runId, "{\"metrics\":{\"loss\":1.0},\"step\":" + step + "}");
    }
    assertThat(steps(samples(runId, "?name=loss&limit=0").get("samples"))).containsExactly(2L);
    assertThat(steps(samples(runId, "?name=loss&limit=abc").get("samples"))).containsExactly(0L, 1L, 2L);
    assertThat(steps(samples(runId, "?name=loss&limit=999999").get("samples"))).containsExactly(0L, 1L, 2L);
  }

  private static String points(int count, int firstStep) {
    StringBuilder b = new StringBuilder("{\"points\":[");
    for (int i = 0; i < count; i++) {
      if (i > 0) {
        b.append(',');
      }
      int step = firstStep + i;
      b.append("{\"name\":\"loss\",\"step\":").append(step).append(",\"value\":").append(step * 0.5).append('}');
    }
    return b.append("]}").toString();
  }

  @Test
  void batchOfExactlyTenThousandPointsIsInsertedInOneRequest() {
    String runId = newRun(client);
    var r = postBatch(runId, points(10_000, 0));

    assertThat(r.status()).as(r.text()).isEqualTo(201);
    JsonNode body = r.json();
    assertThat(body.get("received").asInt()).isEqualTo(10_000);
    assertThat(body.get("inserted").asInt()).isEqualTo(10_000);
    assertThat(body.get("duplicates").asInt()).isZero();
    assertThat(body.get("run_id").asText()).isEqualTo(runId);
    assertThat(body.get("request_id").asText()).isEqualTo(r.header("X-Request-Id"));

    JsonNode series = client.get(RUNS + runId + "/metrics/series?name=loss&max_points=10000").json();
    assertThat(series.get("total_points").asLong()).isEqualTo(10_000);
    assertThat(series.get("downsampled").asBoolean()).isFalse();
    assertThat(series.get("buckets").get(9_999).get("last").asDouble()).isEqualTo(9_999 * 0.5);
    JsonNode newest = samples(runId, "?name=loss&limit=1").get("samples").get(0);
    assertThat(newest.get("step").asLong()).isEqualTo(9_999);
    assertThat(newest.get("recorded_by").asText()).isEqualTo("dev-user");
  }

  @Test
  void batchOfTenThousandAndOnePointsIsTooManyItems() {
    String runId = newRun(client);
    var r = postBatch(runId, points(10_001, 0));
    assertThat(r.status()).as(r.text()).isEqualTo(400);
    assertThat(r.error()).isEqualTo("too_many_items");
    assertThat(samples(runId, "").get("samples")).isEmpty();
  }

  @Test
  void batchWithOneBadPointIsRejectedWholeNamingItsIndex() {
    String runId = newRun(client);
    StringBuilder b = new StringBuilder("{\"points\":[");
    for (int i = 0; i < 12; i++) {
      b.append(i > 0 ? "," : "").append("{\"name\":\"loss\",\"step\":").append(i).append(",\"value\":")
          .append(i == 7 ? "\"bad\"" : "1.0").append('}');
    }
    var r = postBatch(runId, b.append("]}").toString());

    assertThat(r.status()).as(r.text()).isEqualTo(400);
    assertThat(r.error()).isEqualTo("invalid_metric_value");
    assertThat(r.json().get("details").get("index").asInt()).isEqualTo(7);
    assertThat(samples(runId, "").get("samples")).isEmpty();
    assertThat(client.get(RUNS + runId + "/metrics/series?name=loss").json().get("total_points").asLong()).isZero();
  }

  @Test
  void batchPointsAreValidatedLikeSingleWritesNamingTheIndex() {
    String runId = newRun(client);
    Map<String, String> cases = Map.of(
        "{\"name\":\"loss\",\"step\":-3,\"value\":1.0}", "invalid_step",
        "{\"name\":\"\",\"step\":0,\"value\":1.0}", "invalid_metric_name",
        "{\"name\":\"loss\",\"step\":0,\"value\":null}", "invalid_metric_value",
        "{\"name\":\"loss\",\"step\":0,\"value\":1.0,\"timestamp\":\"yesterday\"}", "invalid_timestamp",
        "{\"name\":\"loss\",\"step\":0,\"value\":1.0,\"color\":\"red\"}", "invalid_json");
    cases.forEach((point, code) -> {
      var r = postBatch(runId, "{\"points\":[{\"name\":\"ok\",\"step\":0,\"value\":1.0}," + point + "]}");
      assertThat(r.status()).as(point).isEqualTo(400);
      assertThat(r.error()).as(point).isEqualTo(code);
      assertThat(r.json().get("details").get("index").asInt()).as(point).isEqualTo(1);
    });
    var empty = postBatch(runId, "{\"points\":[]}");
    assertThat(empty.status()).isEqualTo(400);
    assertThat(empty.error()).isEqualTo("metrics_required");
    assertThat(samples(runId, "").get("samples")).isEmpty();
  }

  @Test
  void batchDuplicatesInsideTheRequestKeepTheFirstOccurrenceAndAreCounted() {
    String runId = newRun(client);
    String body = "{\"points\":[{\"name\":\"loss\",\"step\":0,\"value\":1.0},"
        + "{\"name\":\"loss\",\"step\":0,\"value\":2.0},"
        + "{\"name\":\"loss\",\"step\":1,\"value\":3.0},"
        + "{\"name\":\"acc\",\"step\":0,\"value\":0.5},"
        + "{\"name\":\"loss\",\"step\":1,\"value\":4.0}]}";
    var r = postBatch(runId, body);
    assertThat(r.status()).as(r.text()).isEqualTo(201);
    assertThat(r.json().get("received").asInt()).isEqualTo(5);
    assertThat(r.json().get("inserted").asInt()).isEqualTo(3);
    assertThat(r.json().get("duplicates").asInt()).isEqualTo(2);

    JsonNode loss = samples(runId, "?name=loss").get("samples");
    assertThat(steps(loss)).containsExactly(0L, 1L);
    assertThat(loss.get(0).get("value").asDouble()).isEqualTo(1.0);
    assertThat(loss.get(1).get("value").asDouble()).isEqualTo(3.0);

    var again = postBatch(runId, body);
    assertThat(again.status()).isEqualTo(200);
    assertThat(again.json().get("inserted").asInt()).isZero();
    assertThat(again.json().get("duplicates").asInt()).isEqualTo(5);
  }

  @Test
  void concurrentWritersOfTheSameStepsStoreEachStepOnceWithOneWritersValue() throws Exception {
    String runId = newRun(client);
    int writers = 4;
    ExecutorService pool = Executors.newFixedThreadPool(writers);
    try {
      CyclicBarrier start = new CyclicBarrier(writers);
      List<Future<TestClient.Response>> answers = new ArrayList<>();
      for (int w = 0; w < writers; w++) {
        StringBuilder b = new StringBuilder("{\"points\":[");
        for (int step = 0; step < 1000; step++) {
          b.append(step > 0 ? "," : "").append("{\"name\":\"loss\",\"step\":").append(step)
              .append(",\"value\":").append(w).append('}');
        }
        String body = b.append("]}").toString();
        answers.add(pool.submit(() -> {
          start.await(30, TimeUnit.SECONDS);
          return postBatch(runId, body);
        }));
      }
      int inserted = 0;
      for (var answer : answers) {
        TestClient.Response r = answer.get(60, TimeUnit.SECONDS);
        assertThat(r.status()).as(r.text()).isIn(200, 201);
        assertThat(r.json().get("received").asInt()).isEqualTo(1000);
        inserted += r.json().get("inserted").asInt();
      }
      assertThat(inserted).isEqualTo(1000);
    } finally {
      pool.shutdownNow();
    }
    JsonNode stored = samples(runId, "?name=loss&limit=1000").get("samples");
    assertThat(steps(stored)).hasSize(1000).doesNotHaveDuplicates().isSorted();
    double min = Double.MAX_VALUE;
    double max = -Double.MAX_VALUE;
    for (JsonNode sample : stored) {
      assertThat(sample.get("value").asDouble()).isIn(0.0, 1.0, 2.0, 3.0);
      min = Math.min(min, sample.get("value").asDouble());
      max = Math.max(max, sample.get("value").asDouble());
    }
    JsonNode whole = client.get(RUNS + runId + "/metrics/series?name=loss&max_points=2").json();
    assertThat(whole.get("total_points").asLong()).isEqualTo(1000);
    JsonNode buckets = whole.get("buckets");
    assertThat(buckets.get(0).get("count").asLong() + buckets.get(1).get("count").asLong()).isEqualTo(1000);
    assertThat(Math.min(buckets.get(0).get("min").asDouble(), buckets.get(1).get("min").asDouble())).isEqualTo(min);
    assertThat(Math.max(buckets.get(0).get("max").asDouble(), buckets.get(1).get("max").asDouble())).isEqualTo(max);
  }

  @Test
  void metricsOfARunAreNotFoundFromAnotherProject() {
    String runId = newRun(client);
    var write = client.post(RUNS + runId + "/metrics", "{\"metrics\":{\"loss\":1.0},\"step\":0}",
        Map.of("X-Project-Id", "elsewhere"));
    assertThat(write.status()).isEqualTo(404);
    assertThat(write.error()).isEqualTo("not_found");
    var read = client.send("GET", RUNS + runId + "/metrics", null, Map.of("X-Project-Id", "elsewhere"));
    assertThat(read.status()).isEqualTo(404);
    var sameProject = client.post(RUNS + runId + "/metrics", "{\"metrics\":{\"loss\":1.0},\"step\":0}",
        Map.of("X-Project-Id", "default"));
    assertThat(sameProject.status()).isEqualTo(201);
  }

  @Test
  void batchTimestampBecomesRecordedAtInUtc() {
    String runId = newRun(client);
    var r = postBatch(runId,
        "{\"points\":[{\"name\":\"loss\",\"step\":0,\"timestamp\":\"2026-01-05T12:11:12.5+02:00\",\"value\":1.0}]}");
    assertThat(r.status()).isEqualTo(201);
    String recordedAt = samples(runId, "?name=loss").get("samples").get(0).get("recorded_at").asText();
    assertThat(recordedAt).endsWith("Z");
    assertThat(Instant.parse(recordedAt)).isEqualTo(Instant.parse("2026-01-05T10:11:12.5Z"));
  }

  @Test
  void batchTimesAtTheEdgesOfTheRangeAndBelowAMicrosecondAreStoredAsPostgresqlRoundsThem() {
    String runId = newRun(client);
    var r = postBatch(runId, "{\"points\":["
        + "{\"name\":\"t\",\"step\":0,\"value\":0,\"timestamp\":\"0001-01-01T00:00:00.000001Z\"},"
        + "{\"name\":\"t\",\"step\":1,\"value\":-0.0,\"timestamp\":\"9999-12-31T23:59:59.999999Z\"},"
        + "{\"name\":\"t\",\"step\":2,\"value\":0.1,\"timestamp\":\"1969-12-31T23:59:59.0000015Z\"},"
        + "{\"name\":\"t\",\"step\":3,\"value\":1e-300,\"timestamp\":\"2026-11-27T10:00:00.123456789Z\"},"
        + "{\"name\":\"t\",\"step\":4,\"value\":-1.7976931348623157e308,\"timestamp\":\"1600-02-29T00:00:00Z\"}"
        + "]}");
    assertThat(r.status()).as(r.text()).isEqualTo(201);
    JsonNode stored = samples(runId, "?name=t").get("samples");
    List<String> times = new ArrayList<>();
    List<Double> values = new ArrayList<>();
    stored.forEach(s -> {
      times.add(s.get("recorded_at").asText());
      values.add(s.get("value").asDouble());
    });
    assertThat(times).containsExactly("0001-01-01T00:00:00.000001Z", "9999-12-31T23:59:59.999999Z",
        "1969-12-31T23:59:59.000002Z", "2026-11-27T10:00:00.123457Z", "1600-02-29T00:00:00Z");
    assertThat(values).containsExactly(0.0, 0.0, 0.1, 1e-300, -1.7976931348623157e308);
    assertThat(stored.get(1).get("value").asText()).doesNotStartWith("-");
  }

  @Test
  void runsListIncludesLatestMetricsAndOrdersByAMetricWithRunsLackingItLast() {
    String experimentId = newExperiment(client);
    String low = newRun(client, experimentId, "running");
    String high = newRun(client, experimentId, "succeeded");
    String none = newRun(client, experimentId, "running");
    String middle = newRun(client, experimentId, "running");
    // the latest value is the one of the highest step, whatever the order of writes
    postMetrics(low, "{\"metrics\":{\"loss\":0.1},\"step\":5}");
    postMetrics(low, "{\"metrics\":{\"accuracy\":0.9,\"loss\":0.9},\"step\":2}");
    postMetrics(high, "{\"metrics\":{\"loss\":0.8},\"step\":1}");
    postMetrics(middle, "{\"metrics\":{\"loss\":0.4},\"step\":0}");
    postMetrics(none, "{\"metrics\":{\"accuracy\":0.3},\"step\":0}");
    String list = "/api/experiments/experiments/" + experimentId + "/runs";

    var included = client.get(list + "?include=latest_metrics");
    assertThat(included.status()).as(included.text()).isEqualTo(200);
    Map<String, JsonNode> byId = new HashMap<>();
    included.json().get("runs").forEach(run -> byId.put(run.get("run_id").asText(), run));
    assertThat(byId).hasSize(4);
    assertThat(byId.get(low).get("latest_metrics").toString()).isEqualTo("{\"accuracy\":0.9,\"loss\":0.1}");
    assertThat(byId.get(high).get("latest_metrics").toString()).isEqualTo("{\"loss\":0.8}");
    assertThat(byId.get(middle).get("latest_metrics").toString()).isEqualTo("{\"loss\":0.4}");
    assertThat(byId.get(none).get("latest_metrics").toString()).isEqualTo("{\"accuracy\":0.3}");
    client.get(list).json().get("runs").forEach(run -> assertThat(run.has("latest_metrics")).isFalse());

    var ascending = client.get(list + "?order_by=metric:loss&order=asc");
    assertThat(ascending.status()).as(ascending.text()).isEqualTo(200);
    assertThat(RunFixtures.texts(ascending.json().get("runs"), "run_id")).containsExactly(low, middle, high, none);
    var descending = client.get(list + "?order_by=metric:loss&order=desc");
    assertThat(RunFixtures.texts(descending.json().get("runs"), "run_id")).containsExactly(high, middle, low, none);
    var byDefault = client.get(list + "?order_by=metric:loss");
    assertThat(RunFixtures.texts(byDefault.json().get("runs"), "run_id")).containsExactly(high, middle, low, none);

    List<String> paged = new ArrayList<>();
    String query = "?order_by=metric:loss&order=asc&limit=1&include=latest_metrics";
    for (int i = 0; i < 10; i++) {
      JsonNode page = client.get(list + query).json();
      assertThat(page.get("runs")).hasSize(1);
      paged.add(page.get("runs").get(0).get("run_id").asText());
      assertThat(page.get("runs").get(0).has("latest_metrics")).isTrue();
      if (!page.has("next_page_token")) {
        break;
      }
      query = "?order_by=metric:loss&order=asc&limit=1&include=latest_metrics&page_token="
          + page.get("next_page_token").asText();
    }
    assertThat(paged).containsExactly(low, middle, high, none);

    var bad = client.get(list + "?order_by=metric");
    assertThat(bad.status()).isEqualTo(400);
    assertThat(bad.error()).isEqualTo("invalid_order_by");
    var badOrder = client.get(list + "?order_by=metric:loss&order=up");
    assertThat(badOrder.status()).isEqualTo(400);
    assertThat(badOrder.error()).isEqualTo("invalid_order_by");
  }
}
