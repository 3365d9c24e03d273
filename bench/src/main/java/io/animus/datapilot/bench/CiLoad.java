package io.animus.datapilot.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.animus.datapilot.App;
import io.animus.datapilot.bench.TelemetryLoad.Conn;
import io.animus.datapilot.bench.TelemetryLoad.Recorder;
import io.animus.datapilot.config.ConfigLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * CI webhook signature verification plus duplicate check under concurrency (issue 5, "Performance").
 *
 * <pre>
 * java -cp "bench/target/classes:bench/target/lib/*" io.animus.datapilot.bench.CiLoad \
 *     [clients=16] [seconds=20] [warmup=5] [payloadBytes=65536]
 * </pre>
 *
 * One signed webhook (compact JSON, sorted keys, as the published SDK builds it) is posted once
 * (201) and then replayed by every client until the time is up (200, status duplicate).
 */
public final class CiLoad {
  private static final ObjectMapper JSON = new ObjectMapper();

  private CiLoad() {}

  public static void main(String[] args) throws Exception {
    Map<String, String> opt = TelemetryLoad.options(args);
    int clients = Integer.parseInt(opt.getOrDefault("clients", "16"));
    int seconds = Integer.parseInt(opt.getOrDefault("seconds", "20"));
    int warmup = Integer.parseInt(opt.getOrDefault("warmup", "5"));
    int payloadBytes = Integer.parseInt(opt.getOrDefault("payloadBytes", "65536"));
    if (seconds + warmup > 240) {
      throw new IllegalArgumentException("the signature timestamp is valid for 300 s: keep warmup + seconds <= 240");
    }
    String secret = "bench-ci-secret-" + System.nanoTime();
    Path dir = Files.createTempDirectory("bench-ci");
    Map<String, String> env = new HashMap<>();
    env.put("DATAPILOT_LISTEN", "127.0.0.1:0");
    env.put("DATAPILOT_DATA_DIR", dir.toString());
    env.put("ANIMUS_CI_WEBHOOK_SECRET", secret);
    App app = App.start(new ConfigLoader(env, Map.of()).load());
    int port = app.port();
    TelemetryLoad.say("server on 127.0.0.1:%d, %d cpus, load %s", port, Runtime.getRuntime().availableProcessors(),
        TelemetryLoad.load());
    try {
      String experiment = TelemetryLoad.createExperiment(port, "ci-bench");
      String run = TelemetryLoad.createRun(port, experiment);
      byte[] body = payload(run, payloadBytes);
      String ts = Long.toString(System.currentTimeMillis() / 1000);
      String sig = sign(secret, ts, body);
      byte[] head = ("POST /api/experiments/ci/webhook HTTP/1.1\r\nHost: 127.0.0.1\r\n"
          + "Content-Type: application/json\r\nX-Animus-CI-Ts: " + ts + "\r\nX-Animus-CI-Sig: " + sig
          + "\r\nContent-Length: " + body.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
      try (Conn conn = new Conn(port)) {
        int first = conn.exchange(head, body);
        JsonNode answer = JSON.readTree(conn.body);
        TelemetryLoad.say("first webhook (%d bytes): %d, payload_sha256 %s", body.length, first,
            answer.path("payload_sha256").asText());
        if (first != 201) {
          throw new IllegalStateException("first webhook answered " + first + ": " + conn.text());
        }
        int second = conn.exchange(head, body);
        if (second != 200 || !conn.text().contains("\"duplicate\"")) {
          throw new IllegalStateException("replay answered " + second + ": " + conn.text());
        }
      }
      TelemetryLoad.say("%d clients replaying the signed %d-byte webhook: warmup %d s, measure %d s", clients,
          body.length, warmup, seconds);
      Recorder[] recorders = new Recorder[clients];
      AtomicLong bad = new AtomicLong();
      long measureAt = System.nanoTime() + warmup * 1_000_000_000L;
      long endAt = measureAt + seconds * 1_000_000_000L;
      List<Thread> threads = new ArrayList<>();
      for (int c = 0; c < clients; c++) {
        Recorder rec = new Recorder();
        recorders[c] = rec;
        threads.add(TelemetryLoad.thread(() -> {
          try (Conn conn = new Conn(port)) {
            while (true) {
              long t0 = System.nanoTime();
              if (t0 >= endAt) {
                break;
              }
              int status = conn.exchange(head, body);
              long t1 = System.nanoTime();
              if (status != 200) {
                bad.incrementAndGet();
              }
              if (t0 >= measureAt) {
                rec.add(t1 - t0);
              }
            }
          } catch (Exception e) {
            throw new RuntimeException(e);
          }
        }));
      }
      threads.forEach(Thread::start);
      for (Thread t : threads) {
        t.join();
      }
      double elapsed = (System.nanoTime() - measureAt) / 1e9;
      Recorder all = Recorder.merge(recorders);
      TelemetryLoad.say("RESULT ci webhook replay: %,d requests in %.1f s = %,.0f requests/s; latency p50 %.2f ms "
          + "p99 %.2f ms max %.1f ms; non-200 answers %d; load %s", all.count(), elapsed, all.count() / elapsed,
          all.ms(0.5), all.ms(0.99), all.ms(1.0), bad.get(), TelemetryLoad.load());

      // In-process reference: the client-side cost of the same check (sha256 + HMAC + compare) per request.
      int n = 20_000;
      long t0 = System.nanoTime();
      int same = 0;
      for (int i = 0; i < n; i++) {
        if (sign(secret, ts, body).equals(sig)) {
          same++;
        }
      }
      double perOp = (System.nanoTime() - t0) / 1e3 / n;
      TelemetryLoad.say("RESULT in-process sha256(64 KiB) + HMAC + compare: %.1f us per request (%d/%d matched, one "
          + "thread); load %s", perOp, same, n, TelemetryLoad.load());
    } finally {
      app.close();
      TelemetryLoad.deleteTree(dir);
    }
    TelemetryLoad.say("done");
    System.exit(0);
  }

  /** {@code {"context":{"blob":"..."},"provider":"github_actions","run_id":"..."}}, exactly {@code size} bytes. */
  static byte[] payload(String runId, int size) {
    String before = "{\"context\":{\"blob\":\"";
    String after = "\",\"commit\":\"0123456789abcdef0123456789abcdef01234567\"},\"provider\":\"github_actions\","
        + "\"run_id\":\"" + runId + "\"}";
    int fill = Math.max(0, size - before.length() - after.length());
    StringBuilder b = new StringBuilder(size).append(before);
    String alphabet = "abcdefghijklmnopqrstuvwxyz0123456789";
    for (int i = 0; i < fill; i++) {
      b.append(alphabet.charAt((i * 7 + i / 36) % alphabet.length()));
    }
    return b.append(after).toString().getBytes(StandardCharsets.UTF_8);
  }

  /** As the published SDK signs: base64url, no padding, of HMAC-SHA256 over ts \n POST \n sha256hex(body). */
  static String sign(String secret, String ts, byte[] body) throws Exception {
    String hash = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(body));
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
    byte[] tag = mac.doFinal((ts + "\nPOST\n" + hash).getBytes(StandardCharsets.UTF_8));
    return Base64.getUrlEncoder().withoutPadding().encodeToString(tag);
  }
}
