package io.animus.datapilot.telemetry;

import static io.animus.datapilot.telemetry.RunFixtures.RUNS;
import static io.animus.datapilot.telemetry.RunFixtures.allEvents;
import static io.animus.datapilot.telemetry.RunFixtures.getRun;
import static io.animus.datapilot.telemetry.RunFixtures.newRun;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.animus.datapilot.testing.TestClient;
import io.animus.datapilot.testing.ServerExtension;
import io.animus.datapilot.testing.TestServer;
import io.animus.sdk.EventPage;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.Timeout;

@Timeout(120)
class EventsHttpTest {
  private static final String TIME = "\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d(\\.\\d{1,6})?Z";
  static TestServer server;
  static TestClient client;

  @RegisterExtension
  static final ServerExtension SERVER = ServerExtension.started(s -> {
    server = s;
    client = s.client();
  });

  private static TestClient.Response postEvent(String runId, String body) {
    return client.post(RUNS + runId + "/events", body);
  }

  private static TestClient.Response postBatch(String runId, String body) {
    return client.post(RUNS + runId + "/events:batch", body);
  }

  private static List<String> fieldNames(JsonNode node) {
    List<String> names = new ArrayList<>();
    node.fieldNames().forEachRemaining(names::add);
    return names;
  }

  @Test
  void postedEventAnswers201WithItsStoredFields() {
    String runId = newRun(client);
    var r = postEvent(runId,
        "{\"level\":\"WARN\",\"message\":\"  disk almost full  \",\"metadata\":{\"disk\":\"sda\"}}");

    assertThat(r.status()).as(r.text()).isEqualTo(201);
    JsonNode event = r.json();
    assertThat(fieldNames(event)).containsExactly("event_id", "run_id", "occurred_at", "actor", "level", "message",
        "metadata");
    assertThat(event.get("event_id").asLong()).isPositive();
    assertThat(event.get("run_id").asText()).isEqualTo(runId);
    assertThat(event.get("occurred_at").asText()).matches(TIME);
    assertThat(event.get("actor").asText()).isEqualTo("dev-user");
    assertThat(event.get("level").asText()).isEqualTo("warn");
    assertThat(event.get("message").asText()).isEqualTo("disk almost full");
    assertThat(event.get("metadata").toString()).isEqualTo("{\"disk\":\"sda\"}");

    JsonNode listed = client.get(RUNS + runId + "/events").json().get("events");
    assertThat(listed).hasSize(1);
    assertThat(listed.get(0)).isEqualTo(event);
  }

  @Test
  void levelDefaultsToInfoAndMetadataToAnEmptyObject() {
    String runId = newRun(client);
    var r = postEvent(runId, "{\"message\":\"hello\"}");
    assertThat(r.status()).isEqualTo(201);
    assertThat(r.json().get("level").asText()).isEqualTo("info");
    assertThat(r.json().get("metadata").toString()).isEqualTo("{}");
  }

  @Test
  void unknownLevelIsInvalidLevel() {
    String runId = newRun(client);
    for (String level : List.of("fatal", "", "warning")) {
      var r = postEvent(runId, "{\"level\":\"" + level + "\",\"message\":\"m\"}");
      assertThat(r.status()).as(level).isEqualTo(400);
      assertThat(r.error()).as(level).isEqualTo("invalid_level");
    }
    assertThat(allEvents(client, runId)).isEmpty();
  }

  @Test
  void missingOrBlankMessageIsMessageRequired() {
    String runId = newRun(client);
    for (String body : List.of("{}", "{\"message\":\"   \"}", "{\"level\":\"info\",\"message\":null}")) {
      var r = postEvent(runId, body);
      assertThat(r.status()).as(body).isEqualTo(400);
      assertThat(r.error()).as(body).isEqualTo("message_required");
    }
    assertThat(allEvents(client, runId)).isEmpty();
  }

  @Test
  void occurredAtWithAnOffsetIsStoredInUtc() {
    String runId = newRun(client);
    var r = postEvent(runId, "{\"message\":\"m\",\"occurred_at\":\"2026-01-05T12:11:14.123456+02:00\"}");
    assertThat(r.status()).as(r.text()).isEqualTo(201);
    String at = r.json().get("occurred_at").asText();
    assertThat(at).matches(TIME);
    assertThat(Instant.parse(at)).isEqualTo(Instant.parse("2026-01-05T10:11:14.123456Z"));
    assertThat(allEvents(client, runId).get(0).get("occurred_at").asText()).isEqualTo(at);

    var bad = postEvent(runId, "{\"message\":\"m\",\"occurred_at\":\"5 Jan 2026\"}");
    assertThat(bad.status()).isEqualTo(400);
    assertThat(bad.error()).isEqualTo("invalid_timestamp");
  }

