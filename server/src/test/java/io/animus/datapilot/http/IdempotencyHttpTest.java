package io.animus.datapilot.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.animus.datapilot.testing.RawHttp;
import io.animus.datapilot.testing.TestClient;
import io.animus.datapilot.testing.ServerExtension;
import io.animus.datapilot.testing.TestServer;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@code Idempotency-Key} on creates (docs/protocol.md §1.8). */
class IdempotencyHttpTest {
  private static final String EXPERIMENTS = "/api/experiments/experiments";
  static TestServer server;
  static TestClient client;

  @RegisterExtension
  static final ServerExtension SERVER = ServerExtension.started(s -> {
    server = s;
    client = s.client();
  });

  @Test
  void sameKeyAndSameBodyReplaysTheFirstExperimentAnswerAndCreatesNothing() {
    String project = uniqueProject();
    String body = "{\"name\":\"replayed\",\"metadata\":{\"team\":\"ml\"}}";
    String key = "create-experiment-" + UUID.randomUUID();
    var first = client.post(EXPERIMENTS, body, headers(project, key));
    assertThat(first.status()).isEqualTo(201);
    assertThat(first.header("Idempotent-Replayed")).isNull();

    var second = client.post(EXPERIMENTS, body, headers(project, key));
    assertThat(second.status()).isEqualTo(201);
    assertThat(second.bytes()).isEqualTo(first.bytes());
    assertThat(second.header("Location")).isEqualTo(first.header("Location"))
        .isEqualTo(EXPERIMENTS + "/" + first.json().get("experiment_id").asText());
    assertThat(second.header("Idempotent-Replayed")).isEqualTo("true");
    assertThat(second.header("Content-Type")).startsWith("application/json");

    var third = client.post(EXPERIMENTS, body, headers(project, key));
    assertThat(third.bytes()).isEqualTo(first.bytes());
    assertThat(third.header("Idempotent-Replayed")).isEqualTo("true");

    JsonNode listed = list(project);
    assertThat(listed.get("experiments")).hasSize(1);
    assertThat(listed.at("/experiments/0/experiment_id").asText()).isEqualTo(first.json().get("experiment_id").asText());
  }

  @Test
  void sameKeyWithADifferentBodyAnswers409IdempotencyKeyReused() {
    String project = uniqueProject();
    String key = "reused-" + UUID.randomUUID();
    assertThat(client.post(EXPERIMENTS, "{\"name\":\"first\"}", headers(project, key)).status()).isEqualTo(201);

    for (String other : List.of("{\"name\":\"second\"}", "{\"name\":\"first\" }", "{\"name\": \"first\"}")) {
      var r = client.post(EXPERIMENTS, other, headers(project, key));
      assertThat(r.status()).as(other).isEqualTo(409);
      assertThat(r.error()).as(other).isEqualTo("idempotency_key_reused");
      assertThat(r.header("Idempotent-Replayed")).isNull();
    }
    assertThat(list(project).get("experiments")).hasSize(1);
  }

  @Test
  void malformedKeyAnswers400InvalidIdempotencyKeyAndCreatesNothing() {
    String project = uniqueProject();
    var tooLong = client.post(EXPERIMENTS, "{\"name\":\"long-key\"}", headers(project, "k".repeat(256)));
    assertThat(tooLong.status()).isEqualTo(400);
    assertThat(tooLong.error()).isEqualTo("invalid_idempotency_key");

    var empty = client.post(EXPERIMENTS, "{\"name\":\"empty-key\"}", headers(project, ""));
    assertThat(empty.status()).isEqualTo(400);
    assertThat(empty.error()).isEqualTo("invalid_idempotency_key");

    RawHttp raw = new RawHttp(server.baseUrl());
    byte[] body = "{\"name\":\"non-ascii-key\"}".getBytes(StandardCharsets.UTF_8);
    var nonAscii = raw.send("POST", EXPERIMENTS, List.of(new String[] {"Content-Type", "application/json"},
        new String[] {"X-Project-Id", project}, new String[] {"Idempotency-Key", "cl\u00e9-\u2603"}), body);
    assertThat(nonAscii.status()).isEqualTo(400);
    assertThat(nonAscii.error()).isEqualTo("invalid_idempotency_key");

    assertThat(list(project).get("experiments")).isEmpty();
  }

  @Test
  void keyOf255PrintableCharactersIsAccepted() {
    String project = uniqueProject();
    String key = ("!~ aZ09-_" + UUID.randomUUID()).repeat(10).substring(0, 255);
    var first = client.post(EXPERIMENTS, "{\"name\":\"longest-key\"}", headers(project, key));
    assertThat(first.status()).isEqualTo(201);
    var replay = client.post(EXPERIMENTS, "{\"name\":\"longest-key\"}", headers(project, key));
    assertThat(replay.status()).isEqualTo(201);
    assertThat(replay.header("Idempotent-Replayed")).isEqualTo("true");
    assertThat(replay.bytes()).isEqualTo(first.bytes());
  }

  @Test
  void aFailedFirstAttemptIsNotRemembered() {
    String project = uniqueProject();
    String key = "retry-after-fix-" + UUID.randomUUID();
    var invalid = client.post(EXPERIMENTS, "{\"name\":\"   \"}", headers(project, key));
    assertThat(invalid.status()).isEqualTo(400);
    assertThat(invalid.error()).isEqualTo("name_required");
    var sameAgain = client.post(EXPERIMENTS, "{\"name\":\"   \"}", headers(project, key));
    assertThat(sameAgain.status()).isEqualTo(400);
    assertThat(sameAgain.error()).isEqualTo("name_required");
    assertThat(sameAgain.header("Idempotent-Replayed")).isNull();

    var fixed = client.post(EXPERIMENTS, "{\"name\":\"fixed\"}", headers(project, key));
    assertThat(fixed.status()).isEqualTo(201);
    assertThat(fixed.header("Idempotent-Replayed")).isNull();
    assertThat(list(project).get("experiments")).hasSize(1);
  }

