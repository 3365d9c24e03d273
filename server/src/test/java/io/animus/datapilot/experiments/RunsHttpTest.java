package io.animus.datapilot.experiments;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.animus.datapilot.kernel.Json;
import io.animus.datapilot.testing.TestClient;
import io.animus.datapilot.testing.ServerExtension;
import io.animus.datapilot.testing.TestServer;
import io.animus.sdk.Experiment;
import io.animus.sdk.ExperimentsClient;
import io.animus.sdk.NewRun;
import io.animus.sdk.Page;
import io.animus.sdk.Run;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** docs/protocol.md §3.2, §3.3 and §4.5 over real HTTP. */
class RunsHttpTest {
  private static final String EXPERIMENTS = "/api/experiments/experiments";
  private static final String RUNS = "/api/experiments/experiment-runs";
  private static final String UUID_V4 = "[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}";
  static TestServer server;
  static TestClient client;

  @RegisterExtension
  static final ServerExtension SERVER = ServerExtension.started(s -> {
    server = s;
    client = s.client();
  });

  // ---- create and read -------------------------------------------------------------------------

  @Test
  void createRunAnswers201WithItsFieldsAndGetRunReturnsTheSame() {
    String experimentId = experiment(null);
    String body = """
        {"status":"running","started_at":"2026-01-05T10:11:12.5Z","git_repo":" github.com/acme/train ",\
        "git_commit":"deadbeef","git_ref":"refs/heads/main","params":{"lr":0.001,"layers":[64,32],\
        "optimizer":{"name":"adam","beta":0.9},"api_key":"kept"},"metrics":{"accuracy":0.91},\
        "artifacts_prefix":"/models/resnet/"}""";
    var r = client.post(runsOf(experimentId), body);
    assertThat(r.status()).as(r.text()).isEqualTo(201);
    JsonNode run = r.json();
    String runId = run.get("run_id").asText();
    assertThat(runId).matches(UUID_V4);
    assertThat(r.header("Location")).isEqualTo(RUNS + "/" + runId);
    assertThat(run.get("experiment_id").asText()).isEqualTo(experimentId);
    assertThat(run.get("project_id").asText()).isEqualTo("default");
    assertThat(run.get("status").asText()).isEqualTo("running");
    assertThat(Instant.parse(run.get("started_at").asText())).isEqualTo(Instant.parse("2026-01-05T10:11:12.5Z"));
    assertThat(run.get("started_at").asText()).endsWith("Z");
    assertThat(run.get("git_repo").asText()).isEqualTo("github.com/acme/train");
    assertThat(run.get("git_commit").asText()).isEqualTo("deadbeef");
    assertThat(run.get("git_ref").asText()).isEqualTo("refs/heads/main");
    assertThat(run.get("params").toString()).isEqualTo(
        "{\"lr\":0.001,\"layers\":[64,32],\"optimizer\":{\"name\":\"adam\",\"beta\":0.9},\"api_key\":\"kept\"}");
    assertThat(run.get("metrics").toString()).isEqualTo("{\"accuracy\":0.91}");
    assertThat(run.get("artifacts_prefix").asText()).isEqualTo("models/resnet");
    assertThat(run.get("stale").isBoolean()).isTrue();
    assertThat(fieldNames(run)).containsExactly("run_id", "name", "experiment_id", "project_id", "status",
        "started_at", "git_repo", "git_commit", "git_ref", "params", "metrics", "tags", "artifacts_prefix", "stale");
    assertThat(run.get("name").asText()).matches("[a-z]+-[a-z]+-[0-9]{1,3}");
    assertThat(run.get("tags").toString()).isEqualTo("{}");

    var fetched = client.get(RUNS + "/" + runId);
    assertThat(fetched.status()).isEqualTo(200);
    assertThat(fetched.json()).isEqualTo(run);
  }

  @Test
  void minimalRunHasEmptyObjectsAndStartsNow() {
    var r = client.post(runsOf(experiment(null)), "{\"status\":\"running\",\"git_repo\":\"  \"}");
    assertThat(r.status()).isEqualTo(201);
    JsonNode run = r.json();
    assertThat(run.get("params").toString()).isEqualTo("{}");
    assertThat(run.get("metrics").toString()).isEqualTo("{}");
    assertThat(run.has("git_repo")).isFalse();
    assertThat(run.has("ended_at")).isFalse();
    assertThat(run.has("dataset_version_id")).isFalse();
    assertThat(run.get("stale").asBoolean()).isFalse();
    assertThat(run.get("started_at").asText()).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d(\\.\\d{1,6})?Z");
  }

