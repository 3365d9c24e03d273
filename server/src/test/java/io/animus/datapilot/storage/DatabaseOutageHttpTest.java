package io.animus.datapilot.storage;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.animus.datapilot.App;
import io.animus.datapilot.config.ConfigLoader;
import io.animus.datapilot.testing.Multipart;
import io.animus.datapilot.testing.TestClient;
import io.animus.datapilot.testing.TestServer;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The database going away, or the pool running dry, is an outage the client should ride out:
 * 503 {@code service_unavailable} with {@code Retry-After} and the JSON error body, promptly, and
 * nothing that was refused is stored. The outage test runs its own PostgreSQL so that it can stop
 * and start it without touching the database other tests share.
 */
class DatabaseOutageHttpTest {
  private static final String EXPERIMENTS = "/api/experiments/experiments";
  private static final String RUNS = "/api/experiments/experiment-runs/";

  @Test
  @Timeout(value = 180, unit = TimeUnit.SECONDS)
  void whileTheDatabaseIsDownReadsAndWritesAnswer503AndNothingRefusedIsStored(@TempDir Path dir) throws Exception {
    int port = freePort();
    Path pgDir = dir.resolve("pg");
    EmbeddedPostgres pg = startPostgres(pgDir, port);
    Map<String, String> env = Map.of("DATAPILOT_LISTEN", "127.0.0.1:0",
        "DATAPILOT_DATA_DIR", dir.resolve("data").toString(),
        "DATAPILOT_DATABASE_URL", pg.getJdbcUrl("postgres", "postgres"),
        "DATAPILOT_DATABASE_USER", "postgres");
    try (App app = App.start(new ConfigLoader(env, Map.of()).load())) {
      TestClient client = new TestClient("http://127.0.0.1:" + app.port());
      String experimentId = created(client.post(EXPERIMENTS, "{\"name\":\"before-outage\"}"), "experiment_id");
      String runId = created(client.post(EXPERIMENTS + "/" + experimentId + "/runs",
          "{\"metrics\":{},\"params\":{},\"status\":\"running\"}"), "run_id");
      Form before = Form.of(Multipart.sdk().field("kind", "model").file("file", "before.bin",
          "application/octet-stream", bytes(64 << 10, 1)));
      assertThat(upload(client, runId, before).status()).isEqualTo(201);

      pg.close();
      String outageKey = "outage-" + UUID.randomUUID();
      Form during = Form.of(Multipart.sdk().field("kind", "model").file("file", "during.bin",
          "application/octet-stream", bytes(256 << 10, 2)));
      Map<String, Supplier<TestClient.Response>> calls = new LinkedHashMap<>();
      calls.put("create experiment", () -> client.post(EXPERIMENTS, "{\"name\":\"during-outage-1\"}"));
      calls.put("create experiment with Idempotency-Key", () -> client.post(EXPERIMENTS,
          "{\"name\":\"during-outage-2\"}", Map.of("Idempotency-Key", outageKey)));
      calls.put("get experiment", () -> client.get(EXPERIMENTS + "/" + experimentId));
      calls.put("list experiments", () -> client.get(EXPERIMENTS));
      calls.put("metrics batch", () -> client.post(RUNS + runId + "/metrics:batch",
          "{\"points\":[{\"step\":1,\"name\":\"outage_loss\",\"value\":1.5}]}"));
      calls.put("event", () -> client.post(RUNS + runId + "/events", "{\"message\":\"written during the outage\"}"));
      calls.put("artifact upload", () -> upload(client, runId, during));
      List<TestClient.Response> refused = concurrently(calls);
      for (TestClient.Response r : refused) {
        assertServiceUnavailable(r);
      }
      TestClient.Response ready = timed("readyz", () -> client.get("/readyz"));
      assertThat(ready.status()).isEqualTo(503);
      assertThat(ready.json().get("status").asText()).isEqualTo("not_ready");
      assertThat(ready.json().at("/checks/0/name").asText()).isEqualTo("database");
      assertThat(ready.json().at("/checks/0/status").asText()).isEqualTo("fail");
      assertThat(client.get("/healthz").status()).isEqualTo(200);

      pg = startPostgres(pgDir, port);
      long back = System.nanoTime();
      awaitStatus(client, "/readyz", 200);
      System.out.printf("ready %d ms after the database was back%n", (System.nanoTime() - back) / 1_000_000);
      // The pool's reconnect backs off (at most 5 s between attempts) while the database is away.
      awaitStatus(client, EXPERIMENTS, 200);
      System.out.printf("serving %d ms after the database was back%n", (System.nanoTime() - back) / 1_000_000);
      assertThat(client.get(EXPERIMENTS + "?name=during-outage-1").json().get("experiments")).isEmpty();
      assertThat(client.get(EXPERIMENTS + "?name=during-outage-2").json().get("experiments")).isEmpty();
      JsonNode artifacts = client.get(RUNS + runId + "/artifacts").json().get("artifacts");
      assertThat(artifacts).hasSize(1);
      assertThat(artifacts.get(0).get("filename").asText()).isEqualTo("before.bin");
      assertThat(client.get(RUNS + runId + "/metrics").text()).doesNotContain("outage_loss");
      assertThat(client.get(RUNS + runId + "/events").text()).doesNotContain("written during the outage");
      try (Stream<Path> files = Files.walk(dir.resolve("data").resolve("blobs"))) {
        assertThat(files.filter(Files::isRegularFile).map(Path::getFileName).map(Path::toString))
            .as("blob files after the outage").containsExactly("before.bin");
      }

      // Everything works again, and the key of a refused create is free for the retry.
      var retried = client.post(EXPERIMENTS, "{\"name\":\"during-outage-2\"}", Map.of("Idempotency-Key", outageKey));
      assertThat(retried.status()).as(retried.text()).isEqualTo(201);
      assertThat(retried.header("Idempotent-Replayed")).isNull();
      assertThat(upload(client, runId, during).status()).isEqualTo(201);
      assertThat(client.post(RUNS + runId + "/metrics:batch",
          "{\"points\":[{\"step\":1,\"name\":\"outage_loss\",\"value\":1.5}]}").status()).isEqualTo(201);
      assertThat(client.get(RUNS + runId + "/metrics").text()).contains("outage_loss");
    } finally {
      pg.close();
    }
  }

