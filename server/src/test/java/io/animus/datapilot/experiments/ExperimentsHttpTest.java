package io.animus.datapilot.experiments;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.animus.datapilot.testing.TestClient;
import io.animus.datapilot.testing.TestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class ExperimentsHttpTest {
  static TestServer server;
  static TestClient client;

  @BeforeAll
  static void start() {
    server = TestServer.start();
    client = server.client();
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  @Test
  void createExperimentAnswers201WithItsFields() {
    var r = client.post("/api/experiments/experiments",
        "{\"description\":\" Baseline training run \",\"metadata\":{\"team\":\"ml\"},\"name\":\" baseline-create \"}");
    assertThat(r.status()).isEqualTo(201);
    JsonNode body = r.json();
    String id = body.get("experiment_id").asText();
    assertThat(id).matches("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}");
    assertThat(r.header("Location")).isEqualTo("/api/experiments/experiments/" + id);
    assertThat(body.get("project_id").asText()).isEqualTo("default");
    assertThat(body.get("name").asText()).isEqualTo("baseline-create");
    assertThat(body.get("description").asText()).isEqualTo("Baseline training run");
    assertThat(body.get("metadata").toString()).isEqualTo("{\"team\":\"ml\"}");
    assertThat(body.get("created_by").asText()).isEqualTo("dev-user");
    assertThat(body.get("created_at").asText()).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d(\\.\\d{1,6})?Z");
    var fetched = client.get("/api/experiments/experiments/" + id);
    assertThat(fetched.status()).isEqualTo(200);
    assertThat(fetched.json()).isEqualTo(body);
  }
}