  @Test
  void eventMetadataIsRedacted() {
    String runId = newRun(client);
    var r = postEvent(runId, "{\"message\":\"m\",\"metadata\":{\"githubToken\":\"ghp_abc\",\"max_tokens\":5,"
        + "\"nested\":[{\"privateKey\":\"pk\"}],\"passkey\":\"kept\"}}");
    assertThat(r.status()).isEqualTo(201);
    JsonNode metadata = allEvents(client, runId).get(0).get("metadata");
    assertThat(metadata.get("githubToken").asText()).isEqualTo("[REDACTED]");
    assertThat(metadata.get("max_tokens").asInt()).isEqualTo(5);
    assertThat(metadata.get("nested").get(0).get("privateKey").asText()).isEqualTo("[REDACTED]");
    assertThat(metadata.get("passkey").asText()).isEqualTo("kept");
    assertThat(r.json().get("metadata")).isEqualTo(metadata);
  }

  @Test
  void metadataThatIsNotAnObjectIsInvalidMetadata() {
    String runId = newRun(client);
    var r = postEvent(runId, "{\"message\":\"m\",\"metadata\":[1]}");
    assertThat(r.status()).isEqualTo(400);
    assertThat(r.error()).isEqualTo("invalid_metadata");
  }

  @Test
  void credentialsInTheMessageAreReplacedByRedacted() {
    String runId = newRun(client);
    String apiToken = "dp_" + "A".repeat(20) + "b-c_" + "9".repeat(19);
    String runToken = "animus_run_v1.eyJydW5faWQiOiJydW4tMTIzIn0.LCXMnsHyV1hdFWBrxZmW-uz0sldr5e3Sa4V06tndAC8";
    var r = postEvent(runId, "{\"message\":\"login with " + apiToken + " then " + runToken + " done\"}");
    assertThat(r.status()).isEqualTo(201);
    assertThat(r.json().get("message").asText()).isEqualTo("login with [REDACTED] then [REDACTED] done");
    assertThat(allEvents(client, runId).get(0).get("message").asText())
        .isEqualTo("login with [REDACTED] then [REDACTED] done");
  }

  @Test
  void publishedSdkLogEventBodyIsStoredAsGiven() {
    String runId = newRun(client);
    var r = postEvent(runId, "{\"level\":\"info\",\"message\":\"epoch 1 done\",\"metadata\":{\"epoch\":1}}");
    assertThat(r.status()).isEqualTo(201);
    JsonNode run = getRun(client, runId);
    assertThat(run.has("reported_status")).isFalse();
    assertThat(run.has("progress")).isFalse();
    assertThat(run.get("status").asText()).isEqualTo("running");
  }

  @Test
  void publishedSdkLogStatusAndLogProgressSetReportedStatusAndProgressButNotTheRunStatus() {
    String runId = newRun(client);
    assertThat(postEvent(runId, "{\"level\":\"info\",\"message\":\"status: starting\","
        + "\"metadata\":{\"status\":\"starting\"}}").status()).isEqualTo(201);
    assertThat(getRun(client, runId).get("reported_status").asText()).isEqualTo("starting");

    for (int step = 0; step < 4; step++) {
      var r = postEvent(runId, "{\"level\":\"info\",\"message\":\"progress\",\"metadata\":{\"progress_percent\":"
          + ((step + 1) / 100.0) + ",\"progress_step\":" + step + ",\"progress_total_steps\":100}}");
      assertThat(r.status()).isEqualTo(201);
    }
    var last = postEvent(runId, "{\"level\":\"info\",\"message\":\"status: finished\","
        + "\"metadata\":{\"status\":\"finished\"}}");

    JsonNode run = getRun(client, runId);
    assertThat(run.get("status").asText()).isEqualTo("running");
    assertThat(run.get("reported_status").asText()).isEqualTo("finished");
    JsonNode progress = run.get("progress");
    assertThat(progress.get("step").asLong()).isEqualTo(3);
    assertThat(progress.get("total_steps").asLong()).isEqualTo(100);
    assertThat(progress.get("percent").asDouble()).isEqualTo(0.04);
    assertThat(progress.get("at").asText()).matches(TIME);
    assertThat(run.get("last_seen_at").asText()).matches(TIME);
    assertThat(Instant.parse(run.get("last_seen_at").asText()))
        .isAfterOrEqualTo(Instant.parse(last.json().get("occurred_at").asText()).minusSeconds(1));
    JsonNode states = client.get(RUNS + runId + "/states").json().get("states");
    assertThat(RunFixtures.texts(states, "status")).containsExactly("running");
  }

