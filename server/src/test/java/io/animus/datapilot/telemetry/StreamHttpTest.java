package io.animus.datapilot.telemetry;

import static io.animus.datapilot.telemetry.RunFixtures.RUNS;
import static io.animus.datapilot.telemetry.RunFixtures.allEvents;
import static io.animus.datapilot.telemetry.RunFixtures.newRun;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.animus.datapilot.testing.TestClient;
import io.animus.datapilot.testing.ServerExtension;
import io.animus.datapilot.testing.TestServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.Timeout;

@Timeout(180)
class StreamHttpTest {
  private static final Duration WAIT = Duration.ofSeconds(15);
  /** Below the 15 s keep-alive ping, so a metrics frame held back until the next write would fail. */
  private static final Duration METRICS_WAIT = Duration.ofSeconds(8);
  static TestServer server;
  static TestClient client;

  @RegisterExtension
  static final ServerExtension SERVER = ServerExtension.started(s -> {
    server = s;
    client = s.client();
  });

  private static SseClient stream(TestServer on, String runId, String query, Map<String, String> headers) {
    return SseClient.open(on.baseUrl() + RUNS + runId + "/stream" + query, headers);
  }

  private static SseClient stream(String runId, String query) {
    return stream(server, runId, query, Map.of());
  }

  private static JsonNode postEvent(TestClient via, String runId, String message) {
    var r = via.post(RUNS + runId + "/events", "{\"level\":\"info\",\"message\":\"" + message + "\"}");
    assertThat(r.status()).as(r.text()).isEqualTo(201);
    return r.json();
  }

  /** Reads the connect frames (ready, then the current status) and checks them. */
  private static void expectConnectFrames(SseClient sse, String runId, String status) throws InterruptedException {
    SseClient.Frame ready = sse.next(WAIT);
    assertThat(ready.event()).isEqualTo("ready");
    assertThat(ready.id()).isNull();
    assertThat(ready.json().get("run_id").asText()).isEqualTo(runId);
    SseClient.Frame current = sse.next(WAIT);
    assertThat(current.event()).isEqualTo("status");
    assertThat(current.json().get("status").asText()).isEqualTo(status);
  }

  private static List<Long> eventIds(SseClient sse, int count) throws InterruptedException {
    List<Long> ids = new ArrayList<>();
    while (ids.size() < count) {
      ids.add(sse.next("event", WAIT).eventId());
    }
    return ids;
  }

