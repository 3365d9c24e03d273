package io.animus.datapilot.storage;

import static org.assertj.core.api.Assertions.assertThat;

import io.animus.datapilot.App;
import io.animus.datapilot.config.ConfigLoader;
import io.animus.datapilot.testing.TestClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Without DATAPILOT_DATABASE_URL the server runs its own PostgreSQL under the data directory. */
class EmbeddedStorageTest {

  @Test
  void embeddedDatabaseLivesInTheDataDirectoryAndSurvivesARestart(@TempDir Path dataDir) {
    Map<String, String> env = Map.of("DATAPILOT_LISTEN", "127.0.0.1:0", "DATAPILOT_DATA_DIR", dataDir.toString());
    String experimentId;
    String runId;
    try (App app = App.start(new ConfigLoader(env, Map.of()).load())) {
      TestClient client = new TestClient("http://127.0.0.1:" + app.port());
      var experiment = client.post("/api/experiments/experiments",
          "{\"description\":\"\",\"metadata\":{},\"name\":\"persisted\"}");
      assertThat(experiment.status()).isEqualTo(201);
      experimentId = experiment.json().get("experiment_id").asText();
      var run = client.post("/api/experiments/experiments/" + experimentId + "/runs",
          "{\"metrics\":{\"accuracy\":0.91},\"params\":{\"lr\":0.001},\"status\":\"succeeded\"}");
      assertThat(run.status()).isEqualTo(201);
      runId = run.json().get("run_id").asText();
    }
    assertThat(Files.isRegularFile(dataDir.resolve("pg").resolve("PG_VERSION"))).isTrue();

    try (App app = App.start(new ConfigLoader(env, Map.of()).load())) {
      // The embedded server is durable: every acknowledged commit is flushed to disk.
      app.database().jdbi().useHandle(h -> {
        assertThat(h.createQuery("SHOW fsync").mapTo(String.class).one()).isEqualTo("on");
        assertThat(h.createQuery("SHOW synchronous_commit").mapTo(String.class).one()).isEqualTo("on");
        assertThat(h.createQuery("SHOW full_page_writes").mapTo(String.class).one()).isEqualTo("on");
      });
      TestClient client = new TestClient("http://127.0.0.1:" + app.port());
      var experiment = client.get("/api/experiments/experiments/" + experimentId);
      assertThat(experiment.status()).isEqualTo(200);
      assertThat(experiment.json().get("name").asText()).isEqualTo("persisted");
      var run = client.get("/api/experiments/experiment-runs/" + runId);
      assertThat(run.status()).isEqualTo(200);
      assertThat(run.json().get("params").toString()).isEqualTo("{\"lr\":0.001}");
      assertThat(run.json().get("status").asText()).isEqualTo("succeeded");
    }
  }
}