  @Test
  void batchStoresEventsInArrayOrderAndDedupesByClientEventId() {
    String runId = newRun(client);
    String batch = "{\"events\":[{\"client_event_id\":\"a\",\"level\":\"info\",\"message\":\"one\"},"
        + "{\"client_event_id\":\"b\",\"level\":\"DEBUG\",\"message\":\"two\",\"metadata\":{\"k\":1}},"
        + "{\"level\":\"error\",\"message\":\"three\"}]}";

    var first = postBatch(runId, batch);
    assertThat(first.status()).as(first.text()).isEqualTo(201);
    assertThat(first.json().get("received").asInt()).isEqualTo(3);
    assertThat(first.json().get("inserted").asInt()).isEqualTo(3);
    assertThat(first.json().get("duplicates").asInt()).isZero();
    assertThat(first.json().get("run_id").asText()).isEqualTo(runId);
    assertThat(first.json().get("request_id").asText()).isEqualTo(first.header("X-Request-Id"));

    List<JsonNode> stored = allEvents(client, runId);
    assertThat(stored.stream().map(e -> e.get("message").asText())).containsExactly("one", "two", "three");
    assertThat(stored.get(0).get("client_event_id").asText()).isEqualTo("a");
    assertThat(stored.get(1).get("client_event_id").asText()).isEqualTo("b");
    assertThat(stored.get(1).get("level").asText()).isEqualTo("debug");
    assertThat(stored.get(2).has("client_event_id")).isFalse();
    assertThat(stored.get(0).get("event_id").asLong()).isLessThan(stored.get(1).get("event_id").asLong());
    assertThat(stored.get(1).get("event_id").asLong()).isLessThan(stored.get(2).get("event_id").asLong());

    String withIdsOnly = "{\"events\":[{\"client_event_id\":\"a\",\"level\":\"info\",\"message\":\"one\"},"
        + "{\"client_event_id\":\"b\",\"level\":\"info\",\"message\":\"two again\"}]}";
    var repeat = postBatch(runId, withIdsOnly);
    assertThat(repeat.status()).as(repeat.text()).isEqualTo(200);
    assertThat(repeat.json().get("received").asInt()).isEqualTo(2);
    assertThat(repeat.json().get("inserted").asInt()).isZero();
    assertThat(repeat.json().get("duplicates").asInt()).isEqualTo(2);

    var partly = postBatch(runId, "{\"events\":[{\"client_event_id\":\"b\",\"level\":\"info\",\"message\":\"x\"},"
        + "{\"client_event_id\":\"c\",\"level\":\"info\",\"message\":\"four\"}]}");
    assertThat(partly.status()).isEqualTo(201);
    assertThat(partly.json().get("inserted").asInt()).isEqualTo(1);
    assertThat(partly.json().get("duplicates").asInt()).isEqualTo(1);
    assertThat(allEvents(client, runId)).hasSize(4);
  }

  @Test
  void batchRejectsBadClientEventIdsNamingTheIndexAndStoresNothing() {
    String runId = newRun(client);
    for (String id : List.of("\"\"", "\"" + "x".repeat(129) + "\"", "42")) {
      var r = postBatch(runId, "{\"events\":[{\"level\":\"info\",\"message\":\"ok\"},"
          + "{\"client_event_id\":" + id + ",\"level\":\"info\",\"message\":\"m\"}]}");
      assertThat(r.status()).as(id).isEqualTo(400);
      assertThat(r.error()).as(id).isEqualTo("invalid_client_event_id");
      assertThat(r.json().get("details").get("index").asInt()).isEqualTo(1);
    }
    var longest = postBatch(runId, "{\"events\":[{\"client_event_id\":\"" + "x".repeat(128)
        + "\",\"level\":\"info\",\"message\":\"m\"}]}");
    assertThat(longest.status()).isEqualTo(201);
    assertThat(allEvents(client, runId)).hasSize(1);
  }

  @Test
  void batchIsAllOrNothing() {
    String runId = newRun(client);
    var r = postBatch(runId, "{\"events\":[{\"level\":\"info\",\"message\":\"ok\"},"
        + "{\"level\":\"info\",\"message\":\"ok\"},{\"level\":\"loud\",\"message\":\"bad\"}]}");
    assertThat(r.status()).isEqualTo(400);
    assertThat(r.error()).isEqualTo("invalid_level");
    assertThat(r.json().get("details").get("index").asInt()).isEqualTo(2);
    assertThat(allEvents(client, runId)).isEmpty();
  }

