package io.animus.datapilot.upload;

import static org.assertj.core.api.Assertions.assertThat;

import io.animus.datapilot.common.Hashing;
import io.animus.datapilot.config.ConfigLoader;
import io.animus.datapilot.testing.Multipart;
import io.animus.datapilot.testing.RawConnection;
import io.animus.datapilot.testing.TestClient;
import io.animus.datapilot.testing.TestServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Uploads share the database pool with everything else: they must not hold a connection while
 * their bytes stream, and a burst of them must fit the default pool (bench/ has the 50 MB version).
 */
class ConcurrentUploadsHttpTest {
  private static final String RUNS = "/api/experiments/experiment-runs/";

  @Test
  @Timeout(value = 120, unit = TimeUnit.SECONDS)
  void twoHundredConcurrentUploadsAgainstTheDefaultPoolAllAnswer201() throws Exception {
    try (TestServer server = TestServer.start(Map.of("DATAPILOT_DATABASE_POOL_SIZE",
        Integer.toString(ConfigLoader.DEFAULT_POOL_SIZE)))) {
      String runId = newRun(server.client());
      byte[] file = new byte[1 << 20];
      new Random(14).nextBytes(file);
      Multipart form = Multipart.sdk().field("kind", "model").file("file", "shard.bin",
          "application/octet-stream", file);
      byte[] body = form.build();
      // 200 connects at once overflow the server's listen queue (50): some SYNs are dropped and retried.
      HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(60)).build();
      int uploads = 200;
      ExecutorService pool = Executors.newFixedThreadPool(uploads);
      CountDownLatch start = new CountDownLatch(1);
      try {
        List<Future<HttpResponse<String>>> answers = new ArrayList<>();
        for (int i = 0; i < uploads; i++) {
          answers.add(pool.submit(() -> {
            HttpRequest request = HttpRequest.newBuilder(URI.create(server.baseUrl() + RUNS + runId + "/artifacts"))
                .header("Content-Type", form.contentType())
                .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                .timeout(Duration.ofSeconds(90))
                .build();
            start.await();
            return http.send(request, HttpResponse.BodyHandlers.ofString());
          }));
        }
        long started = System.nanoTime();
        start.countDown();
        Map<Integer, Integer> statuses = new TreeMap<>();
        for (Future<HttpResponse<String>> answer : answers) {
          statuses.merge(answer.get(100, TimeUnit.SECONDS).statusCode(), 1, Integer::sum);
        }
        System.out.printf("%d concurrent 1 MiB uploads: %s in %d ms%n", uploads, statuses,
            (System.nanoTime() - started) / 1_000_000);
        assertThat(statuses).isEqualTo(Map.of(201, uploads));
      } finally {
        pool.shutdownNow();
      }
      var listed = server.client().get(RUNS + runId + "/artifacts?limit=500").json().get("artifacts");
      assertThat(listed).hasSize(uploads);
      String sha = Hashing.sha256Hex(file);
      listed.forEach(a -> assertThat(a.get("sha256").asText()).isEqualTo(sha));
    }
  }

  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  void anUploadHoldsNoConnectionWhileItsBytesStream() throws Exception {
    // With a pool of one, a request made while an upload is half-sent gets the connection.
    try (TestServer server = TestServer.start(Map.of("DATAPILOT_DATABASE_POOL_SIZE", "1"))) {
      TestClient client = server.client();
      String runId = newRun(client);
      byte[] file = new byte[256 << 10];
      new Random(7).nextBytes(file);
      Multipart form = Multipart.sdk().field("kind", "model").file("file", "half.bin", "application/octet-stream",
          file);
      byte[] body = form.build();
      int half = body.length / 2;
      try (RawConnection upload = new RawConnection(server.app().port())) {
        upload.send("POST " + RUNS + runId + "/artifacts HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            + "Content-Type: " + form.contentType() + "\r\nContent-Length: " + body.length
            + "\r\n\r\n");
        upload.send(Arrays.copyOfRange(body, 0, half));
        Thread.sleep(300);
        for (int i = 0; i < 3; i++) {
          var read = client.get(RUNS + runId);
          assertThat(read.status()).as(read.text()).isEqualTo(200);
        }
        var created = client.post("/api/experiments/experiments", "{\"name\":\"while-uploading\"}");
        assertThat(created.status()).as(created.text()).isEqualTo(201);
        upload.send(Arrays.copyOfRange(body, half, body.length));
        RawConnection.Answer answer = upload.read();
        assertThat(answer.status()).as(answer.body()).isEqualTo(201);
      }
      assertThat(client.get(RUNS + runId + "/artifacts").json().get("artifacts")).hasSize(1);
    }
  }

  private static String newRun(TestClient client) {
    var experiment = client.post("/api/experiments/experiments",
        "{\"name\":\"uploads-" + System.nanoTime() + "\"}");
    assertThat(experiment.status()).as(experiment.text()).isEqualTo(201);
    var run = client.post("/api/experiments/experiments/" + experiment.json().get("experiment_id").asText()
        + "/runs", "{\"metrics\":{},\"params\":{},\"status\":\"running\"}");
    assertThat(run.status()).as(run.text()).isEqualTo(201);
    return run.json().get("run_id").asText();
  }
}