  @Test
  void timestampsWithAnOffsetAreStoredAsUtc() {
    var r = client.post(runsOf(experiment(null)), """
        {"status":"failed","started_at":"2026-01-05T12:11:12.123456+02:00","ended_at":"2026-01-05T08:30:00-03:30"}""");
    assertThat(r.status()).as(r.text()).isEqualTo(201);
    assertThat(r.json().get("started_at").asText()).isEqualTo("2026-01-05T10:11:12.123456Z");
    assertThat(r.json().get("ended_at").asText()).isEqualTo("2026-01-05T12:00:00Z");
    var fetched = client.get(r.header("Location")).json();
    assertThat(fetched.get("started_at").asText()).isEqualTo("2026-01-05T10:11:12.123456Z");
    assertThat(fetched.get("ended_at").asText()).isEqualTo("2026-01-05T12:00:00Z");
  }

  @Test
  void terminalStatusRunHasEndedAt() {
    var r = client.post(runsOf(experiment(null)), "{\"status\":\"succeeded\",\"started_at\":\"2026-01-05T10:00:00Z\"}");
    assertThat(r.status()).isEqualTo(201);
    String endedAt = r.json().get("ended_at").asText();
    assertThat(Instant.parse(endedAt)).isAfter(Instant.parse("2026-01-05T10:00:00Z"));
    assertThat(client.get(r.header("Location")).json().get("ended_at").asText()).isEqualTo(endedAt);
  }

  @Test
  void endedBeforeStartedAnswers400() {
    var r = client.post(runsOf(experiment(null)),
        "{\"status\":\"succeeded\",\"started_at\":\"2026-01-05T10:00:00Z\",\"ended_at\":\"2026-01-05T11:59:59+02:00\"}");
    assertThat(r.status()).isEqualTo(400);
    assertThat(r.error()).isEqualTo("ended_before_started");

    var equal = client.post(runsOf(experiment(null)),
        "{\"status\":\"succeeded\",\"started_at\":\"2026-01-05T10:00:00Z\",\"ended_at\":\"2026-01-05T12:00:00+02:00\"}");
    assertThat(equal.status()).isEqualTo(201);
    assertThat(equal.json().get("ended_at").asText()).isEqualTo("2026-01-05T10:00:00Z");
  }

  @Test
  void endedAtAloneBeforeNowAnswers400EndedBeforeStarted() {
    var r = client.post(runsOf(experiment(null)), "{\"status\":\"failed\",\"ended_at\":\"2020-01-01T00:00:00Z\"}");
    assertThat(r.status()).isEqualTo(400);
    assertThat(r.error()).isEqualTo("ended_before_started");
  }

  @Test
  void unparsableTimestampAnswers400InvalidTimestamp() {
    String experimentId = experiment(null);
    for (String value : List.of("yesterday", "2026-01-05", "2026-01-05T10:11:12", "2026-13-05T10:11:12Z", "")) {
      var r = client.post(runsOf(experimentId), "{\"status\":\"running\",\"started_at\":\"" + value + "\"}");
      assertThat(r.status()).as(value).isEqualTo(400);
      assertThat(r.error()).as(value).isEqualTo("invalid_timestamp");
    }
    var ended = client.post(runsOf(experimentId), "{\"status\":\"failed\",\"ended_at\":\"soon\"}");
    assertThat(ended.status()).isEqualTo(400);
    assertThat(ended.error()).isEqualTo("invalid_timestamp");
  }

  @Test
  void statusIsTrimmedAndLowerCased() {
    var r = client.post(runsOf(experiment(null)), "{\"status\":\"  RuNNing \"}");
    assertThat(r.status()).isEqualTo(201);
    assertThat(r.json().get("status").asText()).isEqualTo("running");
  }

  @Test
  void invalidStatusAnswers400InvalidStatus() {
    for (String status : List.of("done", "runningx", "complete")) {
      var r = client.post(runsOf(experiment(null)), "{\"status\":\"" + status + "\"}");
      assertThat(r.status()).as(status).isEqualTo(400);
      assertThat(r.error()).as(status).isEqualTo("invalid_status");
    }
  }

  @Test
  void missingStatusAnswers400StatusRequired() {
    String experimentId = experiment(null);
    for (String body : List.of("{}", "{\"status\":\"  \"}", "{\"status\":null,\"params\":{}}")) {
      var r = client.post(runsOf(experimentId), body);
      assertThat(r.status()).as(body).isEqualTo(400);
      assertThat(r.error()).as(body).isEqualTo("status_required");
    }
  }

