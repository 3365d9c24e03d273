package io.animus.datapilot.telemetry;

import static io.animus.datapilot.telemetry.RunFixtures.RUNS;
import static io.animus.datapilot.telemetry.RunFixtures.newRun;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.animus.datapilot.auth.RunTokens;
import io.animus.datapilot.kernel.Json;
import io.animus.datapilot.testing.RawConnection;
import io.animus.datapilot.testing.SseSwarm;
import io.animus.datapilot.testing.TestClient;
import io.animus.datapilot.testing.TestServer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.IntSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Thousands of live streams on one run while metrics flow: every stream is answered and gets its
 * frames, ordinary requests keep answering, and the caps refuse the next stream clearly.
 */
@Timeout(180)
class StreamLoadHttpTest {
  private static final int STREAMS = 2000;
  private static final String MARKER = "\"name\":\"probe_after_open\"";
  private static final Pattern REFUSED =
      Pattern.compile("(?m)^datapilot_sse_refused_total\\{limit=\"(\\w+)\"} (\\S+)$");

  /** Latencies of one kind of request, in milliseconds, and whether each answered as expected. */
  private static final class Probe {
    final List<Double> millis = Collections.synchronizedList(new ArrayList<>());
    final List<Integer> unexpected = Collections.synchronizedList(new ArrayList<>());

    void time(int expected, IntSupplier call) {
      long t0 = System.nanoTime();
      int status = call.getAsInt();
      millis.add((System.nanoTime() - t0) / 1e6);
      if (status != expected) {
        unexpected.add(status);
      }
    }

    String summary() {
      List<Double> sorted;
      synchronized (millis) {
        sorted = new ArrayList<>(millis);
      }
      Collections.sort(sorted);
      if (sorted.isEmpty()) {
        return "none";
      }
      return String.format("n=%d p50=%.1f ms p99=%.1f ms max=%.1f ms", sorted.size(),
          sorted.get(sorted.size() / 2), sorted.get((int) Math.min(sorted.size() - 1, sorted.size() * 0.99)),
          sorted.get(sorted.size() - 1));
    }
  }

