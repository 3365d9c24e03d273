package io.animus.datapilot.experiments;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.animus.datapilot.auth.RunTokens;
import io.animus.datapilot.testing.ServerExtension;
import io.animus.datapilot.testing.TestClient;
import io.animus.datapilot.testing.TestServer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** docs/protocol.md §3.4: run names, tags, notes, PATCH, params added later, summary metrics; and list orders. */
class RunCurationHttpTest {
  private static final String EXPERIMENTS = "/api/experiments/experiments";
  private static final String RUNS = "/api/experiments/experiment-runs";
  static TestServer server;
  static TestClient client;

  @RegisterExtension
  static final ServerExtension SERVER = ServerExtension.started(s -> {
    server = s;
    client = s.client();
  });

  private static String experiment() {
    var r = client.post(EXPERIMENTS, "{\"name\":\"curation-" + UUID.randomUUID() + "\"}");
    assertThat(r.status()).as(r.text()).isEqualTo(201);
    return r.json().get("experiment_id").asText();
  }

  private static JsonNode create(String experimentId, String body) {
    var r = client.post(EXPERIMENTS + "/" + experimentId + "/runs", body);
    assertThat(r.status()).as(r.text()).isEqualTo(201);
    return r.json();
  }

  private static TestClient.Response patch(String runId, String body) {
    return client.send("PATCH", RUNS + "/" + runId, body, Map.of("Content-Type", "application/json"));
  }

  private static void assertError(TestClient.Response r, int status, String code) {
    assertThat(r.status()).as(r.text()).isEqualTo(status);
    assertThat(r.error()).as(r.text()).isEqualTo(code);
  }

  @Test
  void aRunHasTheNameTagsAndNotesItWasCreatedWith() {
    String exp = experiment();
    JsonNode run = create(exp, """
        {"status":"running","name":"  resnet-50 baseline ","tags":{"team":"vision","stage":"dev"},\
        "notes":"# Baseline\\nfirst try","params":{},"metrics":{"accuracy":0.91}}""");
    assertThat(run.get("name").asText()).isEqualTo("resnet-50 baseline");
    assertThat(run.get("tags").toString()).isEqualTo("{\"team\":\"vision\",\"stage\":\"dev\"}");
    assertThat(run.get("notes").asText()).isEqualTo("# Baseline\nfirst try");
    JsonNode fetched = client.get(RUNS + "/" + run.get("run_id").asText()).json();
    assertThat(fetched.get("name").asText()).isEqualTo("resnet-50 baseline");
    assertThat(fetched.get("tags")).isEqualTo(run.get("tags"));
    assertThat(fetched.get("notes").asText()).isEqualTo("# Baseline\nfirst try");
  }

  @Test
  void aNameIsUniqueWithinItsExperimentAndDrawnWhenNotGiven() {
    String exp = experiment();
    String first = create(exp, "{\"status\":\"running\",\"name\":\"alpha\"}").get("run_id").asText();
    var taken = client.post(EXPERIMENTS + "/" + exp + "/runs", "{\"status\":\"running\",\"name\":\"alpha\"}");
    assertError(taken, 409, "run_name_exists");
    assertThat(taken.json().path("details").path("run_id").asText()).isEqualTo(first);
    // the same name in another experiment is fine
    create(experiment(), "{\"status\":\"running\",\"name\":\"alpha\"}");
    Set<String> drawn = new HashSet<>();
    for (int i = 0; i < 30; i++) {
      String name = create(exp, "{\"status\":\"running\"}").get("name").asText();
      assertThat(name).matches("[a-z]+-[a-z]+-[0-9]{1,3}");
      drawn.add(name);
    }
    assertThat(drawn).hasSize(30);
  }