  @Test
  void paramsThatAreNotAnObjectAnswer400InvalidParams() {
    for (String params : List.of("[1]", "\"lr=0.1\"", "3")) {
      var r = client.post(runsOf(experiment(null)), "{\"status\":\"running\",\"params\":" + params + "}");
      assertThat(r.status()).as(params).isEqualTo(400);
      assertThat(r.error()).as(params).isEqualTo("invalid_params");
    }
  }

  @Test
  void metricsThatAreNotAnObjectAnswer400InvalidMetrics() {
    for (String metrics : List.of("[0.9]", "\"acc\"", "false")) {
      var r = client.post(runsOf(experiment(null)), "{\"status\":\"running\",\"metrics\":" + metrics + "}");
      assertThat(r.status()).as(metrics).isEqualTo(400);
      assertThat(r.error()).as(metrics).isEqualTo("invalid_metrics");
    }
  }

  @Test
  void unknownFieldAnswers400InvalidJsonNamingTheField() {
    var r = client.post(runsOf(experiment(null)), "{\"status\":\"running\",\"command\":\"train.py\"}");
    assertThat(r.status()).isEqualTo(400);
    assertThat(r.error()).isEqualTo("invalid_json");
    assertThat(r.json().get("message").asText()).contains("command");
  }

  @Test
  void artifactsPrefixLosesItsSlashesAndRefusesDotDotSegments() {
    String experimentId = experiment(null);
    Map<String, String> kept = Map.of("///a/b//", "a/b", " runs/2026/ ", "runs/2026", "a/..b/c..", "a/..b/c..");
    for (Map.Entry<String, String> e : kept.entrySet()) {
      var r = client.post(runsOf(experimentId),
          "{\"status\":\"running\",\"artifacts_prefix\":" + Json.writeString(e.getKey()) + "}");
      assertThat(r.status()).as(e.getKey()).isEqualTo(201);
      assertThat(r.json().get("artifacts_prefix").asText()).as(e.getKey()).isEqualTo(e.getValue());
    }
    var onlySlashes = client.post(runsOf(experimentId), "{\"status\":\"running\",\"artifacts_prefix\":\"//\"}");
    assertThat(onlySlashes.status()).isEqualTo(201);
    assertThat(onlySlashes.json().has("artifacts_prefix")).isFalse();
    for (String bad : List.of("..", "a/../b", "/../etc", "a/b/..", "../")) {
      var r = client.post(runsOf(experimentId),
          "{\"status\":\"running\",\"artifacts_prefix\":" + Json.writeString(bad) + "}");
      assertThat(r.status()).as(bad).isEqualTo(400);
      assertThat(r.error()).as(bad).isEqualTo("invalid_artifacts_prefix");
    }
  }

  @Test
  void unknownOrMalformedExperimentAnswers404NotFound() {
    for (String id : List.of(UUID.randomUUID().toString(), "not-an-id")) {
      var create = client.post(runsOf(id), "{\"status\":\"running\"}");
      assertThat(create.status()).as(id).isEqualTo(404);
      assertThat(create.error()).as(id).isEqualTo("not_found");
      var list = client.get(runsOf(id));
      assertThat(list.status()).as(id).isEqualTo(404);
      assertThat(list.error()).as(id).isEqualTo("not_found");
    }
  }

  @Test
  void unknownDatasetVersionAnswers404NotFoundAndCreatesNothing() {
    String experimentId = experiment(null);
    for (String version : List.of(UUID.randomUUID().toString(), "dv-1")) {
      var r = client.post(runsOf(experimentId),
          "{\"status\":\"running\",\"dataset_version_id\":\"" + version + "\"}");
      assertThat(r.status()).as(version).isEqualTo(404);
      assertThat(r.error()).as(version).isEqualTo("not_found");
    }
    assertThat(client.get(runsOf(experimentId)).json().get("runs")).isEmpty();
  }

  @Test
  void unknownOrMalformedRunAnswers404NotFound() {
    for (String id : List.of(UUID.randomUUID().toString(), "run-123")) {
      var r = client.get(RUNS + "/" + id);
      assertThat(r.status()).as(id).isEqualTo(404);
      assertThat(r.error()).as(id).isEqualTo("not_found");
      var states = client.get(RUNS + "/" + id + "/states");
      assertThat(states.status()).as(id).isEqualTo(404);
      assertThat(states.error()).as(id).isEqualTo("not_found");
    }
  }