  private static void await(String what, IntSupplier value, int wanted, long seconds) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    while (value.getAsInt() < wanted && System.nanoTime() < deadline) {
      Thread.sleep(50);
    }
    assertThat(value.getAsInt()).as(what).isEqualTo(wanted);
  }

  private static Thread loop(String name, AtomicBoolean stop, long pauseMillis, Runnable step) {
    Thread t = new Thread(() -> {
      while (!stop.get()) {
        step.run();
        try {
          Thread.sleep(pauseMillis);
        } catch (InterruptedException e) {
          return;
        }
      }
    }, name);
    t.setDaemon(true);
    t.start();
    return t;
  }

  @Test
  void twoThousandStreamsGetTheirFramesWhileReadyzAndWritesKeepAnsweringThenTheCapsRefuse() throws Exception {
    // one caller (the dev user) may hold exactly the 2,000 streams; one more stream fits on the server
    try (TestServer server = TestServer.start(Map.of("DATAPILOT_STREAM_MAX_PER_PRINCIPAL", Integer.toString(STREAMS),
        "DATAPILOT_STREAM_MAX_OPEN", Integer.toString(STREAMS + 1)))) {
      TestClient client = server.client();
      String runId = newRun(client);
      String path = RUNS + runId + "/stream";
      int port = Integer.parseInt(server.baseUrl().substring(server.baseUrl().lastIndexOf(':') + 1));
      Probe readyz = new Probe();
      Probe writes = new Probe();
      AtomicBoolean stop = new AtomicBoolean();
      int[] step = {0};
      Thread writer = loop("metric-writer", stop, 50, () -> writes.time(201, () -> client.post(RUNS + runId
          + "/metrics", "{\"metrics\":{\"load\":" + step[0] + "},\"step\":" + step[0]++ + "}").status()));
      Thread prober = loop("readyz-prober", stop, 50, () -> readyz.time(200, () -> client.get("/readyz").status()));
      try (SseSwarm swarm = new SseSwarm(port, path)) {
        swarm.grow(STREAMS);
        await("streams answered 200", swarm::ok, STREAMS, 90);
        await("streams that got their ready frame", swarm::ready, STREAMS, 30);
        String openPhase = "while opening: /readyz " + readyz.summary() + "; metric writes " + writes.summary();

        // a point written after every stream opened reaches every stream
        swarm.watch(MARKER);
        writes.time(201, () -> client.post(RUNS + runId + "/metrics",
            "{\"metrics\":{\"probe_after_open\":1},\"step\":1}").status());
        await("streams that got the point written after all opened", swarm::marked, STREAMS, 60);
        assertThat(swarm.ended()).as("streams the server ended").isZero();
        assertThat(swarm.failed()).as("broken stream connections").isZero();

        // the caller's next stream is over its cap
        try (RawConnection extra = new RawConnection(port)) {
          RawConnection.Answer refused = extra.send("GET " + path + " HTTP/1.1\r\nHost: x\r\n\r\n").read();
          assertRefused(refused, "streams_per_principal", STREAMS);
        }
        // another caller (a run token) gets the server's last place, and the next one is over the server's cap
        long now = Instant.now().getEpochSecond();
        String token = server.app().runTokens().issue(new RunTokens.Claims(runId, null, now, now + 3600));
        String withToken = "GET " + path + " HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + token + "\r\n\r\n";
        try (RawConnection last = new RawConnection(port); RawConnection over = new RawConnection(port)) {
          assertThat(last.send(withToken).read().status()).isEqualTo(200);
          assertRefused(over.send(withToken).read(), "streams_per_server", STREAMS + 1);
        }
        stop.set(true);
        writer.join(30_000);
        prober.join(30_000);
        System.out.println("StreamLoadHttpTest, " + STREAMS + " streams: " + openPhase);
        System.out.println("StreamLoadHttpTest, " + STREAMS + " streams: overall: /readyz " + readyz.summary()
            + "; metric writes " + writes.summary());
      } finally {
        stop.set(true);
      }
      assertThat(readyz.unexpected).as("/readyz answers other than 200").isEmpty();
      assertThat(writes.unexpected).as("metric write answers other than 201").isEmpty();
      assertThat(readyz.millis).isNotEmpty();
      Map<String, Double> refusals = refusals(client);
      assertThat(refusals).containsEntry("principal", 1.0).containsEntry("server", 1.0);

      // the closed readers' places come back once their next write fails (metrics keep it short)
      for (int i = 0; i < 200 && openStreams(client) > 0; i++) {
        client.post(RUNS + runId + "/metrics", "{\"metrics\":{\"after\":" + i + "},\"step\":" + i + "}");
        Thread.sleep(100);
      }
      assertThat(openStreams(client)).as("open streams after every reader left").isZero();
    }
  }

  private static void assertRefused(RawConnection.Answer answer, String limit, int max) {
    assertThat(answer.status()).as(answer.body()).isEqualTo(503);
    assertThat(answer.headers().get("retry-after")).isEqualTo("5");
    assertThat(answer.headers().get("content-type")).startsWith("application/json");
    JsonNode body = Json.parse(answer.body().getBytes(java.nio.charset.StandardCharsets.UTF_8));
    assertThat(body.get("error").asText()).isEqualTo("service_unavailable");
    assertThat(body.get("request_id").asText()).isNotEmpty();
    assertThat(body.get("details").get("limit").asText()).isEqualTo(limit);
    assertThat(body.get("details").get("max_streams").asInt()).isEqualTo(max);
  }

  private static Map<String, Double> refusals(TestClient client) {
    Matcher m = REFUSED.matcher(client.get("/metrics").text());
    Map<String, Double> out = new java.util.HashMap<>();
    while (m.find()) {
      out.put(m.group(1), Double.parseDouble(m.group(2)));
    }
    return out;
  }

  private static int openStreams(TestClient client) {
    Matcher m = Pattern.compile("(?m)^datapilot_sse_connections(?:\\{[^}]*})? (\\S+)$")
        .matcher(client.get("/metrics").text());
    assertThat(m.find()).isTrue();
    return (int) Double.parseDouble(m.group(1));
  }
}