  @Test
  void badNamesTagsAndNotesAre400AndStoreNothing() {
    String exp = experiment();
    String runs = EXPERIMENTS + "/" + exp + "/runs";
    assertError(client.post(runs, "{\"status\":\"running\",\"name\":\"  \"}"), 400, "invalid_run_name");
    assertError(client.post(runs, "{\"status\":\"running\",\"name\":\"" + "x".repeat(256) + "\"}"), 400,
        "invalid_run_name");
    assertError(client.post(runs, "{\"status\":\"running\",\"name\":\"a\\tb\"}"), 400, "invalid_run_name");
    assertError(client.post(runs, "{\"status\":\"running\",\"name\":7}"), 400, "invalid_json");
    assertError(client.post(runs, "{\"status\":\"running\",\"tags\":[\"a\"]}"), 400, "invalid_tags");
    assertError(client.post(runs, "{\"status\":\"running\",\"tags\":{\"a\":1}}"), 400, "invalid_tags");
    assertError(client.post(runs, "{\"status\":\"running\",\"tags\":{\"a\":null}}"), 400, "invalid_tags");
    assertError(client.post(runs, "{\"status\":\"running\",\"tags\":{\"\":\"v\"}}"), 400, "invalid_tags");
    assertError(client.post(runs, "{\"status\":\"running\",\"tags\":{\"a\":\"" + "v".repeat(5001) + "\"}}"), 400,
        "invalid_tags");
    StringBuilder many = new StringBuilder("{");
    for (int i = 0; i < 101; i++) {
      many.append(i == 0 ? "" : ",").append("\"t").append(i).append("\":\"v\"");
    }
    assertError(client.post(runs, "{\"status\":\"running\",\"tags\":" + many + "}}"), 400, "invalid_tags");
    assertError(client.post(runs, "{\"status\":\"running\",\"notes\":\"" + "n".repeat(65_537) + "\"}"), 400,
        "invalid_notes");
    assertThat(client.get(runs).json().get("runs")).isEmpty();
  }

  @Test
  void patchRenamesEditsNotesAndMergesTagsAndSummaryMetrics() {
    String exp = experiment();
    String other = create(exp, "{\"status\":\"running\",\"name\":\"taken\"}").get("run_id").asText();
    String runId = create(exp, """
        {"status":"running","name":"draft","tags":{"keep":"1","drop":"2"},"notes":"old",\
        "metrics":{"accuracy":0.5,"loss":2}}""").get("run_id").asText();
    var r = patch(runId, """
        {"name":"final","notes":"new *notes*","tags":{"drop":null,"added":"yes"},"metrics":{"loss":null,"f1":0.7}}""");
    assertThat(r.status()).as(r.text()).isEqualTo(200);
    JsonNode run = r.json();
    assertThat(run.get("name").asText()).isEqualTo("final");
    assertThat(run.get("notes").asText()).isEqualTo("new *notes*");
    assertThat(run.get("tags").toString()).isEqualTo("{\"keep\":\"1\",\"added\":\"yes\"}");
    assertThat(run.get("metrics").toString()).isEqualTo("{\"accuracy\":0.5,\"f1\":0.7}");
    assertThat(client.get(RUNS + "/" + runId).json().get("tags")).isEqualTo(run.get("tags"));
    // clearing the notes leaves them out of the answer; renaming to itself is fine
    JsonNode cleared = patch(runId, "{\"notes\":\"\",\"name\":\"final\"}").json();
    assertThat(cleared.has("notes")).isFalse();
    var clash = patch(runId, "{\"name\":\"taken\"}");
    assertError(clash, 409, "run_name_exists");
    assertThat(clash.json().path("details").path("run_id").asText()).isEqualTo(other);
    assertError(patch(runId, "{}"), 400, "invalid_json");
    assertError(patch(runId, "{\"status\":\"failed\"}"), 400, "invalid_json");
    assertError(patch(runId, "{\"metrics\":{\"f1\":\"high\"}}"), 400, "invalid_metrics");
    assertError(patch(runId, "{\"tags\":{\"x\":5}}"), 400, "invalid_tags");
    assertError(patch(UUID.randomUUID().toString(), "{\"name\":\"x\"}"), 404, "not_found");
    assertError(patch("not-a-uuid", "{\"name\":\"x\"}"), 404, "not_found");
    JsonNode unchanged = client.get(RUNS + "/" + runId).json();
    assertThat(unchanged.get("name").asText()).isEqualTo("final");
    assertThat(unchanged.get("metrics").toString()).isEqualTo("{\"accuracy\":0.5,\"f1\":0.7}");
  }