  @Test
  void runTakesItsExperimentsProjectAndIsHiddenFromAnotherNamedProject() {
    String project = uniqueProject();
    String experimentId = experiment(project);
    var r = client.post(runsOf(experimentId), "{\"status\":\"running\"}");
    assertThat(r.status()).isEqualTo(201);
    assertThat(r.json().get("project_id").asText()).isEqualTo(project);
    String path = r.header("Location");

    var other = client.send("GET", path, null, Map.of("X-Project-Id", uniqueProject()));
    assertThat(other.status()).isEqualTo(404);
    assertThat(other.error()).isEqualTo("not_found");
    assertThat(client.send("GET", path, null, Map.of("X-Project-Id", project)).status()).isEqualTo(200);
    assertThat(client.get(path).status()).isEqualTo(200);

    var createElsewhere = client.post(runsOf(experimentId), "{\"status\":\"running\"}",
        Map.of("X-Project-Id", uniqueProject()));
    assertThat(createElsewhere.status()).isEqualTo(404);
    assertThat(createElsewhere.error()).isEqualTo("not_found");
  }

  // ---- states ----------------------------------------------------------------------------------

  @Test
  void statesListTheCreationStateOldestFirst() {
    var created = client.post(runsOf(experiment(null)), "{\"status\":\"Pending\"}");
    String runId = created.json().get("run_id").asText();
    var r = client.get(RUNS + "/" + runId + "/states");
    assertThat(r.status()).isEqualTo(200);
    JsonNode body = r.json();
    assertThat(fieldNames(body)).containsExactly("run_id", "states");
    assertThat(body.get("run_id").asText()).isEqualTo(runId);
    assertThat(body.get("states")).hasSize(1);
    JsonNode state = body.get("states").get(0);
    assertThat(fieldNames(state)).containsExactly("state_id", "run_id", "status", "observed_at", "details");
    assertThat(state.get("state_id").asText()).matches(UUID_V4);
    assertThat(state.get("run_id").asText()).isEqualTo(runId);
    assertThat(state.get("status").asText()).isEqualTo("pending");
    assertThat(state.get("observed_at").asText()).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d(\\.\\d{1,6})?Z");
    assertThat(state.get("details").get("actor").asText()).isEqualTo("dev-user");
  }

  // ---- lists per experiment --------------------------------------------------------------------

  @Test
  void runsOfAnExperimentAreNewestStartFirstAndFilterByStatus() {
    String experimentId = experiment(null);
    String a = run(experimentId, "running", "2026-01-01T00:00:00Z", null);
    String b = run(experimentId, "succeeded", "2026-01-03T00:00:00Z", null);
    String c = run(experimentId, "failed", "2026-01-02T00:00:00Z", null);
    String d = run(experimentId, "succeeded", "2026-01-04T00:00:00Z", null);
    run(experiment(null), "succeeded", "2026-01-05T00:00:00Z", null);

    assertThat(sdkIds(experimentId, null, null, null)).containsExactly(d, b, c, a);
    assertThat(sdkIds(experimentId, "succeeded", null, null)).containsExactly(d, b);
    // raw HTTP: a status filter with a space and capitals, which the SDK does not send
    assertThat(ids(client.get(runsOf(experimentId) + "?status=%20FAILED").json())).containsExactly(c);
    assertThat(sdkIds(experimentId, "canceled", null, null)).isEmpty();
    assertThat(sdkIds(experimentId, null, "started_at", "asc")).containsExactly(a, c, b, d);
  }

  @Test
  void runsOrderedByStartTimePageAcrossPagesInBothDirections() {
    String experimentId = experiment(null);
    List<String> byStart = new ArrayList<>();
    for (int day = 1; day <= 5; day++) {
      byStart.add(run(experimentId, "running", "2026-02-0" + day + "T00:00:00Z", null));
    }
    assertThat(sdkWalk(experimentId, "started_at", "asc")).containsExactlyElementsOf(byStart);
    List<String> newestFirst = new ArrayList<>(byStart);
    java.util.Collections.reverse(newestFirst);
    assertThat(sdkWalk(experimentId, null, null)).containsExactlyElementsOf(newestFirst);
  }