  @Test
  void aConflictIsNotRememberedAndANameConflictWithAnotherKeyIs409() {
    String project = uniqueProject();
    var original = client.post(EXPERIMENTS, "{\"name\":\"taken\"}", headers(project, "k-" + UUID.randomUUID()));
    assertThat(original.status()).isEqualTo(201);

    String key = "conflict-" + UUID.randomUUID();
    var conflict = client.post(EXPERIMENTS, "{\"name\":\"taken\"}", headers(project, key));
    assertThat(conflict.status()).isEqualTo(409);
    assertThat(conflict.error()).isEqualTo("experiment_name_exists");
    assertThat(conflict.json().at("/details/experiment_id").asText())
        .isEqualTo(original.json().get("experiment_id").asText());
    var again = client.post(EXPERIMENTS, "{\"name\":\"taken\"}", headers(project, key));
    assertThat(again.status()).isEqualTo(409);
    assertThat(again.error()).isEqualTo("experiment_name_exists");
    assertThat(again.header("Idempotent-Replayed")).isNull();
  }

  @Test
  void sameKeyAndSameBodyReplaysTheFirstRunAnswerAndCreatesNothing() {
    String project = uniqueProject();
    var experiment = client.post(EXPERIMENTS, "{\"name\":\"runs\"}", headers(project, null));
    String runs = EXPERIMENTS + "/" + experiment.json().get("experiment_id").asText() + "/runs";
    String body = "{\"params\":{\"lr\":0.01},\"status\":\"running\"}";
    String key = "create-run-" + UUID.randomUUID();

    var first = client.post(runs, body, headers(project, key));
    assertThat(first.status()).isEqualTo(201);
    assertThat(first.header("Idempotent-Replayed")).isNull();
    var second = client.post(runs, body, headers(project, key));
    assertThat(second.status()).isEqualTo(201);
    assertThat(second.bytes()).isEqualTo(first.bytes());
    assertThat(second.header("Location")).isEqualTo(first.header("Location"))
        .isEqualTo("/api/experiments/experiment-runs/" + first.json().get("run_id").asText());
    assertThat(second.header("Idempotent-Replayed")).isEqualTo("true");

    var reused = client.post(runs, "{\"params\":{\"lr\":0.02},\"status\":\"running\"}", headers(project, key));
    assertThat(reused.status()).isEqualTo(409);
    assertThat(reused.error()).isEqualTo("idempotency_key_reused");

    var listed = client.send("GET", runs, null, Map.of("X-Project-Id", project));
    assertThat(listed.json().get("runs")).hasSize(1);
    assertThat(listed.json().at("/runs/0/run_id").asText()).isEqualTo(first.json().get("run_id").asText());
  }

  @Test
  void aKeyIsScopedToItsPath() {
    String project = uniqueProject();
    String key = "shared-key-" + UUID.randomUUID();
    var experiment = client.post(EXPERIMENTS, "{\"name\":\"scoped\"}", headers(project, key));
    assertThat(experiment.status()).isEqualTo(201);
    String id = experiment.json().get("experiment_id").asText();

    var run = client.post(EXPERIMENTS + "/" + id + "/runs", "{\"status\":\"running\"}", headers(project, key));
    assertThat(run.status()).isEqualTo(201);
    assertThat(run.header("Idempotent-Replayed")).isNull();
    assertThat(run.json().has("run_id")).isTrue();

    var other = client.post(EXPERIMENTS, "{\"name\":\"scoped-2\"}", headers(project, key));
    assertThat(other.status()).isEqualTo(409);
    assertThat(other.error()).isEqualTo("idempotency_key_reused");
  }

  @Test
  void withoutAKeyEveryCreateCounts() {
    String project = uniqueProject();
    var experiment = client.post(EXPERIMENTS, "{\"name\":\"no-key\"}", headers(project, null));
    String runs = EXPERIMENTS + "/" + experiment.json().get("experiment_id").asText() + "/runs";
    assertThat(client.post(runs, "{\"status\":\"running\"}", headers(project, null)).status()).isEqualTo(201);
    assertThat(client.post(runs, "{\"status\":\"running\"}", headers(project, null)).status()).isEqualTo(201);
    assertThat(client.send("GET", runs, null, Map.of()).json().get("runs")).hasSize(2);
    var duplicate = client.post(EXPERIMENTS, "{\"name\":\"no-key\"}", headers(project, null));
    assertThat(duplicate.status()).isEqualTo(409);
    assertThat(duplicate.error()).isEqualTo("experiment_name_exists");
  }

  private static Map<String, String> headers(String project, String key) {
    Map<String, String> headers = new HashMap<>();
    headers.put("X-Project-Id", project);
    if (key != null) {
      headers.put("Idempotency-Key", key);
    }
    return headers;
  }

  private static JsonNode list(String project) {
    var r = client.send("GET", EXPERIMENTS, null, Map.of("X-Project-Id", project));
    assertThat(r.status()).isEqualTo(200);
    return r.json();
  }

  private static String uniqueProject() {
    return "idem-" + UUID.randomUUID().toString().substring(0, 8);
  }
}