  @Test
  void paramsMayBeAddedButNeverChanged() {
    String exp = experiment();
    String runId = create(exp, "{\"status\":\"running\",\"params\":{\"lr\":0.01,\"opt\":\"adam\"}}")
        .get("run_id").asText();
    String params = RUNS + "/" + runId + "/params";
    var added = client.post(params, "{\"params\":{\"batch\":64,\"lr\":0.010}}");
    assertThat(added.status()).as(added.text()).isEqualTo(200);
    assertThat(added.json().get("params").toString()).isEqualTo("{\"lr\":0.01,\"opt\":\"adam\",\"batch\":64}");
    var changed = client.post(params, "{\"params\":{\"epochs\":3,\"opt\":\"sgd\"}}");
    assertError(changed, 409, "param_already_set");
    assertThat(changed.json().path("details").path("key").asText()).isEqualTo("opt");
    assertThat(changed.json().path("details").path("value").asText()).isEqualTo("adam");
    // nothing of the refused request was stored, not even the new key
    assertThat(client.get(RUNS + "/" + runId).json().get("params").has("epochs")).isFalse();
    assertError(client.post(params, "{\"params\":{}}"), 400, "invalid_params");
    assertError(client.post(params, "{\"params\":[1]}"), 400, "invalid_params");
    assertError(client.post(params, "{}"), 400, "invalid_params");
  }

  @Test
  void aRunTokenCuratesItsOwnRunOnly() {
    String exp = experiment();
    String runId = create(exp, "{\"status\":\"running\"}").get("run_id").asText();
    String otherId = create(exp, "{\"status\":\"running\"}").get("run_id").asText();
    long now = Instant.now().getEpochSecond();
    TestClient job = client.withToken(server.app().runTokens().issue(new RunTokens.Claims(runId, null, now,
        now + 3600)));
    var own = job.send("PATCH", RUNS + "/" + runId, "{\"tags\":{\"epoch\":\"3\"}}",
        Map.of("Content-Type", "application/json"));
    assertThat(own.status()).as(own.text()).isEqualTo(200);
    assertThat(job.post(RUNS + "/" + runId + "/params", "{\"params\":{\"seed\":1}}").status()).isEqualTo(200);
    var foreign = job.send("PATCH", RUNS + "/" + otherId, "{\"tags\":{\"epoch\":\"3\"}}",
        Map.of("Content-Type", "application/json"));
    assertThat(foreign.status()).as(foreign.text()).isEqualTo(403);
    assertThat(job.post(RUNS + "/" + otherId + "/params", "{\"params\":{\"seed\":1}}").status()).isEqualTo(403);
    assertThat(client.get(RUNS + "/" + otherId).json().get("tags").toString()).isEqualTo("{}");
  }

  @Test
  void summaryMetricsWinOverTelemetryWhenSortingAndBothAreShown() {
    String exp = experiment();
    // a: summary 0.9 and telemetry 0.1; b: telemetry only 0.5; c: summary only 0.7; d: neither
    String a = create(exp, "{\"status\":\"running\",\"name\":\"a\",\"metrics\":{\"acc\":0.9}}").get("run_id").asText();
    String b = create(exp, "{\"status\":\"running\",\"name\":\"b\"}").get("run_id").asText();
    String c = create(exp, "{\"status\":\"running\",\"name\":\"c\",\"metrics\":{\"acc\":0.7}}").get("run_id").asText();
    String d = create(exp, "{\"status\":\"running\",\"name\":\"d\"}").get("run_id").asText();
    for (String[] point : List.of(new String[] {a, "0.1"}, new String[] {b, "0.5"})) {
      var m = client.post(RUNS + "/" + point[0] + "/metrics", "{\"step\":1,\"metrics\":{\"acc\":" + point[1] + "}}");
      assertThat(m.status()).as(m.text()).isEqualTo(201);
    }
    String list = EXPERIMENTS + "/" + exp + "/runs?include=latest_metrics&order_by=";
    assertThat(names(client.get(list + "metrics.acc").json())).containsExactly("a", "c", "b", "d");
    assertThat(names(client.get(list + "metric:acc&order=asc").json())).containsExactly("b", "c", "a", "d");
    JsonNode first = client.get(list + "metrics.acc").json().get("runs").get(0);
    assertThat(first.get("metrics").get("acc").asDouble()).isEqualTo(0.9);
    assertThat(first.get("latest_metrics").get("acc").asDouble()).isEqualTo(0.1);
    // other keys: names, tags, and paging keeps each order
    assertThat(names(client.get(list + "name&order=asc").json())).containsExactly("a", "b", "c", "d");
    List<String> paged = new ArrayList<>();
    String token = null;
    do {
      JsonNode page = client.get(list + "metrics.acc&limit=1" + (token == null ? "" : "&page_token=" + token)).json();
      paged.addAll(names(page));
      token = page.path("next_page_token").asText(null);
    } while (token != null);
    assertThat(paged).containsExactly("a", "c", "b", "d");
    assertError(client.get(list + "metrics."), 400, "invalid_order_by");
    assertError(client.get(list + "bogus"), 400, "invalid_order_by");
  }