  @Test
  void orderByParamSortsByValueWithRunsWithoutTheParamLastAcrossPages() {
    String experimentId = experiment(null);
    Map<String, String> lrOf = new HashMap<>();
    for (String lr : List.of("0.1", "0.001", "0.01", "0.5", "", "", "0.01", "2")) {
      String params = lr.isEmpty() ? "{\"epochs\":3}" : "{\"lr\":" + lr + "}";
      lrOf.put(run(experimentId, "running", null, params), lr);
    }

    List<String> desc = sdkWalk(experimentId, "param:lr", null);
    assertThat(desc).hasSize(8).doesNotHaveDuplicates();
    assertThat(desc.stream().map(lrOf::get).toList())
        .containsExactly("2", "0.5", "0.1", "0.01", "0.01", "0.001", "", "");
    assertThat(sdkWalk(experimentId, "param:lr", "desc")).isEqualTo(desc);

    List<String> asc = sdkWalk(experimentId, "param:lr", "asc");
    assertThat(asc).hasSize(8).doesNotHaveDuplicates();
    assertThat(asc.stream().map(lrOf::get).toList())
        .containsExactly("0.001", "0.01", "0.01", "0.1", "0.5", "2", "", "");
  }

  @Test
  void unknownOrderingAnswers400InvalidOrderBy() {
    String experimentId = experiment(null);
    for (String query : List.of("?order_by=bogus", "?order_by=param:", "?order_by=metric", "?order=sideways",
        "?order_by=param:lr&order=up")) {
      var r = client.get(runsOf(experimentId) + query);
      assertThat(r.status()).as(query).isEqualTo(400);
      assertThat(r.error()).as(query).isEqualTo("invalid_order_by");
    }
  }

  @Test
  void runPageTokenReusedWithAnotherOrderingAnswers400InvalidPageToken() {
    String experimentId = experiment(null);
    run(experimentId, "running", null, "{\"lr\":1}");
    run(experimentId, "running", null, "{\"lr\":2}");
    String token = client.get(runsOf(experimentId) + "?order_by=param:lr&limit=1").json()
        .get("next_page_token").asText();
    for (String query : List.of("?order_by=param:lr&order=asc", "?order_by=param:epochs", "?status=running",
        "")) {
      String sep = query.isEmpty() ? "?" : "&";
      var r = client.get(runsOf(experimentId) + query + sep + "limit=1&page_token=" + token);
      assertThat(r.status()).as(query).isEqualTo(400);
      assertThat(r.error()).as(query).isEqualTo("invalid_page_token");
    }
  }

  // ---- project-wide list -----------------------------------------------------------------------

  @Test
  void projectRunsFilterByStatusAndActive() {
    String project = uniqueProject();
    Map<String, String> inProject = Map.of("X-Project-Id", project);
    String first = experiment(project);
    String second = experiment(project);
    String pending = run(first, "pending", "2026-03-01T00:00:00Z", null);
    String running = run(second, "running", "2026-03-02T00:00:00Z", null);
    String succeeded = run(first, "succeeded", "2026-03-03T00:00:00Z", null);
    String failed = run(second, "failed", "2026-03-04T00:00:00Z", null);
    String canceled = run(first, "canceled", "2026-03-05T00:00:00Z", null);
    run(experiment(uniqueProject()), "running", "2026-03-06T00:00:00Z", null);

    assertThat(server.client().sdk(project).listRuns(null, 100).items().stream().map(Run::runId))
        .containsExactly(canceled, failed, succeeded, running, pending);
    // raw HTTP below: the project named by query parameter, and the active filter the SDK does not have
    assertThat(ids(get(RUNS, inProject))).containsExactly(canceled, failed, succeeded, running, pending);
    assertThat(ids(get(RUNS + "?project_id=" + project, Map.of())))
        .containsExactly(canceled, failed, succeeded, running, pending);
    for (String active : List.of("true", "1", "yes", "ON")) {
      assertThat(ids(get(RUNS + "?active=" + active, inProject))).as(active).containsExactly(running, pending);
    }
    assertThat(ids(get(RUNS + "?active=false", inProject))).hasSize(5);
    assertThat(ids(get(RUNS + "?status=failed", inProject))).containsExactly(failed);
    assertThat(ids(get(RUNS + "?status=running&active=true", inProject))).containsExactly(running);
    assertThat(ids(get(RUNS + "?status=succeeded&active=true", inProject))).isEmpty();
    assertThat(walk(RUNS + "?limit=2", inProject)).containsExactly(canceled, failed, succeeded, running, pending);
    assertThat(walk(RUNS + "?active=yes&limit=1", inProject)).containsExactly(running, pending);

    var bad = client.send("GET", RUNS + "?status=finished", null, inProject);
    assertThat(bad.status()).isEqualTo(400);
    assertThat(bad.error()).isEqualTo("invalid_status");
  }