  @Test
  void batchOfMoreThanAThousandEventsIsTooManyItems() {
    String runId = newRun(client);
    StringBuilder b = new StringBuilder("{\"events\":[");
    for (int i = 0; i < 1001; i++) {
      b.append(i > 0 ? "," : "").append("{\"level\":\"info\",\"message\":\"e").append(i).append("\"}");
    }
    var r = postBatch(runId, b.append("]}").toString());
    assertThat(r.status()).isEqualTo(400);
    assertThat(r.error()).isEqualTo("too_many_items");
    assertThat(allEvents(client, runId)).isEmpty();

    String thousand = b.toString().replace(",{\"level\":\"info\",\"message\":\"e1000\"}", "");
    var ok = postBatch(runId, thousand);
    assertThat(ok.status()).as(ok.text()).isEqualTo(201);
    assertThat(ok.json().get("inserted").asInt()).isEqualTo(1000);
  }

  @Test
  void eventsOfAnUnknownRunAreNotFound() {
    String unknown = UUID.randomUUID().toString();
    assertThat(postEvent(unknown, "{\"message\":\"m\"}").status()).isEqualTo(404);
    assertThat(postEvent(unknown, "{\"message\":\"m\"}").error()).isEqualTo("not_found");
    assertThat(postBatch(unknown, "{\"events\":[{\"level\":\"info\",\"message\":\"m\"}]}").status()).isEqualTo(404);
    var list = client.get(RUNS + unknown + "/events");
    assertThat(list.status()).isEqualTo(404);
    assertThat(list.error()).isEqualTo("not_found");
  }

  @Test
  void eventPagesFollowedByTokenOrCursorCoverEveryEventOnceNewestFirst() {
    String runId = newRun(client);
    StringBuilder b = new StringBuilder("{\"events\":[");
    for (int i = 0; i < 25; i++) {
      b.append(i > 0 ? "," : "").append("{\"level\":\"info\",\"message\":\"e").append(i).append("\"}");
    }
    assertThat(postBatch(runId, b.append("]}").toString()).status()).isEqualTo(201);

    List<Long> byToken = new ArrayList<>();
    List<Integer> pageSizes = new ArrayList<>();
    String query = "?limit=10";
    for (int i = 0; i < 10; i++) {
      JsonNode page = client.get(RUNS + runId + "/events" + query).json();
      assertThat(page.get("run_id").asText()).isEqualTo(runId);
      JsonNode events = page.get("events");
      pageSizes.add(events.size());
      events.forEach(e -> byToken.add(e.get("event_id").asLong()));
      assertThat(page.get("next_before_event_id").asLong())
          .isEqualTo(events.get(events.size() - 1).get("event_id").asLong());
      if (!page.has("next_page_token")) {
        break;
      }
      query = "?limit=10&page_token=" + page.get("next_page_token").asText();
    }
    assertThat(pageSizes).containsExactly(10, 10, 5);
    assertThat(byToken).hasSize(25).doesNotHaveDuplicates().isSortedAccordingTo((x, y) -> Long.compare(y, x));

    // the before_event_id cursor, walked through the Java SDK
    List<Long> byCursor = new ArrayList<>();
    long before = 0;
    for (int i = 0; i < 10; i++) {
      EventPage page = client.sdk().listRunEvents(runId, 10, before);
      assertThat(page.runId()).isEqualTo(runId);
      if (page.events().isEmpty()) {
        assertThat(page.nextBeforeEventId()).isNull();
        break;
      }
      page.events().forEach(e -> byCursor.add(e.eventId()));
      before = page.nextBeforeEventId();
    }
    assertThat(byCursor).isEqualTo(byToken);
    List<String> messages = new ArrayList<>();
    allEvents(client, runId).forEach(e -> messages.add(e.get("message").asText()));
    Set<String> expected = new HashSet<>();
    for (int i = 0; i < 25; i++) {
      expected.add("e" + i);
    }
    assertThat(messages).hasSize(25).containsExactlyInAnyOrderElementsOf(expected);
    assertThat(messages.get(0)).isEqualTo("e0");
    assertThat(messages.get(24)).isEqualTo("e24");
  }

  @Test
  void badBeforeEventIdIsInvalidBeforeEventId() {
    String runId = newRun(client);
    for (String value : List.of("abc", "-1", "1.5")) {
      var r = client.get(RUNS + runId + "/events?before_event_id=" + value);
      assertThat(r.status()).as(value).isEqualTo(400);
      assertThat(r.error()).as(value).isEqualTo("invalid_before_event_id");
    }
    var token = client.get(RUNS + runId + "/events?page_token=nonsense");
    assertThat(token.status()).isEqualTo(400);
    assertThat(token.error()).isEqualTo("invalid_page_token");
  }

  @Test
  void emptyEventListHasNoCursor() {
    String runId = newRun(client);
    JsonNode page = client.get(RUNS + runId + "/events").json();
    assertThat(page.get("events")).isEmpty();
    assertThat(page.has("next_before_event_id")).isFalse();
    assertThat(page.has("next_page_token")).isFalse();
  }
}
