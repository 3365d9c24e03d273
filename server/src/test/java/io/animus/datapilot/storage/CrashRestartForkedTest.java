package io.animus.datapilot.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.animus.datapilot.config.ConfigException;
import io.animus.datapilot.testing.ForkedServer;
import io.animus.datapilot.testing.Multipart;
import io.animus.datapilot.testing.TestClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The server with its embedded PostgreSQL in a child JVM, killed for real: after a SIGKILL of the
 * server it starts again on the same data directory (the orphaned postmaster is stopped first), and
 * after a SIGKILL of the postmaster the running server starts it again.
 */
class CrashRestartForkedTest {
  private static final Duration HANG_GUARD = Duration.ofSeconds(60);
  @TempDir
  Path dir;

  private Map<String, String> env() {
    return Map.of("DATAPILOT_DATA_DIR", dir.resolve("data").toString());
  }

  private Path pgDir() {
    return dir.resolve("data").resolve("pg");
  }

  @AfterEach
  void noPostmasterOutlivesTheTest() {
    Postmaster.serving(pgDir()).ifPresent(p -> p.stop(Duration.ofSeconds(10), Duration.ofSeconds(5)));
  }

  @Test
  void afterASigkillOfTheServerItStartsAgainOnTheSameDataDirectoryWithEverythingAcknowledged() throws Exception {
    Written written;
    long orphanPid;
    try (ForkedServer first = ForkedServer.start(dir, env())) {
      first.await("/readyz", Duration.ofSeconds(120));
      written = write(first.client(), 0);
      orphanPid = Postmaster.serving(pgDir()).orElseThrow().pid();
      first.kill();
      // the defect's cause: pg_ctl detaches the postmaster, so it outlives its server
      assertThat(ProcessHandle.of(orphanPid).map(ProcessHandle::isAlive)).contains(true);
    }

    try (ForkedServer second = ForkedServer.start(dir, env())) {
      double seconds = second.await("/readyz", HANG_GUARD);
      System.out.printf("ready %.1f s after a restart over an orphaned postmaster%n", seconds);
      assertThat(ProcessHandle.of(orphanPid).map(ProcessHandle::isAlive).orElse(false)).isFalse();
      assertThat(second.log()).contains("found the embedded PostgreSQL of a previous server still running (pid "
          + orphanPid);
      written.verify(second.client());
      // and it keeps working: new writes are acknowledged
      write(second.client(), 1).verify(second.client());
    }
    assertThat(Postmaster.serving(pgDir())).as("an orderly shutdown stops the postmaster").isEmpty();
  }

  @Test
  void whenThePostmasterIsKilledTheServerRestartsItOnTheSamePortAndReadinessSaysSo() throws Exception {
    try (ForkedServer server = ForkedServer.start(dir, env())) {
      server.await("/readyz", Duration.ofSeconds(120));
      TestClient client = server.client();
      Written before = write(client, 0);
      Postmaster postmaster = Postmaster.serving(pgDir()).orElseThrow();
      assertThat(ProcessHandle.of(postmaster.pid()).orElseThrow().destroyForcibly()).isTrue();

      List<Integer> statuses = new ArrayList<>();
      String detail = null;
      long deadline = System.nanoTime() + HANG_GUARD.toNanos();
      while (System.nanoTime() < deadline) {
        TestClient.Response ready = client.get("/readyz");
        statuses.add(ready.status());
        JsonNode database = ready.json().get("checks").get(0);
        assertThat(database.get("name").asText()).isEqualTo("database");
        if (ready.status() == 200 && database.has("detail")) {
          detail = database.get("detail").asText();
          break;
        }
        if (ready.status() == 503 && database.has("error")) {
          assertThat(database.get("error").asText()).isNotBlank();
        }
        Thread.sleep(100);
      }
      assertThat(detail).as("readiness after the restart (statuses seen: %s); log: %s", statuses, server.log())
          .isNotNull().contains("embedded PostgreSQL restarted").contains("pid " + postmaster.pid());
      Postmaster restarted = Postmaster.serving(pgDir()).orElseThrow();
      assertThat(restarted.pid()).isNotEqualTo(postmaster.pid());
      assertThat(restarted.port()).isEqualTo(postmaster.port());
      before.verify(client);
      // the pool's URL is still valid: new writes go through (a first one may meet a dead pooled connection)
      Written after = retry(() -> write(client, 1));
      after.verify(client);
    }
  }