  @Test
  void streamSendsReadyAndStatusThenLiveMetricsEventAndStatusFrames() throws Exception {
    String runId = newRun(client);
    try (SseClient sse = stream(runId, "")) {
      assertThat(sse.status()).isEqualTo(200);
      assertThat(sse.header("Content-Type")).startsWith("text/event-stream");
      assertThat(sse.header("Cache-Control")).isEqualTo("no-cache");
      assertThat(sse.header("X-Accel-Buffering")).isEqualTo("no");

      SseClient.Frame ready = sse.next(WAIT);
      assertThat(ready.event()).isEqualTo("ready");
      JsonNode readyData = ready.json();
      List<String> readyFields = new ArrayList<>();
      readyData.fieldNames().forEachRemaining(readyFields::add);
      assertThat(readyFields).containsExactly("request_id", "run_id", "server_ts");
      assertThat(readyData.get("request_id").asText()).isEqualTo(sse.header("X-Request-Id"));
      assertThat(readyData.get("run_id").asText()).isEqualTo(runId);
      assertThat(readyData.get("server_ts").asLong())
          .isBetween(Instant.now().getEpochSecond() - 300, Instant.now().getEpochSecond() + 300);

      SseClient.Frame status = sse.next(WAIT);
      assertThat(status.event()).isEqualTo("status");
      assertThat(status.id()).isNull();
      JsonNode state = status.json();
      assertThat(state.get("run_id").asText()).isEqualTo(runId);
      assertThat(state.get("status").asText()).isEqualTo("running");
      assertThat(state.get("state_id").asText()).hasSize(36);
      assertThat(state.get("details").get("actor").asText()).isEqualTo("dev-user");

      var posted = client.post(RUNS + runId + "/metrics", "{\"metrics\":{\"acc\":NaN,\"loss\":0.5},\"step\":1}");
      assertThat(posted.status()).isEqualTo(201);
      SseClient.Frame metrics = sse.next("metrics", METRICS_WAIT);
      assertThat(metrics.id()).isNull();
      JsonNode samples = metrics.json().get("samples");
      Map<String, JsonNode> byName = new HashMap<>();
      samples.forEach(s -> byName.put(s.get("name").asText(), s));
      assertThat(byName).containsOnlyKeys("acc", "loss");
      assertThat(byName.get("loss").get("step").asLong()).isEqualTo(1);
      assertThat(byName.get("loss").get("value").asDouble()).isEqualTo(0.5);
      assertThat(byName.get("loss").get("recorded_at").asText()).endsWith("Z");
      assertThat(byName.get("acc").get("value").isTextual()).isTrue();
      assertThat(byName.get("acc").get("value").asText()).isEqualTo("NaN");

      JsonNode event = postEvent(client, runId, "epoch 1 done");
      SseClient.Frame eventFrame = sse.next("event", WAIT);
      assertThat(eventFrame.eventId()).isEqualTo(event.get("event_id").asLong());
      assertThat(eventFrame.json()).isEqualTo(event);

      assertThat(client.post(RUNS + runId + "/status", "{\"status\":\"succeeded\"}").status()).isEqualTo(200);
      SseClient.Frame moved = sse.next(WAIT);
      assertThat(moved.event()).isEqualTo("status");
      assertThat(moved.json().get("status").asText()).isEqualTo("succeeded");
      SseClient.Frame movedEvent = sse.next(WAIT);
      assertThat(movedEvent.event()).isEqualTo("event");
      assertThat(movedEvent.json().get("message").asText()).isEqualTo("run succeeded");
      assertThat(movedEvent.eventId()).isGreaterThan(eventFrame.eventId());
    }
  }

  @Test
  void manyMetricWritesArriveAsCoalescedFramesHoldingEverySample() throws Exception {
    String runId = newRun(client);
    try (SseClient sse = stream(runId, "")) {
      expectConnectFrames(sse, runId, "running");
      StringBuilder batch = new StringBuilder("{\"points\":[");
      for (int i = 0; i < 200; i++) {
        batch.append(i > 0 ? "," : "").append("{\"name\":\"loss\",\"step\":").append(i).append(",\"value\":")
            .append(i).append('}');
      }
      assertThat(client.post(RUNS + runId + "/metrics:batch", batch.append("]}").toString()).status())
          .isEqualTo(201);
      for (int step = 200; step < 210; step++) {
        client.post(RUNS + runId + "/metrics", "{\"metrics\":{\"loss\":" + step + "},\"step\":" + step + "}");
      }
      List<Long> steps = new ArrayList<>();
      while (steps.size() < 210) {
        sse.next("metrics", METRICS_WAIT).json().get("samples").forEach(s -> {
          assertThat(s.get("value").asLong()).isEqualTo(s.get("step").asLong());
          steps.add(s.get("step").asLong());
        });
      }
      assertThat(steps).hasSize(210).doesNotHaveDuplicates();
      assertThat(steps).containsAll(List.of(0L, 47L, 48L, 199L, 209L));
    }
  }