  @Test
  void projectRunsWithoutAProjectListTheDefaultProject() {
    String inDefault = run(experiment(null), "running", null, null);
    String elsewhere = run(experiment(uniqueProject()), "running", null, null);
    List<String> listed = walk(RUNS + "?limit=500", Map.of());
    assertThat(listed).contains(inDefault).doesNotContain(elsewhere);
  }

  // ---- helpers ---------------------------------------------------------------------------------

  private static String runsOf(String experimentId) {
    return EXPERIMENTS + "/" + experimentId + "/runs";
  }

  private static int counter;

  /** A new experiment made through the Java SDK in {@code project} (null: the default project). */
  private static synchronized String experiment(String project) {
    String name = "runs-test-" + (++counter) + "-" + UUID.randomUUID();
    ExperimentsClient sdk = project == null ? server.sdk() : server.client().sdk(project);
    Experiment e = sdk.createExperiment(name, null, null);
    assertThat(e.projectId()).isEqualTo(project == null ? "default" : project);
    return e.experimentId();
  }

  /** A new run made through the Java SDK; {@code startedAt} and {@code params} (a JSON object) may be null. */
  private static String run(String experimentId, String status, String startedAt, String params) {
    NewRun run = NewRun.withStatus(status);
    if (startedAt != null) {
      run.startedAt(Instant.parse(startedAt));
    }
    if (params != null) {
      run.params(readObject(params));
    }
    Run created = server.sdk().createRun(experimentId, run);
    assertThat(created.experimentId()).isEqualTo(experimentId);
    assertThat(created.status()).isEqualTo(status);
    return created.runId();
  }

  /** The run ids of the first page (limit 100) the SDK lists for one experiment; filters may be null. */
  private static List<String> sdkIds(String experimentId, String status, String orderBy, String order) {
    return server.sdk().listRuns(experimentId, 100, status, orderBy, order, false, null).items().stream()
        .map(Run::runId).toList();
  }

  /** Every run id of one experiment, following the SDK's pages of 2 to the end. */
  private static List<String> sdkWalk(String experimentId, String orderBy, String order) {
    List<String> all = new ArrayList<>();
    String token = null;
    for (int pages = 0; pages < 50; pages++) {
      Page<Run> page = server.sdk().listRuns(experimentId, 2, null, orderBy, order, false, token);
      assertThat(page.items().size()).isLessThanOrEqualTo(2);
      page.items().forEach(r -> all.add(r.runId()));
      if (!page.hasNext()) {
        return all;
      }
      token = page.nextPageToken();
    }
    throw new AssertionError("more than 50 pages for " + experimentId);
  }

  private static Map<String, Object> readObject(String json) {
    try {
      return Json.mapper().readValue(json, new com.fasterxml.jackson.core.type.TypeReference<>() {});
    } catch (java.io.IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private static JsonNode get(String path, Map<String, String> headers) {
    var r = client.send("GET", path, null, headers);
    assertThat(r.status()).as(r.text()).isEqualTo(200);
    return r.json();
  }

  /** Follows next_page_token to the end and returns every run id in order. */
  private static List<String> walk(String path, Map<String, String> headers) {
    List<String> all = new ArrayList<>();
    String token = null;
    for (int pages = 0; pages < 50; pages++) {
      String base = path.contains("limit=") ? path : path + (path.contains("?") ? "&" : "?") + "limit=2";
      String url = token == null ? base : base + "&page_token=" + token;
      JsonNode page = get(url, headers);
      all.addAll(ids(page));
      if (!page.has("next_page_token")) {
        return all;
      }
      token = page.get("next_page_token").asText();
    }
    throw new AssertionError("more than 50 pages for " + path);
  }

  private static List<String> ids(JsonNode page) {
    List<String> ids = new ArrayList<>();
    page.get("runs").forEach(r -> ids.add(r.get("run_id").asText()));
    return ids;
  }

  private static List<String> fieldNames(JsonNode node) {
    List<String> names = new ArrayList<>();
    node.fieldNames().forEachRemaining(names::add);
    return names;
  }

  private static String uniqueProject() {
    return "r-" + UUID.randomUUID().toString().substring(0, 13);
  }
}
