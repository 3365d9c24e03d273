package io.animus.datapilot.deletion;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.animus.datapilot.testing.ForkedServer;
import io.animus.datapilot.testing.Multipart;
import io.animus.datapilot.testing.TestClient;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SIGKILL while the sweeper removes a deleted run (docs/protocol.md §3.6): the sweeper pauses between
 * its steps (DATAPILOT_SWEEP_STEP_PAUSE_MS), the kill lands at a seeded random moment of the sweep, and
 * after a restart on the same data directory the deletion completes with nothing left behind.
 */
class DeletionCrashForkedTest {
  private static final long SEED = 20261202L;
  private static final int POINTS = 100_000;
  @TempDir
  Path dir;
  private ForkedServer server;

  @AfterEach
  void stop() {
    if (server != null) {
      server.close();
    }
  }

  private Map<String, String> env() {
    return Map.of("DATAPILOT_DATA_DIR", dir.resolve("data").toString(), "DATAPILOT_SWEEP_STEP_PAUSE_MS", "250");
  }

  private long artifactBlobs() throws IOException {
    Path root = dir.resolve("data").resolve("blobs").resolve("artifacts");
    if (!Files.isDirectory(root)) {
      return 0;
    }
    try (Stream<Path> files = Files.walk(root)) {
      return files.filter(Files::isRegularFile).count();
    }
  }

  @Test
  void aKilledSweepCompletesAfterTheRestartAndLeavesNothingHalfVisible() throws Exception {
    Random random = new Random(SEED);
    server = ForkedServer.start(dir, env());
    server.await("/readyz", Duration.ofSeconds(120));
    for (int cycle = 0; cycle < 2; cycle++) {
      TestClient client = server.client();
      String exp = client.post("/api/experiments/experiments", "{\"name\":\"crash-" + UUID.randomUUID() + "\"}")
          .json().get("experiment_id").asText();
      String run = client.post("/api/experiments/experiments/" + exp + "/runs", "{\"status\":\"succeeded\"}")
          .json().get("run_id").asText();
      String runPath = "/api/experiments/experiment-runs/" + run;
      byte[] bytes = new byte[4 * 1024 * 1024];
      random.nextBytes(bytes);
      Multipart form = Multipart.sdk().field("kind", "model").file("file", "model.bin", "application/octet-stream",
          bytes);
      assertThat(client.sendBytes("POST", runPath + "/artifacts", form.build(),
          Map.of("Content-Type", form.contentType())).status()).isEqualTo(201);
      for (int batch = 0; batch < POINTS / 10_000; batch++) {
        StringBuilder body = new StringBuilder("{\"points\":[");
        for (int i = 0; i < 10_000; i++) {
          body.append(i == 0 ? "" : ",").append("{\"step\":").append(batch * 10_000 + i)
              .append(",\"name\":\"loss\",\"value\":").append(random.nextDouble()).append('}');
        }
        assertThat(client.post(runPath + "/metrics:batch", body.append("]}").toString()).status()).isEqualTo(201);
      }
      assertThat(client.post(runPath + "/events", "{\"message\":\"epoch done\"}").status()).isEqualTo(201);
      long blobsBefore = artifactBlobs();

      TestClient.Response deleted = client.delete(runPath);
      assertThat(deleted.status()).isEqualTo(202);
      String deletionId = deleted.json().get("deletion_id").asText();
      // the sweep takes about six pauses of 250 ms: the kill lands somewhere inside it
      Thread.sleep(random.nextInt(1500));
      server.kill();
      server = ForkedServer.start(dir, env());
      server.await("/readyz", Duration.ofSeconds(120));
      client = server.client();

      JsonNode d = null;
      for (int i = 0; i < 1200; i++) {
        d = client.get("/api/deletions/" + deletionId).json();
        if ("done".equals(d.path("state").asText())) {
          break;
        }
        Thread.sleep(50);
      }
      assertThat(d.path("state").asText()).as("deletion after the restart, cycle %d", cycle).isEqualTo("done");
      assertThat(client.get(runPath).status()).isEqualTo(404);
      assertThat(client.get(runPath + "/artifacts").status()).isEqualTo(404);
      assertThat(client.get(runPath + "/events").status()).isEqualTo(404);
      assertThat(client.get(runPath + "/metrics").status()).isEqualTo(404);
      assertThat(artifactBlobs()).isEqualTo(blobsBefore - 1);
      assertThat(client.get("/api/experiments/experiments/" + exp).status()).isEqualTo(200);
    }
  }
}