  @Test
  void afterEventIdReplaysLaterEventsInOrderThenContinuesLive() throws Exception {
    String runId = newRun(client);
    List<Long> ids = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      ids.add(postEvent(client, runId, "e" + i).get("event_id").asLong());
    }
    try (SseClient sse = stream(runId, "?after_event_id=" + ids.get(1))) {
      expectConnectFrames(sse, runId, "running");
      SseClient.Frame third = sse.next(WAIT);
      assertThat(third.event()).isEqualTo("event");
      assertThat(third.json().get("message").asText()).isEqualTo("e2");
      assertThat(eventIds(sse, 2)).containsExactly(ids.get(3), ids.get(4));
      long live = postEvent(client, runId, "e5").get("event_id").asLong();
      assertThat(eventIds(sse, 1)).containsExactly(live);
    }
    try (SseClient sse = stream(runId, "?after_event_id=0")) {
      expectConnectFrames(sse, runId, "running");
      assertThat(eventIds(sse, 6)).startsWith(ids.toArray(Long[]::new));
    }
  }

  @Test
  void aReaderThatKeepsUpReceivesABatchLargerThanTheBudgetWithoutBeingCutOff() throws Exception {
    String runId = newRun(client);
    try (SseClient sse = stream(runId, "")) {
      expectConnectFrames(sse, runId, "running");
      // 1000 events of ~2.5 KB: about 2.5 MiB of frames offered at once, more than the 1 MiB budget.
      StringBuilder body = new StringBuilder("{\"events\":[");
      String message = "x".repeat(2500);
      for (int i = 0; i < 1000; i++) {
        body.append(i == 0 ? "" : ",").append("{\"level\":\"info\",\"message\":\"").append(i).append(' ')
            .append(message).append("\"}");
      }
      body.append("]}");
      var answer = client.post("/api/experiments/experiment-runs/" + runId + "/events:batch", body.toString());
      assertThat(answer.status()).isEqualTo(201);
      List<Long> ids = eventIds(sse, 1000);
      assertThat(ids).hasSize(1000).isSorted().doesNotHaveDuplicates();
      long live = postEvent(client, runId, "after the burst").get("event_id").asLong();
      assertThat(eventIds(sse, 1)).containsExactly(live);
    }
  }

  @Test
  void lastEventIdWinsOverAfterEventId() throws Exception {
    String runId = newRun(client);
    List<Long> ids = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      ids.add(postEvent(client, runId, "e" + i).get("event_id").asLong());
    }
    try (SseClient sse = stream(server, runId, "?after_event_id=" + ids.get(0),
        Map.of("Last-Event-ID", Long.toString(ids.get(3))))) {
      expectConnectFrames(sse, runId, "running");
      long live = postEvent(client, runId, "e5").get("event_id").asLong();
      assertThat(eventIds(sse, 2)).containsExactly(ids.get(4), live);
    }
  }

  @Test
  void nonIntegerLastEventIdFallsBackToAfterEventId() throws Exception {
    String runId = newRun(client);
    List<Long> ids = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      ids.add(postEvent(client, runId, "e" + i).get("event_id").asLong());
    }
    try (SseClient sse = stream(server, runId, "?after_event_id=" + ids.get(0),
        Map.of("Last-Event-ID", "not-a-number"))) {
      expectConnectFrames(sse, runId, "running");
      assertThat(eventIds(sse, 2)).containsExactly(ids.get(1), ids.get(2));
    }
  }

  @Test
  void withoutCursorThereIsNoBacklog() throws Exception {
    String runId = newRun(client);
    postEvent(client, runId, "before");
    try (SseClient sse = stream(runId, "")) {
      expectConnectFrames(sse, runId, "running");
      JsonNode live = postEvent(client, runId, "after");
      SseClient.Frame first = sse.next("event", WAIT);
      assertThat(first.json().get("message").asText()).isEqualTo("after");
      assertThat(first.eventId()).isEqualTo(live.get("event_id").asLong());
    }
  }

  @Test
  void withoutCursorEventsCommittedBeforeConnectingAreNotSentEvenWhileTheHubLagsBehind() throws Exception {
    String runId = newRun(client);
    try (SseClient watcher = stream(runId, "")) {
      expectConnectFrames(watcher, runId, "running");
      // a watcher makes the hub read every batch back, so it falls behind the commits below
      ExecutorService pool = Executors.newFixedThreadPool(4);
      try {
        List<Future<TestClient.Response>> posts = new ArrayList<>();
        for (int b = 0; b < 16; b++) {
          StringBuilder body = new StringBuilder("{\"events\":[");
          for (int i = 0; i < 1000; i++) {
            body.append(i > 0 ? "," : "").append("{\"level\":\"info\",\"message\":\"before ").append(b)
                .append('-').append(i).append("\"}");
          }
          String json = body.append("]}").toString();
          posts.add(pool.submit(() -> client.post(RUNS + runId + "/events:batch", json)));
        }
        for (Future<TestClient.Response> post : posts) {
          assertThat(post.get(60, TimeUnit.SECONDS).status()).isEqualTo(201);
        }
      } finally {
        pool.shutdownNow();
      }
      try (SseClient late = stream(runId, "")) {
        expectConnectFrames(late, runId, "running");
        JsonNode live = postEvent(client, runId, "after");
        SseClient.Frame first = late.next("event", WAIT);
        assertThat(first.json().get("message").asText()).isEqualTo("after");
        assertThat(first.eventId()).isEqualTo(live.get("event_id").asLong());
      }
    }
  }

  @Test
  void invalidAfterEventIdIs400() throws Exception {
    String runId = newRun(client);
    for (String value : List.of("abc", "-1", "1.5")) {
      try (SseClient sse = stream(runId, "?after_event_id=" + value)) {
        assertThat(sse.status()).as(value).isEqualTo(400);
        assertThat(sse.header("Content-Type")).startsWith("application/json");
        assertThat(sse.errorBody()).contains("\"error\":\"invalid_after_event_id\"");
      }
    }
  }

  @Test
  void streamOfAnUnknownRunIs404() throws Exception {
    for (String runId : List.of(UUID.randomUUID().toString(), "nope")) {
      try (SseClient sse = stream(runId, "")) {
        assertThat(sse.status()).isEqualTo(404);
        assertThat(sse.errorBody()).contains("\"error\":\"not_found\"");
      }
    }
  }

  @Test
  void resumingClientReceivesEveryEventOfConcurrentWritersExactlyOnceInOrder() throws Exception {
    String runId = newRun(client);
    int writers = 4;
    int perWriter = 200;
    ExecutorService pool = Executors.newFixedThreadPool(writers);
    List<Long> received = new ArrayList<>();
    int connections = 0;
    try {
      List<Future<?>> done = new ArrayList<>();
      for (int w = 0; w < writers; w++) {
        int writer = w;
        done.add(pool.submit(() -> {
          for (int i = 0; i < perWriter; i++) {
            postEvent(client, runId, "w" + writer + "-" + i);
          }
          return null;
        }));
      }
      Random random = new Random(42);
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
      while (received.size() < writers * perWriter && System.nanoTime() < deadline) {
        Map<String, String> headers = received.isEmpty() ? Map.of()
            : Map.of("Last-Event-ID", Long.toString(received.get(received.size() - 1)));
        connections++;
        try (SseClient sse = stream(server, runId, "?after_event_id=0", headers)) {
          assertThat(sse.status()).isEqualTo(200);
          int take = 1 + random.nextInt(60);
          for (int n = 0; n < take; ) {
            SseClient.Frame f = sse.poll(Duration.ofSeconds(5));
            if (f == null) {
              break;
            }
            if ("event".equals(f.event())) {
              received.add(f.eventId());
              n++;
            }
          }
        }
      }
      for (Future<?> f : done) {
        f.get(60, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }

    assertThat(connections).isGreaterThan(5);
    assertThat(received).hasSize(writers * perWriter).doesNotHaveDuplicates().isSorted();
    List<Long> stored = allEvents(client, runId).stream().map(e -> e.get("event_id").asLong()).toList();
    assertThat(received).isEqualTo(stored);
  }

  @Test
  void watcherOnASecondReplicaReceivesFramesWrittenThroughTheFirst() throws Exception {
    try (TestServer replica = TestServer.startSharing(server, Map.of())) {
      String runId = newRun(client);
      try (SseClient sse = stream(replica, runId, "", Map.of())) {
        expectConnectFrames(sse, runId, "running");

        JsonNode event = postEvent(client, runId, "written through the first replica");
        SseClient.Frame eventFrame = sse.next("event", WAIT);
        assertThat(eventFrame.eventId()).isEqualTo(event.get("event_id").asLong());
        assertThat(eventFrame.json()).isEqualTo(event);

        client.post(RUNS + runId + "/metrics", "{\"metrics\":{\"loss\":0.125},\"step\":3}");
        JsonNode sample = sse.next("metrics", METRICS_WAIT).json().get("samples").get(0);
        assertThat(sample.get("name").asText()).isEqualTo("loss");
        assertThat(sample.get("step").asLong()).isEqualTo(3);
        assertThat(sample.get("value").asDouble()).isEqualTo(0.125);

        client.post(RUNS + runId + "/status", "{\"status\":\"failed\"}");
        SseClient.Frame status = sse.next("status", WAIT);
        assertThat(status.json().get("status").asText()).isEqualTo("failed");
        SseClient.Frame failedEvent = sse.next("event", WAIT);
        assertThat(failedEvent.json().get("message").asText()).isEqualTo("run failed");
        assertThat(failedEvent.json().get("level").asText()).isEqualTo("error");
      }
    }
  }

  private static final Pattern SSE_GAUGE = Pattern.compile("(?m)^datapilot_sse_connections(?:\\{[^}]*})? (\\S+)$");

  private static int openStreams(TestClient via) {
    var r = via.get("/metrics");
    assertThat(r.status()).isEqualTo(200);
    Matcher m = SSE_GAUGE.matcher(r.text());
    assertThat(m.find()).as("datapilot_sse_connections in /metrics").isTrue();
    return (int) Double.parseDouble(m.group(1));
  }

  private static void awaitOpenStreams(TestClient via, int wanted) throws InterruptedException {
    for (int i = 0; i < 100 && openStreams(via) != wanted; i++) {
      Thread.sleep(100);
    }
    assertThat(openStreams(via)).isEqualTo(wanted);
  }

  /** What a raw reader got: the body text, and whether the server ended it (last chunk or EOF). */
  private record RawBody(String text, boolean ended) {}

  /** Reads an HTTP/1.1 response with a chunked body until its last chunk, EOF or the read timeout. */
  private static RawBody readChunkedBody(InputStream in) throws IOException {
    String head = readLine(in);
    assertThat(head).startsWith("HTTP/1.1 200");
    boolean chunked = false;
    for (String line = readLine(in); line != null && !line.isEmpty(); line = readLine(in)) {
      if (line.toLowerCase(Locale.ROOT).startsWith("transfer-encoding:") && line.contains("chunked")) {
        chunked = true;
      }
    }
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    boolean ended = false;
    try {
      if (!chunked) {
        in.transferTo(body);
        ended = true;
      } else {
        while (!ended) {
          String size = readLine(in);
          int length = size == null ? 0 : Integer.parseInt(size.split(";")[0].trim(), 16);
          if (length == 0) {
            ended = true;
          } else {
            body.write(in.readNBytes(length));
            readLine(in);
          }
        }
      }
    } catch (SocketTimeoutException e) {
      // the stream stayed open: reported through RawBody.ended
    }
    return new RawBody(body.toString(StandardCharsets.UTF_8), ended);
  }

  private static String readLine(InputStream in) throws IOException {
    ByteArrayOutputStream line = new ByteArrayOutputStream();
    int c;
    while ((c = in.read()) != -1) {
      if (c == '\n') {
        String text = line.toString(StandardCharsets.US_ASCII);
        return text.endsWith("\r") ? text.substring(0, text.length() - 1) : text;
      }
      line.write(c);
    }
    return line.size() == 0 ? null : line.toString(StandardCharsets.US_ASCII);
  }

  @Test
  void slowReaderGetsSlowConsumerErrorAndIsDisconnected() throws Exception {
    try (TestServer own = TestServer.start()) {
      TestClient api = own.client();
      String runId = newRun(api);
      int port = Integer.parseInt(own.baseUrl().substring(own.baseUrl().lastIndexOf(':') + 1));
      try (Socket slow = new Socket()) {
        slow.setReceiveBufferSize(4096);
        slow.connect(new InetSocketAddress("127.0.0.1", port), 5000);
        slow.setSoTimeout(30_000);
        OutputStream request = slow.getOutputStream();
        request.write(("GET " + RUNS + runId + "/stream HTTP/1.1\r\nHost: 127.0.0.1:" + port
            + "\r\nAccept: text/event-stream\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        request.flush();
        awaitOpenStreams(api, 1);

        // the hub fans changes out in commit order, one at a time: once a reader of another run
        // has an event written after the big batches, every frame was offered to the slow reader
        String otherRun = newRun(api);
        try (SseClient fast = stream(own, otherRun, "", Map.of())) {
          expectConnectFrames(fast, otherRun, "running");
          awaitOpenStreams(api, 2);
          String message = "x".repeat(2000);
          int batches = 6;
          for (int b = 0; b < batches; b++) {
            StringBuilder body = new StringBuilder("{\"events\":[");
            for (int i = 0; i < 1000; i++) {
              body.append(i > 0 ? "," : "").append("{\"level\":\"info\",\"message\":\"").append(b).append('-')
                  .append(i).append(' ').append(message).append("\"}");
            }
            var r = api.post(RUNS + runId + "/events:batch", body.append("]}").toString());
            assertThat(r.status()).as(r.text()).isEqualTo(201);
          }
          long marker = postEvent(api, otherRun, "after the big batches").get("event_id").asLong();
          assertThat(fast.next("event", WAIT).eventId()).isEqualTo(marker);

          RawBody received = readChunkedBody(slow.getInputStream());

          assertThat(received.ended()).as("the server ended the slow stream").isTrue();
          List<String> frames = List.of(received.text().split("\n\n"));
          assertThat(frames.get(0)).startsWith("event: ready\n");
          assertThat(frames.get(frames.size() - 1))
              .isEqualTo("event: error\ndata: {\"error\":\"slow_consumer\"}");
          long eventFrames = frames.stream().filter(f -> f.startsWith("event: event\n")).count();
          assertThat(eventFrames).isLessThan(batches * 1000L);
          assertThat(api.get("/healthz").status()).isEqualTo(200);
          awaitOpenStreams(api, 1);

          long live = postEvent(api, otherRun, "the other reader still streams").get("event_id").asLong();
          assertThat(fast.next("event", WAIT).eventId()).isEqualTo(live);
        }
      }
    }
  }

  @Test
  void headAnswersTheStreamHeadersWithoutOpeningAStream() throws Exception {
    String runId = newRun(client);
    int port = Integer.parseInt(server.baseUrl().substring(server.baseUrl().lastIndexOf(':') + 1));
    int before = openStreams(client);
    try (io.animus.datapilot.testing.RawConnection raw = new io.animus.datapilot.testing.RawConnection(port)) {
      var answer = raw.send("HEAD " + RUNS + runId + "/stream HTTP/1.1\r\nHost: x\r\n\r\n").read();
      assertThat(answer.status()).isEqualTo(200);
      assertThat(answer.headers().get("content-type")).startsWith("text/event-stream");
      assertThat(answer.headers().get("cache-control")).isEqualTo("no-cache");
      assertThat(answer.body()).isEmpty();
      // the connection stays usable: the HEAD left nothing open on it
      var again = raw.send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n").read();
      assertThat(again.status()).isEqualTo(200);
    }
    assertThat(openStreams(client)).isEqualTo(before);
  }

  @Test
  void stoppingTheServerEndsOpenStreamsAtOnce() throws Exception {
    TestServer own = TestServer.start();
    String runId = newRun(own.client());
    List<SseClient> streams = new ArrayList<>();
    try {
      for (int i = 0; i < 5; i++) {
        SseClient sse = stream(own, runId, "?after_event_id=0", Map.of());
        streams.add(sse);
        expectConnectFrames(sse, runId, "running");
      }
      long t0 = System.nanoTime();
      own.close(); // a graceful stop that waited for the streams would take its whole 10 s stop timeout
      System.out.printf("server stop with %d open streams took %d ms%n", streams.size(),
          (System.nanoTime() - t0) / 1_000_000);
      for (SseClient sse : streams) {
        assertThat(sse.awaitEnd(WAIT)).as("the stream ended with the server").isTrue();
      }
    } finally {
      streams.forEach(SseClient::close);
    }
  }
}
