package io.animus.datapilot.telemetry;

import static io.animus.datapilot.telemetry.RunFixtures.RUNS;
import static io.animus.datapilot.telemetry.RunFixtures.allEvents;
import static io.animus.datapilot.telemetry.RunFixtures.getRun;
import static io.animus.datapilot.telemetry.RunFixtures.newRun;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.animus.datapilot.testing.TestClient;
import io.animus.datapilot.testing.TestServer;
import io.animus.sdk.RunState;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(120)
class StatusHttpTest {
  private static final String TIME = "\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d(\\.\\d{1,6})?Z";
  static TestServer server;
  static TestClient client;

  @BeforeAll
  static void start() {
    server = TestServer.start(Map.of("DATAPILOT_RUN_STALE_AFTER", "1s"));
    client = server.client();
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  private static TestClient.Response move(String runId, String body) {
    return client.post(RUNS + runId + "/status", body);
  }

  /** The run's state history through the Java SDK, oldest first. */
  private static List<String> states(String runId) {
    List<RunState> states = client.sdk().listRunStates(runId);
    assertThat(states).allSatisfy(s -> assertThat(s.runId()).isEqualTo(runId));
    return states.stream().map(RunState::status).toList();
  }

  private static List<String> eventMessages(String runId) {
    return allEvents(client, runId).stream().map(e -> e.get("message").asText()).toList();
  }

  @Test
  void runMovesFromPendingThroughRunningToSucceeded() {
    String runId = newRun(client, "pending");

    var running = move(runId, "{\"message\":\"picked up\",\"status\":\"running\"}");
    assertThat(running.status()).as(running.text()).isEqualTo(200);
    assertThat(running.json().get("run_id").asText()).isEqualTo(runId);
    assertThat(running.json().get("status").asText()).isEqualTo("running");
    assertThat(running.json().has("ended_at")).isFalse();

    var succeeded = move(runId, "{\"status\":\" Succeeded \"}");
    assertThat(succeeded.status()).as(succeeded.text()).isEqualTo(200);
    assertThat(succeeded.json().get("status").asText()).isEqualTo("succeeded");
    assertThat(succeeded.json().get("ended_at").asText()).matches(TIME);

    assertThat(states(runId)).containsExactly("pending", "running", "succeeded");
    JsonNode stateList = client.get(RUNS + runId + "/states").json().get("states");
    JsonNode runningState = stateList.get(1);
    assertThat(runningState.get("run_id").asText()).isEqualTo(runId);
    assertThat(runningState.get("observed_at").asText()).matches(TIME);
    assertThat(runningState.get("details").toString())
        .isEqualTo("{\"message\":\"picked up\",\"actor\":\"dev-user\"}");
    assertThat(stateList.get(2).get("details").toString()).isEqualTo("{\"actor\":\"dev-user\"}");

    List<JsonNode> events = allEvents(client, runId);
    assertThat(events.stream().map(e -> e.get("message").asText())).containsExactly("run running", "run succeeded");
    assertThat(events.stream().map(e -> e.get("level").asText())).containsExactly("info", "info");
    assertThat(events.get(0).get("actor").asText()).isEqualTo("dev-user");
    assertThat(getRun(client, runId).get("status").asText()).isEqualTo("succeeded");
  }

  @Test
  void failedMoveWritesAnErrorLevelEvent() {
    String runId = newRun(client, "running");
    var r = move(runId, "{\"message\":\"out of memory\",\"status\":\"failed\"}");
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.json().get("status").asText()).isEqualTo("failed");
    List<JsonNode> events = allEvents(client, runId);
    assertThat(events).hasSize(1);
    assertThat(events.get(0).get("message").asText()).isEqualTo("run failed");
    assertThat(events.get(0).get("level").asText()).isEqualTo("error");
    assertThat(states(runId)).containsExactly("running", "failed");
  }

  @Test
  void pendingRunMayMoveStraightToEveryTerminalStatus() {
    for (String terminal : List.of("succeeded", "failed", "canceled")) {
      String runId = newRun(client, "pending");
      var r = move(runId, "{\"status\":\"" + terminal + "\"}");
      assertThat(r.status()).as(terminal).isEqualTo(200);
      assertThat(states(runId)).containsExactly("pending", terminal);
      assertThat(eventMessages(runId)).containsExactly("run " + terminal);
    }
  }

  @Test
  void postingTheCurrentStatusIsANoOpAnswered200() {
    String runId = newRun(client, "running");
    var same = move(runId, "{\"status\":\"running\"}");
    assertThat(same.status()).as(same.text()).isEqualTo(200);
    assertThat(same.json().get("status").asText()).isEqualTo("running");
    assertThat(states(runId)).containsExactly("running");
    assertThat(eventMessages(runId)).isEmpty();

    move(runId, "{\"status\":\"canceled\"}");
    var again = move(runId, "{\"status\":\"canceled\"}");
    assertThat(again.status()).isEqualTo(200);
    assertThat(states(runId)).containsExactly("running", "canceled");
    assertThat(eventMessages(runId)).containsExactly("run canceled");
  }

