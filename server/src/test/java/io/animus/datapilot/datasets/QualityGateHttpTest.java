package io.animus.datapilot.datasets;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.animus.datapilot.testing.Multipart;
import io.animus.datapilot.testing.TestClient;
import io.animus.datapilot.testing.TestServer;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The quality gate of PROTOCOL.md §6.4, switched on. */
class QualityGateHttpTest {
  static TestServer server;
  static TestClient client;
  static String experimentId;

  @BeforeAll
  static void start() {
    server = TestServer.start(Map.of("DATAPILOT_REQUIRE_QUALITY_GATE", "true"));
    client = server.client();
    experimentId = client.post("/api/experiments/experiments", "{\"name\":\"gated\"}").json().get("experiment_id")
        .asText();
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  static String version(String rule) {
    String datasetId = client.post("/api/dataset-registry/datasets", "{\"name\":\"ds-" + UUID.randomUUID() + "\"}")
        .json().get("dataset_id").asText();
    Multipart form = Multipart.sdk();
    if (rule != null) {
      form.field("quality_rule_id", rule);
    }
    form.file("file", "d.csv", "text/csv", UUID.randomUUID().toString().getBytes());
    var r = client.sendBytes("POST", "/api/dataset-registry/datasets/" + datasetId + "/versions/upload",
        form.build(), Map.of("Content-Type", form.contentType()));
    assertThat(r.status()).isEqualTo(201);
    return r.json().get("version_id").asText();
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
    var failed = evaluate(versionId, "{\"status\":\"fail\",\"summary\":{\"nulls\":12}}");
    assertThat(failed.status()).isEqualTo(201);
    JsonNode e = failed.json();
    assertThat(e.get("dataset_version_id").asText()).isEqualTo(versionId);
    assertThat(e.get("rule_id").asText()).isEqualTo("rule-b");
    assertThat(e.get("status").asText()).isEqualTo("fail");
    assertThat(e.get("summary").toString()).isEqualTo("{\"nulls\":12}");
    assertThat(e.get("evaluated_by").asText()).isEqualTo("dev-user");
    assertThat(e.has("evaluation_id")).isTrue();
    assertThat(download(versionId).error()).isEqualTo("quality_gate_failed");
    assertThat(createRun(versionId).error()).isEqualTo("quality_gate_failed");

    assertThat(evaluate(versionId, "{\"status\":\"PASS\"}").status()).isEqualTo(201);
    assertThat(download(versionId).status()).isEqualTo(200);
    assertThat(createRun(versionId).status()).isEqualTo(201);
    JsonNode list = client.get("/api/dataset-registry/dataset-versions/" + versionId + "/quality-evaluations")
        .json();
    assertThat(list.get("evaluations")).hasSize(2);
    assertThat(list.get("evaluations").get(0).get("status").asText()).isEqualTo("pass");
    assertThat(list.get("evaluations").get(0).get("summary").toString()).isEqualTo("{}");

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
      String datasetId = c.post("/api/dataset-registry/datasets", "{\"name\":\"open\"}").json().get("dataset_id")
          .asText();
      Multipart form = Multipart.sdk().file("file", "d.csv", "text/csv", new byte[] {1});
      String versionId = c.sendBytes("POST", "/api/dataset-registry/datasets/" + datasetId + "/versions/upload",
          form.build(), Map.of("Content-Type", form.contentType())).json().get("version_id").asText();
      assertThat(c.get("/api/dataset-registry/dataset-versions/" + versionId + "/download").status()).isEqualTo(200);
      String exp = c.post("/api/experiments/experiments", "{\"name\":\"e\"}").json().get("experiment_id").asText();
      var run = c.post("/api/experiments/experiments/" + exp + "/runs",
          "{\"status\":\"pending\",\"dataset_version_id\":\"" + versionId + "\",\"params\":{},\"metrics\":{}}");
      assertThat(run.status()).isEqualTo(201);
      assertThat(run.json().get("dataset_version_id").asText()).isEqualTo(versionId);
    }
  }
}