  @Test
  void sortingByTagsDurationAndEndTime() {
    String exp = experiment();
    create(exp, """
        {"status":"succeeded","name":"long","tags":{"t":"b"},"started_at":"2026-01-01T00:00:00Z",\
        "ended_at":"2026-01-01T02:00:00Z"}""");
    create(exp, """
        {"status":"succeeded","name":"short","tags":{"t":"a"},"started_at":"2026-01-01T01:00:00Z",\
        "ended_at":"2026-01-01T01:10:00Z"}""");
    create(exp, "{\"status\":\"running\",\"name\":\"open\",\"started_at\":\"2026-01-01T03:00:00Z\"}");
    String list = EXPERIMENTS + "/" + exp + "/runs?order_by=";
    assertThat(names(client.get(list + "tags.t&order=asc").json())).containsExactly("short", "long", "open");
    assertThat(names(client.get(list + "duration").json())).containsExactly("long", "short", "open");
    assertThat(names(client.get(list + "attributes.ended_at&order=asc").json()))
        .containsExactly("short", "long", "open");
  }

  @Test
  void anUnknownQueryParameterIsRefusedByName() {
    String exp = experiment();
    var r = client.get(EXPERIMENTS + "/" + exp + "/runs?filtr=name");
    assertError(r, 400, "unknown_parameter");
    assertThat(r.json().path("details").path("parameter").asText()).isEqualTo("filtr");
    assertError(client.get(RUNS + "?experiment=x"), 400, "unknown_parameter");
    assertThat(client.get(EXPERIMENTS + "/" + exp + "/runs?project_id=default&limit=5").status()).isEqualTo(200);
  }

  @Test
  void searchAcrossExperimentsByPost() {
    String one = experiment();
    String two = experiment();
    String three = experiment();
    create(one, "{\"status\":\"running\",\"name\":\"in-one\"}");
    create(two, "{\"status\":\"running\",\"name\":\"in-two\"}");
    create(three, "{\"status\":\"running\",\"name\":\"in-three\"}");
    var r = client.post(RUNS + ":search", "{\"experiment_ids\":[\"" + one + "\",\"" + two + "\"],"
        + "\"order_by\":\"name\",\"order\":\"asc\",\"limit\":10}");
    assertThat(r.status()).as(r.text()).isEqualTo(200);
    assertThat(names(r.json())).containsExactly("in-one", "in-two");
    assertError(client.post(RUNS + ":search", "{\"experiment_ids\":[\"" + UUID.randomUUID() + "\"]}"), 404,
        "not_found");
    assertError(client.post(RUNS + ":search", "{\"experiment_ids\":\"x\"}"), 400, "invalid_json");
    assertError(client.post(RUNS + ":search", "{\"nope\":1}"), 400, "invalid_json");
    assertThat(client.post(RUNS + ":search", "").status()).isEqualTo(200);
  }

  private static List<String> names(JsonNode page) {
    List<String> names = new ArrayList<>();
    page.get("runs").forEach(run -> names.add(run.get("name").asText()));
    return names;
  }
}