  @Test
  void aSecondServerOnALiveDataDirectoryIsRefusedAndNoOtherProcessIsEverTakenForAnOrphan() throws Exception {
    try (ForkedServer server = ForkedServer.start(dir, env())) {
      server.await("/readyz", Duration.ofSeconds(120));
      Postmaster live = Postmaster.serving(pgDir()).orElseThrow();

      assertThatThrownBy(() -> EmbeddedPostgresServer.start(pgDir(), 0)).isInstanceOf(ConfigException.class)
          .hasMessageContaining("belongs to another running DataPilot server");
      assertThat(live.isAlive()).isTrue();
      assertThat(server.client().get("/readyz").status()).isEqualTo(200);

      // a postmaster.pid naming a live postgres of another data directory, or a live process that is not
      // postgres working in this one, names no postmaster of ours
      Path other = dir.resolve("other");
      Files.createDirectories(other);
      Files.writeString(other.resolve("postmaster.pid"), live.pid() + "\n" + other + "\n0\n" + live.port() + "\n");
      assertThat(Postmaster.serving(other)).isEmpty();
      Process sleeper = new ProcessBuilder("sleep", "30").directory(other.toFile()).start();
      try {
        Files.writeString(other.resolve("postmaster.pid"), sleeper.pid() + "\n" + other + "\n0\n5432\n");
        assertThat(Postmaster.serving(other)).isEmpty();
      } finally {
        sleeper.destroyForcibly();
        sleeper.waitFor();
      }
    }
  }

  private static Written retry(java.util.concurrent.Callable<Written> call) throws Exception {
    AssertionError last = null;
    for (int i = 0; i < 20; i++) {
      try {
        return call.call();
      } catch (AssertionError e) {
        last = e;
        Thread.sleep(500);
      }
    }
    throw last;
  }

  /** An experiment, a run, single-step and batch metrics, events and an artifact; all acknowledged. */
  static Written write(TestClient client, int round) {
    var experiment = client.post("/api/experiments/experiments",
        "{\"description\":\"\",\"metadata\":{},\"name\":\"crash-" + round + "\"}");
    assertThat(experiment.status()).as(experiment.text()).isEqualTo(201);
    String experimentId = experiment.json().get("experiment_id").asText();
    var run = client.post("/api/experiments/experiments/" + experimentId + "/runs",
        "{\"metrics\":{},\"params\":{\"round\":" + round + "},\"status\":\"running\"}");
    assertThat(run.status()).as(run.text()).isEqualTo(201);
    String runId = run.json().get("run_id").asText();
    String runPath = "/api/experiments/experiment-runs/" + runId;
    for (int step = 0; step < 10; step++) {
      var r = client.post(runPath + "/metrics", "{\"step\":" + step + ",\"metrics\":{\"loss\":" + (step * 0.5 + 0.125)
          + "}}");
      assertThat(r.status()).as(r.text()).isEqualTo(201);
    }
    StringBuilder points = new StringBuilder("{\"points\":[");
    for (int step = 0; step < 100; step++) {
      points.append(step == 0 ? "" : ",").append("{\"step\":").append(step).append(",\"name\":\"acc\",\"value\":")
          .append(step / 128.0).append('}');
    }
    var batch = client.post(runPath + "/metrics:batch", points.append("]}").toString());
    assertThat(batch.status()).as(batch.text()).isEqualTo(201);
    for (int i = 0; i < 5; i++) {
      var e = client.post(runPath + "/events", "{\"level\":\"info\",\"message\":\"event " + i + "\"}");
      assertThat(e.status()).as(e.text()).isEqualTo(201);
    }
    byte[] content = ("model bytes of round " + round).repeat(1000).getBytes(StandardCharsets.UTF_8);
    Multipart form = Multipart.sdk().field("kind", "model").file("file", "model.bin", "application/octet-stream",
        content);
    var upload = client.sendBytes("POST", runPath + "/artifacts", form.build(),
        Map.of("Content-Type", form.contentType()));
    assertThat(upload.status()).as(upload.text()).isEqualTo(201);
    return new Written(experimentId, runPath, upload.json().get("artifact").get("artifact_id").asText(), content);
  }

  record Written(String experimentId, String runPath, String artifactId, byte[] content) {
    void verify(TestClient client) {
      assertThat(client.get("/api/experiments/experiments/" + experimentId).status()).isEqualTo(200);
      JsonNode loss = client.get(runPath + "/metrics?name=loss&limit=100").json().get("samples");
      assertThat(loss).hasSize(10);
      for (int step = 0; step < 10; step++) {
        assertThat(loss.get(step).get("step").asInt()).isEqualTo(step);
        assertThat(loss.get(step).get("value").asDouble()).isEqualTo(step * 0.5 + 0.125);
      }
      JsonNode acc = client.get(runPath + "/metrics?name=acc&limit=1000").json().get("samples");
      assertThat(acc).hasSize(100);
      for (int step = 0; step < 100; step++) {
        assertThat(acc.get(step).get("value").asDouble()).isEqualTo(step / 128.0);
      }
      JsonNode events = client.get(runPath + "/events?limit=100").json().get("events");
      List<String> messages = new ArrayList<>();
      events.forEach(e -> messages.add(e.get("message").asText()));
      assertThat(messages).containsExactlyInAnyOrder("event 0", "event 1", "event 2", "event 3", "event 4");
      var download = client.get(runPath + "/artifacts/" + artifactId + "/download");
      assertThat(download.status()).isEqualTo(200);
      assertThat(download.bytes()).isEqualTo(content);
    }
  }
}
