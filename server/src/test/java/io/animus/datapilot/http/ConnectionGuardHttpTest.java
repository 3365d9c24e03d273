package io.animus.datapilot.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.animus.datapilot.testing.RawConnection;
import io.animus.datapilot.testing.TestClient;
import io.animus.datapilot.testing.TestServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** OPTIONS needs a viewer; a client that trickles its request headers is cut off, one that trickles a body is not. */
class ConnectionGuardHttpTest {
  private static final String ADMIN = "guard-admin-secret-0123456789";
  static TestServer server;
  static TestClient anonymous;
  static TestClient admin;

  @BeforeAll
  static void start() {
    server = TestServer.start(Map.of("DATAPILOT_AUTH_MODE", "token", "DATAPILOT_ADMIN_TOKEN", ADMIN));
    anonymous = server.client();
    admin = anonymous.withToken(ADMIN);
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  /**
   * On one kept-alive connection, a header value that differs from an earlier one only in case arrives as
   * sent (Jetty's per-connection header cache ignored case: a refused credential was then reused for the
   * genuine one that followed it).
   */
  @Test
  void headerValuesThatDifferOnlyInCaseArriveAsSentOnOneConnection() {
    String wrongCase = ADMIN.toUpperCase(java.util.Locale.ROOT);
    try (RawConnection c = new RawConnection(server.app().port())) {
      String[][] requests = {{wrongCase, "case-Request-Id"}, {ADMIN, "CASE-request-id"}, {wrongCase, "case-request-ID"}};
      int[] expected = {401, 200, 401};
      for (int i = 0; i < requests.length; i++) {
        c.send("GET /api/experiments/experiments HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer "
            + requests[i][0] + "\r\nX-Request-Id: " + requests[i][1] + "\r\n\r\n");
        RawConnection.Answer answer = c.read();
        assertThat(answer.status()).as("request %d: %s", i, answer.body()).isEqualTo(expected[i]);
        assertThat(answer.headers().get("x-request-id")).isEqualTo(requests[i][1]);
      }
    }
  }

  @Test
  void optionsNeedsAViewerLikeGet() {
    TestClient.Response none = anonymous.send("OPTIONS", "/api/experiments/experiments", null, Map.of());
    assertThat(none.status()).as(none.text()).isEqualTo(401);
    assertThat(none.error()).isEqualTo("unauthorized");
    assertThat(none.header("Allow")).isNull();
    TestClient.Response bad = anonymous.withToken("dp_unknown").send("OPTIONS", "/api/experiments/experiments",
        null, Map.of());
    assertThat(bad.status()).isEqualTo(401);
    String viewerToken = admin.post("/api/auth/tokens", "{\"name\":\"guard-viewer\",\"role\":\"viewer\"}").json()
        .get("token").asText();
    TestClient.Response viewer = anonymous.withToken(viewerToken).send("OPTIONS", "/api/experiments/experiments",
        null, Map.of());
    assertThat(viewer.status()).as(viewer.text()).isEqualTo(204);
    assertThat(viewer.header("Allow")).isEqualTo("GET, HEAD, OPTIONS, POST");
    // paths that need no credential for GET need none for OPTIONS either
    TestClient.Response health = anonymous.send("OPTIONS", "/healthz", null, Map.of());
    assertThat(health.status()).isEqualTo(204);
    assertThat(health.header("Allow")).isEqualTo("GET, HEAD, OPTIONS");
  }

  private static Socket connect() throws IOException {
    Socket socket = new Socket();
    socket.connect(new InetSocketAddress("127.0.0.1", server.app().port()), 5_000);
    socket.setSoTimeout(1_000);
    return socket;
  }

  /**
   * Trickles one header line a second until the server closes the connection; answers how many
   * seconds that took (a hang guard: -1 after 40 s).
   */
  private static int secondsUntilClosed(Socket socket) throws IOException {
    OutputStream out = socket.getOutputStream();
    InputStream in = socket.getInputStream();
    out.write("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n".getBytes(StandardCharsets.ISO_8859_1));
    for (int second = 1; second <= 40; second++) {
      try {
        out.write(("X-Slow-" + second + ": a\r\n").getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
      } catch (IOException e) {
        return second;
      }
      try {
        if (in.read() < 0) {
          return second;
        }
        throw new AssertionError("the server answered headers that were never completed");
      } catch (SocketTimeoutException e) {
        // still open: one more line
      } catch (IOException e) {
        return second;
      }
    }
    return -1;
  }

  @Test
  void connectionsTricklingTheirHeadersAreClosedWhileASlowBodyAndAQuietStreamAreKept() throws Exception {
    String runId = createRun();
    int slow = 50;
    ExecutorService pool = Executors.newFixedThreadPool(slow + 2);
    try {
      List<Future<Integer>> closed = new ArrayList<>();
      for (int i = 0; i < slow; i++) {
        closed.add(pool.submit(() -> {
          try (Socket socket = connect()) {
            return secondsUntilClosed(socket);
          }
        }));
      }
      Future<Integer> body = pool.submit(this::tricklesABodyForFifteenSeconds);
      Future<String> stream = pool.submit(() -> quietStreamThenEvent(runId));
      for (Future<Integer> f : closed) {
        int seconds = f.get(60, TimeUnit.SECONDS);
        // closed by the deadline (10 s, swept each second), well before the 30 s idle timeout could
        assertThat(seconds).as("seconds until the server closed a slow-header connection").isBetween(1, 20);
      }
      assertThat(body.get(60, TimeUnit.SECONDS)).isEqualTo(201);
      assertThat(stream.get(60, TimeUnit.SECONDS)).contains("after the quiet");
      // and the server still answers ordinary requests
      assertThat(anonymous.get("/healthz").status()).isEqualTo(200);
    } finally {
      pool.shutdownNow();
    }
  }

  private static String createRun() {
    String experiment = admin.post("/api/experiments/experiments", "{\"name\":\"guard\"}").json()
        .get("experiment_id").asText();
    return admin.post("/api/experiments/experiments/" + experiment + "/runs", "{\"status\":\"running\"}").json()
        .get("run_id").asText();
  }

  /** A create whose JSON body arrives one byte a second for 15 s: answered, not cut. */
  private int tricklesABodyForFifteenSeconds() throws Exception {
    byte[] json = "{\"name\":\"slow-body-guard\"}".getBytes(StandardCharsets.UTF_8);
    int pad = 15 - 1;
    byte[] bodyBytes = new byte[json.length + pad];
    java.util.Arrays.fill(bodyBytes, 0, pad, (byte) ' ');
    System.arraycopy(json, 0, bodyBytes, pad, json.length);
    try (RawConnection c = new RawConnection(server.app().port())) {
      c.send("POST /api/experiments/experiments HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + ADMIN
          + "\r\nContent-Type: application/json\r\nContent-Length: " + bodyBytes.length
          + "\r\nConnection: close\r\n\r\n");
      for (int i = 0; i < pad; i++) {
        c.send(new byte[] {bodyBytes[i]});
        Thread.sleep(1_000);
      }
      c.send(java.util.Arrays.copyOfRange(bodyBytes, pad, bodyBytes.length));
      return c.read().status();
    }
  }

  /** A live stream quiet for 13 s (past the header deadline) still delivers the next event. */
  private String quietStreamThenEvent(String runId) throws Exception {
    try (Socket socket = connect()) {
      socket.setSoTimeout(30_000);
      socket.getOutputStream().write(("GET /api/experiments/experiment-runs/" + runId + "/stream HTTP/1.1\r\n"
          + "Host: 127.0.0.1\r\nAuthorization: Bearer " + ADMIN + "\r\nAccept: text/event-stream\r\n\r\n")
          .getBytes(StandardCharsets.ISO_8859_1));
      Thread.sleep(13_000);
      assertThat(admin.post("/api/experiments/experiment-runs/" + runId + "/events",
          "{\"message\":\"after the quiet\"}").status()).isEqualTo(201);
      InputStream in = socket.getInputStream();
      StringBuilder seen = new StringBuilder();
      byte[] chunk = new byte[4096];
      long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
      while (!seen.toString().contains("after the quiet") && System.nanoTime() < until) {
        int n = in.read(chunk);
        if (n < 0) {
          break;
        }
        seen.append(new String(chunk, 0, n, StandardCharsets.UTF_8));
      }
      return seen.toString();
    }
  }
}