  @Test
  void illegalMoveIsInvalidStatusTransitionNamingTheCurrentStatus() {
    String runId = newRun(client, "succeeded");
    for (String next : List.of("running", "pending", "failed", "canceled")) {
      var r = move(runId, "{\"status\":\"" + next + "\"}");
      assertThat(r.status()).as(next).isEqualTo(409);
      assertThat(r.error()).as(next).isEqualTo("invalid_status_transition");
      assertThat(r.json().get("details").get("current_status").asText()).isEqualTo("succeeded");
    }
    String running = newRun(client, "running");
    var back = move(running, "{\"status\":\"pending\"}");
    assertThat(back.status()).isEqualTo(409);
    assertThat(back.json().get("details").get("current_status").asText()).isEqualTo("running");
    assertThat(states(runId)).containsExactly("succeeded");
    assertThat(eventMessages(runId)).isEmpty();
  }

  @Test
  void missingOrUnknownStatusIsRejected() {
    String runId = newRun(client, "running");
    var missing = move(runId, "{\"message\":\"m\"}");
    assertThat(missing.status()).isEqualTo(400);
    assertThat(missing.error()).isEqualTo("status_required");
    var unknown = move(runId, "{\"status\":\"queued\"}");
    assertThat(unknown.status()).isEqualTo(400);
    assertThat(unknown.error()).isEqualTo("invalid_status");
    var extra = move(runId, "{\"status\":\"failed\",\"reason\":\"x\"}");
    assertThat(extra.status()).isEqualTo(400);
    assertThat(extra.error()).isEqualTo("invalid_json");
    var notFound = move(UUID.randomUUID().toString(), "{\"status\":\"failed\"}");
    assertThat(notFound.status()).isEqualTo(404);
    assertThat(notFound.error()).isEqualTo("not_found");
    assertThat(states(runId)).containsExactly("running");
  }

  @Test
  void racingTerminalMovesLetExactlyOneWinPerRun() throws Exception {
    int runs = 8;
    List<String> runIds = new ArrayList<>();
    for (int i = 0; i < runs; i++) {
      runIds.add(newRun(client, "running"));
    }
    ExecutorService pool = Executors.newFixedThreadPool(runs * 2);
    try {
      CyclicBarrier start = new CyclicBarrier(runs * 2);
      Map<String, List<Future<TestClient.Response>>> answers = new LinkedHashMap<>();
      for (String runId : runIds) {
        List<Future<TestClient.Response>> pair = new ArrayList<>();
        for (String status : List.of("succeeded", "failed")) {
          pair.add(pool.submit(() -> {
            start.await(30, TimeUnit.SECONDS);
            return move(runId, "{\"status\":\"" + status + "\"}");
          }));
        }
        answers.put(runId, pair);
      }
      for (String runId : runIds) {
        TestClient.Response succeeded = answers.get(runId).get(0).get(60, TimeUnit.SECONDS);
        TestClient.Response failed = answers.get(runId).get(1).get(60, TimeUnit.SECONDS);
        assertThat(List.of(succeeded.status(), failed.status())).as(runId).containsExactlyInAnyOrder(200, 409);
        String winner = succeeded.status() == 200 ? "succeeded" : "failed";
        TestClient.Response loser = succeeded.status() == 200 ? failed : succeeded;
        assertThat(loser.error()).isEqualTo("invalid_status_transition");
        assertThat(loser.json().get("details").get("current_status").asText()).isEqualTo(winner);
        assertThat(getRun(client, runId).get("status").asText()).isEqualTo(winner);
        assertThat(states(runId)).containsExactly("running", winner);
        assertThat(eventMessages(runId)).containsExactly("run " + winner);
      }
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void manyThreadsRacingOnOneRunProduceOneTerminalState() throws Exception {
    String runId = newRun(client, "running");
    int threads = 12;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      CyclicBarrier start = new CyclicBarrier(threads);
      List<String> wanted = new ArrayList<>();
      List<Future<TestClient.Response>> answers = new ArrayList<>();
      for (int i = 0; i < threads; i++) {
        String status = List.of("succeeded", "failed", "canceled").get(i % 3);
        wanted.add(status);
        answers.add(pool.submit(() -> {
          start.await(30, TimeUnit.SECONDS);
          return move(runId, "{\"status\":\"" + status + "\"}");
        }));
      }
      String winner = getRunStatusAfter(answers);
      for (int i = 0; i < threads; i++) {
        TestClient.Response r = answers.get(i).get(60, TimeUnit.SECONDS);
        if (wanted.get(i).equals(winner)) {
          assertThat(r.status()).isEqualTo(200);
        } else {
          assertThat(r.status()).isEqualTo(409);
          assertThat(r.json().get("details").get("current_status").asText()).isEqualTo(winner);
        }
      }
      assertThat(states(runId)).containsExactly("running", winner);
      assertThat(eventMessages(runId)).containsExactly("run " + winner);
    } finally {
      pool.shutdownNow();
    }
  }

  private static String getRunStatusAfter(List<Future<TestClient.Response>> answers) throws Exception {
    String runId = null;
    for (Future<TestClient.Response> answer : answers) {
      TestClient.Response r = answer.get(60, TimeUnit.SECONDS);
      if (r.status() == 200) {
        runId = r.json().get("run_id").asText();
      }
    }
    assertThat(runId).as("some move won").isNotNull();
    return getRun(client, runId).get("status").asText();
  }

  @Test
  void heartbeatAnswersRunStatusAndTimeAndMarksTheRunSeen() {
    String runId = newRun(client, "running");
    for (String body : new String[] {null, "{}"}) {
      var r = client.send("POST", RUNS + runId + "/heartbeat", body,
          body == null ? Map.of() : Map.of("Content-Type", "application/json"));
      assertThat(r.status()).as(r.text()).isEqualTo(200);
      JsonNode beat = r.json();
      List<String> names = new ArrayList<>();
      beat.fieldNames().forEachRemaining(names::add);
      assertThat(names).containsExactly("run_id", "status", "last_heartbeat_at");
      assertThat(beat.get("run_id").asText()).isEqualTo(runId);
      assertThat(beat.get("status").asText()).isEqualTo("running");
      assertThat(beat.get("last_heartbeat_at").asText()).matches(TIME);

      JsonNode run = getRun(client, runId);
      assertThat(run.get("last_heartbeat_at").asText()).isEqualTo(beat.get("last_heartbeat_at").asText());
      assertThat(Instant.parse(run.get("last_seen_at").asText()))
          .isAfterOrEqualTo(Instant.parse(beat.get("last_heartbeat_at").asText()));
    }
  }

  @Test
  void heartbeatOfACanceledRunSaysCanceledSoTheWorkerStops() {
    String runId = newRun(client, "running");
    move(runId, "{\"status\":\"canceled\"}");
    var r = client.post(RUNS + runId + "/heartbeat", "{}");
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.json().get("status").asText()).isEqualTo("canceled");
  }