  @Test
  @Timeout(value = 120, unit = TimeUnit.SECONDS)
  void whenThePoolIsExhaustedTheOverflowAnswers503AndEveryAcknowledgedCreateIsStored() throws Exception {
    try (TestServer server = TestServer.start(Map.of("DATAPILOT_DATABASE_POOL_SIZE", "1"));
         Connection locker = DriverManager.getConnection(server.databaseUrl(), "postgres", "")) {
      TestClient client = server.client();
      String project = "pool-" + UUID.randomUUID().toString().substring(0, 8);
      Map<String, String> headers = Map.of("X-Project-Id", project);
      assertThat(client.post(EXPERIMENTS, "{\"name\":\"warm-up\"}", headers).status()).isEqualTo(201);
      // A slow request: the first create waits on a table lock while it holds the pool's only connection.
      locker.setAutoCommit(false);
      try (Statement s = locker.createStatement()) {
        s.execute("LOCK TABLE experiments IN ACCESS EXCLUSIVE MODE");
      }
      ExecutorService pool = Executors.newFixedThreadPool(16);
      try {
        List<String> names = new ArrayList<>();
        List<Future<TestClient.Response>> answers = new ArrayList<>();
        names.add("slow-0");
        answers.add(pool.submit(() -> client.post(EXPERIMENTS, "{\"name\":\"slow-0\"}", headers)));
        awaitLockWaiter(locker);
        for (int i = 1; i <= 12; i++) {
          String name = "overflow-" + i;
          names.add(name);
          answers.add(pool.submit(() -> timed(name, () -> client.post(EXPERIMENTS, "{\"name\":\"" + name + "\"}",
              headers))));
        }
        List<TestClient.Response> overflow = new ArrayList<>();
        for (int i = 1; i < answers.size(); i++) {
          overflow.add(answers.get(i).get(60, TimeUnit.SECONDS));
        }
        locker.rollback();
        TestClient.Response slow = answers.get(0).get(60, TimeUnit.SECONDS);
        assertThat(slow.status()).as(slow.text()).isEqualTo(201);
        for (TestClient.Response r : overflow) {
          assertServiceUnavailable(r);
        }
        // Acknowledged means stored; refused means absent.
        for (int i = 0; i < names.size(); i++) {
          TestClient.Response r = i == 0 ? slow : overflow.get(i - 1);
          JsonNode found = client.send("GET", EXPERIMENTS + "?name=" + names.get(i), null, headers).json().get("experiments");
          assertThat(found).as(names.get(i) + " answered " + r.status()).hasSize(r.status() == 201 ? 1 : 0);
        }
      } finally {
        pool.shutdownNow();
      }
    }
  }

