package io.animus.datapilot.execution;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.animus.datapilot.kernel.Json;
import io.animus.datapilot.testing.TestClient;
import io.animus.datapilot.testing.TestServer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The local executor at its limits: a log over 100 MiB (§8.6) and a job that was never started (§8.5). */
@Timeout(180)
class LocalJobLimitsHttpTest {
  static final Map<String, String> LOCAL = Map.of("DATAPILOT_EXECUTOR", "local",
      "DATAPILOT_EXECUTOR_SYNC_INTERVAL", "1s");

  private static String execute(TestClient c, String script) {
    String body = "{\"command\":[\"sh\",\"-c\"," + Json.writeString(script) + "],\"dataset_version_id\":\""
        + ExecutionHttpTest.newVersion(c) + "\",\"experiment_id\":\"" + ExecutionHttpTest.newExperiment(c)
        + "\",\"git_commit\":\"abc\",\"image_ref\":\"local/x\",\"params\":{},\"resources\":{}}";
    var r = c.post(ExecutionHttpTest.EXECUTE, body);
    assertThat(r.status()).as(r.text()).isEqualTo(201);
    return r.json().get("run_id").asText();
  }

  private static JsonNode waitTerminal(TestClient c, String runId) throws InterruptedException {
    while (true) {
      JsonNode run = c.get(ExecutionHttpTest.RUNS + runId).json();
      if (Set.of("succeeded", "failed", "canceled").contains(run.get("status").asText())) {
        return run;
      }
      Thread.sleep(200);
    }
  }

  private static JsonNode lastState(TestClient c, String runId) {
    JsonNode states = c.get(ExecutionHttpTest.RUNS + runId + "/states").json().get("states");
    return states.get(states.size() - 1);
  }

  @Test
  void aLogOverOneHundredMebibytesKeepsOnlyItsLastOneHundredMebibytes() throws Exception {
    long limit = JobLogs.MAX_BYTES;
    assertThat(limit).isEqualTo(100L << 20);
    // 21 bytes of first line, then `limit` bytes of x, then "\nthe-end\n": 30 bytes over the limit
    String script = "echo first-line-to-be-cut; head -c " + limit + " /dev/zero | tr '\\000' x; echo; echo the-end";
    TestServer server = TestServer.start(LOCAL);
    Path dataDir = server.app().config().dataDir();
    try {
      TestClient c = server.client();
      String runId = execute(c, script);
      assertThat(waitTerminal(c, runId).get("status").asText()).isEqualTo("succeeded");
      JsonNode artifacts = c.get(ExecutionHttpTest.RUNS + runId + "/artifacts?kind=log").json().get("artifacts");
      while (artifacts.isEmpty()) {
        Thread.sleep(200);
        artifacts = c.get(ExecutionHttpTest.RUNS + runId + "/artifacts?kind=log").json().get("artifacts");
      }
      JsonNode log = artifacts.get(0);
      assertThat(log.get("size_bytes").asLong()).isEqualTo(limit);
      assertThat(log.get("metadata").get("truncated").asBoolean()).isTrue();

      // the kept bytes are the last `limit` bytes: 9 x's and the first line cut away
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      byte[] xs = new byte[1 << 20];
      java.util.Arrays.fill(xs, (byte) 'x');
      long remaining = limit - 9;
      while (remaining > 0) {
        int n = (int) Math.min(xs.length, remaining);
        sha.update(xs, 0, n);
        remaining -= n;
      }
      sha.update("\nthe-end\n".getBytes(StandardCharsets.US_ASCII));
      assertThat(log.get("sha256").asText()).isEqualTo(HexFormat.of().formatHex(sha.digest()));

      List<String> lines = new ArrayList<>();
      c.get(ExecutionHttpTest.RUNS + runId + "/events?limit=1000").json().get("events").forEach(e -> {
        if ("job_log".equals(e.path("metadata").path("source").asText())) {
          lines.add(e.get("message").asText());
        }
      });
      assertThat(lines).containsExactly("the-end");
    } finally {
      server.close();
      deleteTree(dataDir); // 200 MiB of log and blob
    }
  }

  private static void deleteTree(Path root) throws IOException {
    try (Stream<Path> paths = Files.walk(root)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }

  /**
   * A server stopped after recording a run but before starting its process leaves an execution
   * that was never submitted; the next server fails it with {@code start_timeout} once the
   * timeout has passed since the execution was created.
   */
  @Test
  void aJobNeverStartedFailsWithStartTimeout() throws Exception {
    TestServer first = TestServer.start(LOCAL);
    String runId;
    Instant createdAt;
    try {
      TestClient c = first.client();
      runId = execute(c, "sleep 300 & wait");
      createdAt = Instant.parse(c.get(ExecutionHttpTest.RUNS + runId + "/execution").json()
          .get("created_at").asText());
    } finally {
      first.close();
    }
    try (Connection db = DriverManager.getConnection(first.databaseUrl(), "postgres", "");
         PreparedStatement unsubmit = db.prepareStatement("""
             UPDATE executions SET submitted_at = NULL, process_id = NULL, instance_id = NULL
             WHERE run_id = ?""")) {
      unsubmit.setObject(1, UUID.fromString(runId));
      assertThat(unsubmit.executeUpdate()).isEqualTo(1);
    }
    Map<String, String> settings = new java.util.HashMap<>(LOCAL);
    settings.put("DATAPILOT_JOB_START_TIMEOUT", "5s");
    try (TestServer second = TestServer.startSharing(first, settings)) {
      TestClient c = second.client();
      assertThat(waitTerminal(c, runId).get("status").asText()).isEqualTo("failed");
      JsonNode failed = lastState(c, runId);
      assertThat(failed.get("status").asText()).isEqualTo("failed");
      assertThat(failed.get("details").get("reason").asText()).isEqualTo("start_timeout");
      assertThat(failed.get("details").has("exit_code")).isFalse();
      assertThat(Instant.parse(failed.get("observed_at").asText()))
          .isAfterOrEqualTo(createdAt.plus(Duration.ofSeconds(5)));
      assertThat(c.get(ExecutionHttpTest.RUNS + runId + "/events?limit=1000").json().get("events"))
          .anySatisfy(e -> assertThat(e.get("message").asText()).isEqualTo("run failed (start_timeout)"));
    }
  }
}