  @Test
  void heartbeatRejectsUnknownFieldsAndUnknownRuns() {
    String runId = newRun(client, "running");
    var extra = client.post(RUNS + runId + "/heartbeat", "{\"alive\":true}");
    assertThat(extra.status()).isEqualTo(400);
    assertThat(extra.error()).isEqualTo("invalid_json");
    var missing = client.post(RUNS + UUID.randomUUID() + "/heartbeat", "{}");
    assertThat(missing.status()).isEqualTo(404);
    assertThat(missing.error()).isEqualTo("not_found");
  }

  /** Polls the run (bounded) until its {@code stale} flag has the wanted value. */
  private static JsonNode awaitStale(String runId, boolean wanted) throws InterruptedException {
    JsonNode run = getRun(client, runId);
    for (int i = 0; i < 25 && run.get("stale").asBoolean() != wanted; i++) {
      Thread.sleep(200);
      run = getRun(client, runId);
    }
    return run;
  }

  @Test
  void runningRunWithoutTelemetryBecomesStaleWithoutChangingStatus() throws Exception {
    String runId = newRun(client, "running");
    String pending = newRun(client, "pending");
    assertThat(getRun(client, runId).get("stale").asBoolean()).isFalse();

    JsonNode run = awaitStale(runId, true);

    assertThat(run.get("stale").asBoolean()).isTrue();
    assertThat(run.get("status").asText()).isEqualTo("running");
    assertThat(states(runId)).containsExactly("running");
    assertThat(getRun(client, pending).get("stale").asBoolean()).isFalse();

    assertThat(client.post(RUNS + runId + "/heartbeat", "{}").status()).isEqualTo(200);
    assertThat(getRun(client, runId).get("stale").asBoolean()).isFalse();
  }

  @Test
  void telemetryKeepsARunFromBeingStale() throws Exception {
    String byEvent = newRun(client, "running");
    String byMetric = newRun(client, "running");
    assertThat(awaitStale(byEvent, true).get("stale").asBoolean()).isTrue();
    assertThat(awaitStale(byMetric, true).get("stale").asBoolean()).isTrue();

    assertThat(client.post(RUNS + byEvent + "/events", "{\"message\":\"alive\"}").status()).isEqualTo(201);
    assertThat(client.post(RUNS + byMetric + "/metrics", "{\"metrics\":{\"loss\":1.0},\"step\":0}").status())
        .isEqualTo(201);

    assertThat(getRun(client, byEvent).get("stale").asBoolean()).isFalse();
    assertThat(getRun(client, byMetric).get("stale").asBoolean()).isFalse();
    assertThat(getRun(client, byMetric).get("last_seen_at").asText()).matches(TIME);
    assertThat(awaitStale(byEvent, true).get("stale").asBoolean()).isTrue();
  }

  @Test
  void terminalRunIsNeverStale() throws Exception {
    String runId = newRun(client, "running");
    assertThat(awaitStale(runId, true).get("stale").asBoolean()).isTrue();
    move(runId, "{\"status\":\"succeeded\"}");
    assertThat(getRun(client, runId).get("stale").asBoolean()).isFalse();
  }
}
