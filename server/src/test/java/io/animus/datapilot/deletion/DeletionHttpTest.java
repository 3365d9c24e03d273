package io.animus.datapilot.deletion;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.animus.datapilot.testing.Multipart;
import io.animus.datapilot.testing.TestClient;
import io.animus.datapilot.testing.TestServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Archive, restore and delete over HTTP (docs/protocol.md §3.6). Raw HTTP: the SDK has no calls for
 * these routes yet, and the tests check status codes and bodies.
 */
class DeletionHttpTest {
  private static final String EXPERIMENTS = "/api/experiments/experiments";
  private static final String RUNS = "/api/experiments/experiment-runs/";
  private static final String DATASETS = "/api/dataset-registry/datasets";
  private static TestServer server;
  private static TestClient client;

  @BeforeAll
  static void start() {
    server = TestServer.start();
    client = server.client();
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  private static String experiment(String name) {
    TestClient.Response r = client.post(EXPERIMENTS, "{\"name\":\"" + name + "\"}");
    assertThat(r.status()).isEqualTo(201);
    return r.json().get("experiment_id").asText();
  }

  private static String run(String experimentId, String extra) {
    TestClient.Response r = client.post(EXPERIMENTS + "/" + experimentId + "/runs",
        "{\"status\":\"succeeded\"" + extra + "}");
    assertThat(r.status()).as(r.text()).isEqualTo(201);
    return r.json().get("run_id").asText();
  }

  /** Polls the deletion until the sweeper has marked it done (bounded), and returns it. */
  private static JsonNode awaitDone(String deletionId) throws InterruptedException {
    JsonNode d = null;
    for (int i = 0; i < 600; i++) {
      d = client.get("/api/deletions/" + deletionId).json();
      if (d.path("state").asText().equals("done")) {
        return d;
      }
      Thread.sleep(50);
    }
    return d;
  }

  private static long blobFiles(String area) throws IOException {
    Path root = server.dataDir().resolve("blobs").resolve(area);
    if (!Files.isDirectory(root)) {
      return 0;
    }
    try (Stream<Path> files = Files.walk(root)) {
      return files.filter(Files::isRegularFile).count();
    }
  }

  @Test
  void archivingAnExperimentHidesItFromTheListUntilRestoredAndIsIdempotent() {
    String name = "arch-" + UUID.randomUUID();
    String id = experiment(name);
    JsonNode archived = client.post(EXPERIMENTS + "/" + id + ":archive", "").json();
    assertThat(archived.get("archived_at").asText()).isNotEmpty();
    JsonNode again = client.post(EXPERIMENTS + "/" + id + ":archive", "").json();
    assertThat(again.get("archived_at").asText()).isEqualTo(archived.get("archived_at").asText());
    assertThat(client.get(EXPERIMENTS + "?name=" + name).json().get("experiments")).isEmpty();
    assertThat(client.get(EXPERIMENTS + "?include_archived=true&name=" + name).json().get("experiments"))
        .hasSize(1);
    assertThat(client.get(EXPERIMENTS + "/" + id).json().has("archived_at")).isTrue();
    TestClient.Response restored = client.post(EXPERIMENTS + "/" + id + ":restore", "");
    assertThat(restored.status()).isEqualTo(200);
    assertThat(restored.json().has("archived_at")).isFalse();
    assertThat(client.post(EXPERIMENTS + "/" + id + ":restore", "").status()).isEqualTo(200);
    assertThat(client.get(EXPERIMENTS + "?name=" + name).json().get("experiments")).hasSize(1);
  }

  @Test
  void archivingADatasetHidesItFromTheList() {
    String name = "ds-" + UUID.randomUUID();
    String id = client.post(DATASETS, "{\"name\":\"" + name + "\"}").json().get("dataset_id").asText();
    assertThat(client.post(DATASETS + "/" + id + ":archive", "").json().has("archived_at")).isTrue();
    assertThat(client.get(DATASETS + "?limit=500").json().get("datasets").findValuesAsText("dataset_id"))
        .doesNotContain(id);
    assertThat(client.get(DATASETS + "?limit=500&include_archived=true").json().get("datasets")
        .findValuesAsText("dataset_id")).contains(id);
    assertThat(client.get(DATASETS + "?bogus=1").error()).isEqualTo("unknown_parameter");
  }

  @Test
  void deletingARunRemovesItsArtifactsEventsAndPointsAndTheBlobs() throws Exception {
    String exp = experiment("del-run-" + UUID.randomUUID());
    String runId = run(exp, "");
    long before = blobFiles("artifacts");
    byte[] bytes = new byte[256 * 1024];
    new Random(7).nextBytes(bytes);
    Multipart form = Multipart.sdk().field("kind", "model").file("file", "model.bin", "application/octet-stream",
        bytes);
    assertThat(client.sendBytes("POST", RUNS + runId + "/artifacts", form.build(),
        Map.of("Content-Type", form.contentType())).status()).isEqualTo(201);
    assertThat(client.post(RUNS + runId + "/events", "{\"message\":\"hello\"}").status()).isEqualTo(201);
    assertThat(client.post(RUNS + runId + "/metrics", "{\"step\":1,\"metrics\":{\"loss\":0.5}}").status())
        .isEqualTo(201);
    assertThat(blobFiles("artifacts")).isEqualTo(before + 1);

    TestClient.Response deleted = client.delete(RUNS + runId);
    assertThat(deleted.status()).isEqualTo(202);
    assertThat(deleted.json().get("kind").asText()).isEqualTo("run");
    assertThat(deleted.json().get("target_id").asText()).isEqualTo(runId);
    JsonNode done = awaitDone(deleted.json().get("deletion_id").asText());
    assertThat(done.get("state").asText()).isEqualTo("done");
    assertThat(done.has("done_at")).isTrue();

    assertThat(client.get(RUNS + runId).status()).isEqualTo(404);
    assertThat(client.get(RUNS + runId + "/artifacts").status()).isEqualTo(404);
    assertThat(client.get(RUNS + runId + "/events").status()).isEqualTo(404);
    assertThat(client.get(RUNS + runId + "/metrics").status()).isEqualTo(404);
    assertThat(blobFiles("artifacts")).isEqualTo(before);
    // deleted once: the second time there is nothing to delete
    assertThat(client.delete(RUNS + runId).status()).isEqualTo(404);
  }

  @Test
  void aDeletedExperimentIsGoneAtOnceAndItsNameIsFreeAgain() throws Exception {
    String name = "del-exp-" + UUID.randomUUID();
    String id = experiment(name);
    String runId = run(id, "");
    TestClient.Response deleted = client.delete(EXPERIMENTS + "/" + id);
    assertThat(deleted.status()).isEqualTo(202);
    assertThat(deleted.json().get("state").asText()).isIn("pending", "done");
    assertThat(client.get(EXPERIMENTS + "/" + id).status()).isEqualTo(404);
    assertThat(client.get(EXPERIMENTS + "?name=" + name).json().get("experiments")).isEmpty();
    assertThat(client.delete(EXPERIMENTS + "/" + id).status()).isEqualTo(404);
    String again = experiment(name);
    assertThat(again).isNotEqualTo(id);
    assertThat(awaitDone(deleted.json().get("deletion_id").asText()).get("state").asText()).isEqualTo("done");
    assertThat(client.get(RUNS + runId).status()).isEqualTo(404);
  }

  @Test
  void aVersionUsedByARunIsRefusedUnlessForced() throws Exception {
    String datasetId = client.post(DATASETS, "{\"name\":\"ds-" + UUID.randomUUID() + "\"}").json()
        .get("dataset_id").asText();
    Multipart form = Multipart.sdk().file("file", "train.csv", "text/csv", "a,b\n1,2\n".getBytes());
    String versionId = client.sendBytes("POST", DATASETS + "/" + datasetId + "/versions/upload", form.build(),
        Map.of("Content-Type", form.contentType())).json().get("version_id").asText();
    String runId = run(experiment("uses-" + UUID.randomUUID()), ",\"dataset_version_id\":\"" + versionId + "\"");
    long before = blobFiles("datasets");

    TestClient.Response refused = client.delete("/api/dataset-registry/dataset-versions/" + versionId);
    assertThat(refused.status()).isEqualTo(409);
    assertThat(refused.error()).isEqualTo("dataset_version_in_use");
    assertThat(refused.json().get("details").get("run_ids").get(0).asText()).isEqualTo(runId);
    assertThat(client.delete(DATASETS + "/" + datasetId).error()).isEqualTo("dataset_version_in_use");
    assertThat(client.get("/api/dataset-registry/dataset-versions/" + versionId).status()).isEqualTo(200);

    TestClient.Response forced = client.delete("/api/dataset-registry/dataset-versions/" + versionId + "?force=true");
    assertThat(forced.status()).isEqualTo(202);
    assertThat(client.get("/api/dataset-registry/dataset-versions/" + versionId).status()).isEqualTo(404);
    assertThat(awaitDone(forced.json().get("deletion_id").asText()).get("state").asText()).isEqualTo("done");
    assertThat(blobFiles("datasets")).isEqualTo(before - 1);
    assertThat(client.get(RUNS + runId).json().get("dataset_version_id").asText()).isEqualTo(versionId);
    assertThat(client.delete(DATASETS + "/" + datasetId).status()).isEqualTo(202);
    assertThat(client.get(DATASETS + "/" + datasetId).status()).isEqualTo(404);
  }

  @Test
  void unknownIdsAre404() {
    String random = UUID.randomUUID().toString();
    assertThat(client.delete(RUNS + random).status()).isEqualTo(404);
    assertThat(client.delete(EXPERIMENTS + "/" + random).status()).isEqualTo(404);
    assertThat(client.delete(DATASETS + "/" + random).status()).isEqualTo(404);
    assertThat(client.delete("/api/dataset-registry/dataset-versions/not-a-uuid").status()).isEqualTo(404);
    assertThat(client.get("/api/deletions/" + random).error()).isEqualTo("not_found");
    assertThat(client.post(RUNS + random + ":archive", "").status()).isEqualTo(404);
  }
}