  static void assertServiceUnavailable(TestClient.Response r) {
    assertThat(r.status()).as(r.text()).isEqualTo(503);
    assertThat(r.header("Content-Type")).startsWith("application/json");
    assertThat(r.error()).isEqualTo("service_unavailable");
    assertThat(r.json().get("message").asText()).isNotBlank();
    assertThat(r.json().get("request_id").asText()).isEqualTo(r.header("X-Request-Id"));
    assertThat(r.header("Retry-After")).as("Retry-After").isNotNull();
    assertThat(Integer.parseInt(r.header("Retry-After"))).isBetween(1, 30);
  }

  /** Sends the calls at once (each timed), and returns their answers in order. */
  private static List<TestClient.Response> concurrently(Map<String, Supplier<TestClient.Response>> calls)
      throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(calls.size());
    try {
      List<Future<TestClient.Response>> futures = new ArrayList<>();
      calls.forEach((what, call) -> futures.add(pool.submit(() -> timed(what, call))));
      List<TestClient.Response> answers = new ArrayList<>();
      for (Future<TestClient.Response> f : futures) {
        answers.add(f.get(60, TimeUnit.SECONDS));
      }
      return answers;
    } finally {
      pool.shutdownNow();
    }
  }

  private static TestClient.Response timed(String what, Supplier<TestClient.Response> call) {
    long started = System.nanoTime();
    TestClient.Response r = call.get();
    System.out.printf("%s: %d in %d ms%n", what, r.status(), (System.nanoTime() - started) / 1_000_000);
    return r;
  }

  private static String created(TestClient.Response r, String idField) {
    assertThat(r.status()).as(r.text()).isEqualTo(201);
    return r.json().get(idField).asText();
  }

  private record Form(byte[] body, String contentType) {
    static Form of(Multipart multipart) {
      return new Form(multipart.build(), multipart.contentType());
    }
  }

  private static TestClient.Response upload(TestClient client, String runId, Form form) {
    return client.sendBytes("POST", RUNS + runId + "/artifacts", form.body(), Map.of("Content-Type", form.contentType()));
  }

  private static void awaitStatus(TestClient client, String path, int status) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    int last = 0;
    while (System.nanoTime() < deadline) {
      last = client.get(path).status();
      if (last == status) {
        return;
      }
      assertThat(last).as("GET " + path + " while the database comes back").isIn(status, 503);
      Thread.sleep(100);
    }
    throw new AssertionError("GET " + path + " still answers " + last + " 60 s after the database came back");
  }

  /** Waits until the test's lock has a waiter, i.e. the slow request holds its connection. */
  private static void awaitLockWaiter(Connection locker) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    try (Connection watcher = DriverManager.getConnection(locker.getMetaData().getURL(), "postgres", "");
         Statement s = watcher.createStatement()) {
      while (System.nanoTime() < deadline) {
        try (ResultSet rs = s.executeQuery("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
            + "AND datname = current_database()")) {
          rs.next();
          if (rs.getInt(1) > 0) {
            return;
          }
        }
        Thread.sleep(50);
      }
    }
    throw new AssertionError("the slow request never waited on the lock");
  }

  private static EmbeddedPostgres startPostgres(Path dataDir, int port) throws IOException {
    return EmbeddedPostgres.builder()
        .setDataDirectory(dataDir)
        .setCleanDataDirectory(false)
        .setPort(port)
        .setServerConfig("listen_addresses", "127.0.0.1")
        .setPGStartupWait(Duration.ofSeconds(60))
        .start();
  }

  private static int freePort() throws IOException {
    try (ServerSocket probe = new ServerSocket(0)) {
      return probe.getLocalPort();
    }
  }

  private static byte[] bytes(int size, long seed) {
    byte[] bytes = new byte[size];
    new Random(seed).nextBytes(bytes);
    return bytes;
  }
}
