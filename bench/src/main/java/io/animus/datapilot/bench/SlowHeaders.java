package io.animus.datapilot.bench;

import io.animus.datapilot.testing.TestServer;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * Slowloris: {@code connections} clients each send a request line and then one header line a
 * second, never finishing; reports how long the server kept them (the header deadline should close
 * each after about 10 s) and {@code /readyz} latency meanwhile. {@code SlowHeaders connections=500}.
 */
public final class SlowHeaders {
  private SlowHeaders() {}

  public static void main(String[] args) throws Exception {
    Map<String, String> opt = TelemetryLoad.options(args);
    int connections = Integer.parseInt(opt.getOrDefault("connections", "500"));
    int limit = Integer.parseInt(opt.getOrDefault("seconds", "60"));
    try (TestServer server = TestServer.start(Map.of())) {
      int port = server.app().port();
      TelemetryLoad.say("%d slow-header connections, give up after %d s, load %s", connections, limit,
          TelemetryLoad.load());
      ExecutorService pool = Executors.newFixedThreadPool(connections);
      List<Future<Long>> held = new ArrayList<>();
      for (int i = 0; i < connections; i++) {
        held.add(pool.submit(() -> trickle(port, limit)));
      }
      HttpClient http = HttpClient.newHttpClient();
      List<Long> readyz = new ArrayList<>();
      long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
      while (System.nanoTime() < until) {
        long t0 = System.nanoTime();
        http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/readyz")).build(),
            HttpResponse.BodyHandlers.discarding());
        readyz.add((System.nanoTime() - t0) / 1_000);
        Thread.sleep(100);
      }
      long[] millis = new long[connections];
      for (int i = 0; i < connections; i++) {
        millis[i] = held.get(i).get(limit + 30, TimeUnit.SECONDS);
      }
      pool.shutdownNow();
      Arrays.sort(millis);
      long open = Arrays.stream(millis).filter(m -> m < 0).count();
      long[] r = readyz.stream().mapToLong(Long::longValue).sorted().toArray();
      TelemetryLoad.say("RESULT %d connections: closed by the server after min %d ms, median %d ms, max %d ms; "
              + "%d still open after %d s; /readyz meanwhile p50 %.1f ms p99 %.1f ms (%d calls); load %s",
          connections, millis[0], millis[connections / 2], millis[connections - 1], open, limit,
          r[r.length / 2] / 1000.0, r[(int) (r.length * 0.99)] / 1000.0, r.length, TelemetryLoad.load());
    }
  }

  /** Milliseconds until the server closed the connection, or -1 if it was still open at the limit. */
  private static long trickle(int port, int limitSeconds) {
    long started = System.nanoTime();
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress("127.0.0.1", port), 10_000);
      socket.setSoTimeout(1_000);
      OutputStream out = socket.getOutputStream();
      InputStream in = socket.getInputStream();
      out.write("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n".getBytes(StandardCharsets.ISO_8859_1));
      for (int second = 0; second < limitSeconds; second++) {
        out.write(("X-Slow-" + second + ": a\r\n").getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
        try {
          if (in.read() < 0) {
            break;
          }
        } catch (SocketTimeoutException e) {
          continue;
        }
      }
      if (System.nanoTime() - started >= TimeUnit.SECONDS.toNanos(limitSeconds)) {
        return -1;
      }
    } catch (java.io.IOException e) {
      // closed by the server while writing: that is the end we measure
    }
    return (System.nanoTime() - started) / 1_000_000;
  }
}
