package io.animus.datapilot.datasets;

import static org.assertj.core.api.Assertions.assertThat;

import io.animus.datapilot.testing.TestClient;
import io.animus.datapilot.testing.TestServer;
import io.animus.sdk.DatasetRegistryClient;
import io.animus.sdk.DatasetVersion;
import io.animus.sdk.NewRun;
import io.animus.sdk.QualityEvaluation;
import io.animus.sdk.Run;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The quality gate of docs/protocol.md §6.4, switched on. */
class QualityGateHttpTest {
  static TestServer server;
  static TestClient client;
  static String experimentId;

  @BeforeAll
  static void start() {
    server = TestServer.start(Map.of("DATAPILOT_REQUIRE_QUALITY_GATE", "true"));
    client = server.client();
    experimentId = server.sdk().createExperiment("gated", null, null).experimentId();
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  /** A new dataset with one version (quality rule {@code rule}, or none), made through the Java SDK. */
  static String version(String rule) {
    return version(server.datasets(), rule, UUID.randomUUID().toString().getBytes(StandardCharsets.UTF_8));
  }

  static String version(DatasetRegistryClient datasets, String rule, byte[] content) {
    String datasetId = datasets.createDataset("ds-" + UUID.randomUUID(), null, null).datasetId();
    try {
      Path file = Files.createTempFile("quality-gate", ".csv");
      Files.write(file, content);
      DatasetVersion v = datasets.uploadDatasetVersion(datasetId, file, null, rule);
      Files.delete(file);
      assertThat(v.datasetId()).isEqualTo(datasetId);
      assertThat(v.qualityRuleId()).isEqualTo(rule);
      return v.versionId();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static TestClient.Response download(String versionId) {
    return client.get("/api/dataset-registry/dataset-versions/" + versionId + "/download");
  }

  static TestClient.Response createRun(String versionId) {
    return client.post("/api/experiments/experiments/" + experimentId + "/runs",
        "{\"status\":\"pending\",\"dataset_version_id\":\"" + versionId + "\",\"params\":{},\"metrics\":{}}");
  }

  static TestClient.Response evaluate(String versionId, String body) {
    return client.post("/api/dataset-registry/dataset-versions/" + versionId + "/quality-evaluations", body);
  }

  @Test
  void aVersionWithoutARuleIs409QualityRuleNotSetForDownloadRunsAndEvaluations() {
    String versionId = version(null);
    assertThat(download(versionId).status()).isEqualTo(409);
    assertThat(download(versionId).error()).isEqualTo("quality_rule_not_set");
    assertThat(createRun(versionId).error()).isEqualTo("quality_rule_not_set");
    assertThat(evaluate(versionId, "{\"status\":\"pass\"}").error()).isEqualTo("quality_rule_not_set");
  }

  @Test
  void aVersionNeverEvaluatedIs409QualityNotEvaluated() {
    String versionId = version("rule-a");
    assertThat(download(versionId).status()).isEqualTo(409);
    assertThat(download(versionId).error()).isEqualTo("quality_not_evaluated");
    var run = createRun(versionId);
    assertThat(run.status()).isEqualTo(409);
    assertThat(run.error()).isEqualTo("quality_not_evaluated");
  }

  @Test
  void theNewestEvaluationDecidesFailBlocksAndPassOpens() {
    String versionId = version("rule-b");
    QualityEvaluation e = server.datasets().addQualityEvaluation(versionId, "fail", Map.of("nulls", 12));
    assertThat(e.datasetVersionId()).isEqualTo(versionId);
    assertThat(e.ruleId()).isEqualTo("rule-b");
    assertThat(e.status()).isEqualTo("fail");
    assertThat(e.summary()).containsOnlyKeys("nulls");
    assertThat(((Number) e.summary().get("nulls")).longValue()).isEqualTo(12L);
    assertThat(e.evaluatedBy()).isEqualTo("dev-user");
    assertThat(e.evaluationId()).isNotBlank();
    assertThat(download(versionId).error()).isEqualTo("quality_gate_failed");
    assertThat(createRun(versionId).error()).isEqualTo("quality_gate_failed");

    // raw HTTP: the status in capitals, which the server accepts and the SDK would not send
    assertThat(evaluate(versionId, "{\"status\":\"PASS\"}").status()).isEqualTo(201);
    assertThat(download(versionId).status()).isEqualTo(200);
    assertThat(createRun(versionId).status()).isEqualTo(201);
    List<QualityEvaluation> list = server.datasets().listQualityEvaluations(versionId, 100, null).items();
    assertThat(list).hasSize(2);
    assertThat(list.get(0).status()).isEqualTo("pass");
    assertThat(list.get(0).summary()).isEmpty();
    assertThat(list.get(1).evaluationId()).isEqualTo(e.evaluationId());

    assertThat(evaluate(versionId, "{\"status\":\"error\"}").status()).isEqualTo(201);
    assertThat(download(versionId).error()).isEqualTo("quality_gate_failed");
  }

  @Test
  void evaluationsValidateTheirStatus() {
    String versionId = version("rule-c");
    assertThat(evaluate(versionId, "{}").error()).isEqualTo("status_required");
    assertThat(evaluate(versionId, "{\"status\":\"maybe\"}").error()).isEqualTo("invalid_status");
    assertThat(evaluate(versionId, "{\"status\":\"pass\",\"summary\":[]}").error()).isEqualTo("invalid_json");
    assertThat(evaluate("00000000-0000-4000-8000-000000000000", "{\"status\":\"pass\"}").status()).isEqualTo(404);
  }

  @Test
  void withTheGateOffAnUnevaluatedVersionDownloadsAndRunsUseIt() {
    try (TestServer off = TestServer.start()) {
      TestClient c = off.client();
      String versionId = version(off.datasets(), null, new byte[] {1});
      assertThat(c.get("/api/dataset-registry/dataset-versions/" + versionId + "/download").status()).isEqualTo(200);
      String exp = off.sdk().createExperiment("e", null, null).experimentId();
      Run run = off.sdk().createRun(exp, NewRun.withStatus("pending").datasetVersionId(versionId));
      assertThat(run.status()).isEqualTo("pending");
      assertThat(run.datasetVersionId()).isEqualTo(versionId);
    }
  }
}
