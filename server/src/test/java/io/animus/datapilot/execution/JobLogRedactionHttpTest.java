package io.animus.datapilot.execution;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.animus.datapilot.ci.CiSignature;
import io.animus.datapilot.kernel.Json;
import io.animus.datapilot.testing.TestClient;
import io.animus.datapilot.testing.TestServer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A job that prints its credentials: the stored {@code job-log} artifact a viewer can download holds none
 * of them, and no string in it works as a bearer token or as the CI secret.
 */
@Timeout(120)
class JobLogRedactionHttpTest {
  private static final String ADMIN = "admin-token-for-the-log-redaction-test";
  private static final String CI_SECRET = "ci-secret-for-the-log-redaction-test-42";
  private static final Pattern TOKEN_LIKE = Pattern.compile("[A-Za-z0-9_.\\-]{16,}");

  @Test
  void theStoredLogHoldsNoCredentialAViewerCouldUse() throws Exception {
    try (TestServer server = TestServer.start(Map.of("DATAPILOT_EXECUTOR", "local",
        "DATAPILOT_EXECUTOR_SYNC_INTERVAL", "1s", "DATAPILOT_AUTH_MODE", "token", "DATAPILOT_ADMIN_TOKEN", ADMIN,
        "ANIMUS_CI_WEBHOOK_SECRET", CI_SECRET))) {
      TestClient admin = server.client().withToken(ADMIN);
      String editorToken = newToken(admin, "editor");
      TestClient editor = server.client().withToken(editorToken);
      TestClient viewer = server.client().withToken(newToken(admin, "viewer"));

      // The job knows its run token; the test hands it an API token and the CI secret under neutral names,
      // so that only the value rules (not the variable names) can catch them in `env`.
      String script = String.join("\n",
          "printf %s \"$TOKEN\" > run-token.txt",
          "echo \"TOKEN=$TOKEN\"",
          "echo \"Authorization: Bearer $TOKEN\"",
          "echo \"api token in a sentence: $LEAK_A.\"",
          "echo \"ci: $LEAK_B end\"",
          "env | sort",
          "echo done");
      String body = "{\"command\":[\"sh\",\"-c\"," + Json.writeString(script) + "],\"dataset_version_id\":\""
          + ExecutionHttpTest.newVersion(editor) + "\",\"experiment_id\":\""
          + ExecutionHttpTest.newExperiment(editor)
          + "\",\"git_commit\":\"abc\",\"image_ref\":\"local/x\",\"params\":{},\"resources\":{},"
          + "\"env\":{\"LEAK_A\":" + Json.writeString(editorToken) + ",\"LEAK_B\":" + Json.writeString(CI_SECRET)
          + "}}";
      var executed = editor.post(ExecutionHttpTest.EXECUTE, body);
      assertThat(executed.status()).as(executed.text()).isEqualTo(201);
      String runId = executed.json().get("run_id").asText();
      String runs = ExecutionHttpTest.RUNS + runId;
      while (!Set.of("succeeded", "failed").contains(editor.get(runs).json().get("status").asText())) {
        Thread.sleep(200);
      }
      JsonNode artifacts = viewer.get(runs + "/artifacts?kind=log").json().get("artifacts");
      while (artifacts.isEmpty()) {
        Thread.sleep(200);
        artifacts = viewer.get(runs + "/artifacts?kind=log").json().get("artifacts");
      }
      String runToken = Files.readString(server.app().config().dataDir().resolve("runs").resolve(runId)
          .resolve("work").resolve("run-token.txt"));
      assertThat(runToken).startsWith("animus_run_v1.");

      JsonNode log = artifacts.get(0);
      var download = viewer.get(runs + "/artifacts/" + log.get("artifact_id").asText() + "/download");
      assertThat(download.status()).isEqualTo(200);
      byte[] bytes = download.bytes();
      String text = new String(bytes, StandardCharsets.UTF_8);
      assertThat(log.get("size_bytes").asLong()).isEqualTo(bytes.length);
      assertThat(log.get("sha256").asText())
          .isEqualTo(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes)));
      assertThat(text).doesNotContain(runToken).doesNotContain(runToken.substring(14))
          .doesNotContain(editorToken).doesNotContain(editorToken.substring(3)).doesNotContain(CI_SECRET)
          .contains("TOKEN=[REDACTED]\n", "Authorization: Bearer [REDACTED]\n",
              "api token in a sentence: [REDACTED].\n", "ci: [REDACTED] end\n", "LEAK_A=[REDACTED]\n",
              "LEAK_B=[REDACTED]\n", "RUN_ID=" + runId + "\n", "done\n");

      // Sanity: the route takes the real credentials, so a 401 below means the string is useless.
      assertThat(metric(server.client().withToken(runToken), runs).status()).isEqualTo(201);
      assertThat(metric(editor, runs).status()).isEqualTo(201);
      assertThat(ciReport(server.client(), CI_SECRET).status()).isEqualTo(201);
      List<String> candidates = candidates(text);
      assertThat(candidates).contains(runId);
      for (String candidate : candidates) {
        var write = metric(server.client().withToken(candidate), runs);
        assertThat(write.status()).as("bearer %s", candidate).isEqualTo(401);
        var ci = ciReport(server.client(), candidate);
        assertThat(ci.status()).as("CI secret %s", candidate).isEqualTo(401);
      }

      List<String> events = new ArrayList<>();
      viewer.get(runs + "/events?limit=1000").json().get("events").forEach(e -> events.add(e.get("message").asText()));
      assertThat(events).contains("TOKEN=[REDACTED]", "ci: [REDACTED] end", "done")
          .noneMatch(m -> m.contains(runToken) || m.contains(editorToken) || m.contains(CI_SECRET));
    }
  }

  private static String newToken(TestClient admin, String role) {
    var r = admin.post("/api/auth/tokens", "{\"name\":\"" + role + "-" + System.nanoTime() + "\",\"role\":\""
        + role + "\"}");
    assertThat(r.status()).as(r.text()).isEqualTo(201);
    return r.json().get("token").asText();
  }

  private static TestClient.Response metric(TestClient c, String runs) {
    return c.post(runs + "/metrics", "{\"metrics\":{\"loss\":1.0},\"step\":" + System.nanoTime() + "}");
  }

  private static TestClient.Response ciReport(TestClient c, String secret) {
    byte[] bytes = ("{\"commit_sha\":\"abc\",\"image_digest\":\"sha256:" + "a".repeat(64)
        + "\",\"pipeline_id\":\"p\",\"provider\":\"github_actions\",\"repo\":\"ghcr.io/acme/x\"}")
        .getBytes(StandardCharsets.UTF_8);
    String ts = String.valueOf(System.currentTimeMillis() / 1000);
    return c.sendBytes("POST", "/api/experiments/ci/report", bytes, Map.of("Content-Type", "application/json",
        "X-Animus-CI-Ts", ts, "X-Animus-CI-Sig", CiSignature.sign(secret, ts, "POST", bytes)));
  }

  /** Every run of token characters long enough to be a credential, and every long value of a NAME=value line. */
  private static List<String> candidates(String text) {
    Set<String> out = new LinkedHashSet<>();
    Matcher m = TOKEN_LIKE.matcher(text);
    while (m.find()) {
      out.add(m.group());
    }
    for (String line : text.split("\n")) {
      int eq = line.indexOf('=');
      if (eq > 0 && line.length() - eq > 16) {
        out.add(line.substring(eq + 1)); // a whole env value, whatever its characters
      }
    }
    return List.copyOf(out);
  }
}
