package io.animus.datapilot.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.animus.datapilot.App;
import io.animus.datapilot.config.ConfigLoader;
import io.animus.datapilot.storage.Database;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

/**
 * Many artifact uploads at once against one server with its embedded PostgreSQL and the default
 * pool (issue 14): every upload must answer 201, {@code /readyz} and a small read keep answering
 * while the uploads stream, and throughput is set against the disk measured in the same run.
 *
 * <pre>
 * java -cp "bench/target/classes:bench/target/lib/*" io.animus.datapilot.bench.ConcurrentUploadLoad \
 *     [uploads=200] [sizeMiB=50] [dir=/tmp] [pool=N] [waitMs=N] [connectSeconds=10]
 * </pre>
 *
 * {@code pool} and {@code waitMs} set {@code DATAPILOT_DATABASE_POOL_SIZE} and
 * {@code DATAPILOT_DATABASE_CONNECTION_WAIT_MS} (default: the server's defaults). The ceiling,
 * after the uploads' blobs are deleted: the same number of Java writers each writing the same
 * size to the same file system and fsyncing it, once plain and once with SHA-256 of every byte
 * (the server hashes what it stores). The client shares the JVM and the cores with the server.
 */
public final class ConcurrentUploadLoad {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int CHUNK = 1 << 20;

  private ConcurrentUploadLoad() {}

  public static void main(String[] args) throws Exception {
    Map<String, String> opt = TelemetryLoad.options(args);
    int uploads = Integer.parseInt(opt.getOrDefault("uploads", "200"));
    int sizeMiB = Integer.parseInt(opt.getOrDefault("sizeMiB", "50"));
    Path base = Path.of(opt.getOrDefault("dir", System.getProperty("java.io.tmpdir")));
    int connectSeconds = Integer.parseInt(opt.getOrDefault("connectSeconds", "10"));
    long size = (long) sizeMiB << 20;
    Path work = Files.createTempDirectory(base, "bench-uploads");
    // The embedded PostgreSQL drops to an unprivileged user when started as root.
    Files.setPosixFilePermissions(work, PosixFilePermissions.fromString("rwxr-xr-x"));
    Map<String, String> env = new HashMap<>();
    env.put("DATAPILOT_LISTEN", "127.0.0.1:0");
    env.put("DATAPILOT_DATA_DIR", work.resolve("data").toString());
    if (opt.containsKey("pool")) {
      env.put("DATAPILOT_DATABASE_POOL_SIZE", opt.get("pool"));
    }
    if (opt.containsKey("waitMs")) {
      env.put("DATAPILOT_DATABASE_CONNECTION_WAIT_MS", opt.get("waitMs"));
    }
    var config = new ConfigLoader(env, Map.of()).load();
    TelemetryLoad.say("%d uploads x %d MiB, pool %d, connection wait %d ms, %d cpus, load %s, %.1f GiB free in %s",
        uploads, sizeMiB, config.database().poolSize(), config.database().connectionWaitMs(),
        Runtime.getRuntime().availableProcessors(), TelemetryLoad.load(),
        Files.getFileStore(work).getUsableSpace() / 1073741824.0, work);
    byte[] chunk = new byte[CHUNK];
    new SplittableRandom(14).nextBytes(chunk);
    MessageDigest expected = MessageDigest.getInstance("SHA-256");
    for (int i = 0; i < sizeMiB; i++) {
      expected.update(chunk);
    }
    String expectedSha = HexFormat.of().formatHex(expected.digest());
    App app = App.start(config);
    try {
      String baseUrl = "http://127.0.0.1:" + app.port();
      HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(connectSeconds)).build();
      String experiment = TelemetryLoad.createExperiment(app.port(), "uploads-" + System.nanoTime());
      String runId = TelemetryLoad.createRun(app.port(), experiment);
      CpuAccounting cpu = new CpuAccounting(postmasterPid(work.resolve("data").resolve("pg")));
      // Probes have clients of their own: the uploads' client is busy pushing bytes.
      Probe ready = new Probe(HttpClient.newHttpClient(), baseUrl + "/readyz");
      Probe read = new Probe(HttpClient.newHttpClient(), baseUrl + "/api/experiments/experiment-runs/" + runId);
      PoolWatch pool = new PoolWatch(app.database());
      Map<Integer, AtomicInteger> statuses = new TreeMap<>();
      Map<String, Integer> failures = new ConcurrentHashMap<>();
      long[] latencies = new long[uploads];
      CountDownLatch start = new CountDownLatch(1);
      List<Thread> threads = new ArrayList<>();
      for (int i = 0; i < uploads; i++) {
        int index = i;
        Thread t = new Thread(() -> {
          long t0 = 0;
          int status;
          try {
            HttpRequest request = uploadRequest(baseUrl, runId, chunk, sizeMiB, index);
            start.await();
            t0 = System.nanoTime();
            HttpResponse<String> r = http.send(request, HttpResponse.BodyHandlers.ofString());
            status = r.statusCode();
            if (status != 201) {
              failures.merge(status + " " + r.body().substring(0, Math.min(120, r.body().length())), 1, Integer::sum);
            } else if (!expectedSha.equals(JSON.readTree(r.body()).at("/artifact/sha256").asText())) {
              status = -2;
            }
          } catch (IOException | InterruptedException | RuntimeException e) {
            status = -1;
            failures.merge(e.toString(), 1, Integer::sum);
          }
          latencies[index] = System.nanoTime() - t0;
          synchronized (statuses) {
            statuses.computeIfAbsent(status, s -> new AtomicInteger()).incrementAndGet();
          }
        }, "bench-http-upload-" + i);
        threads.add(t);
        t.start();
      }
      long overflows0 = listenOverflows();
      CpuAccounting.Snapshot c0 = cpu.take();
      ready.start();
      read.start();
      pool.start();
      long u0 = System.nanoTime();
      start.countDown();
      for (Thread t : threads) {
        t.join(Duration.ofMinutes(30).toMillis());
      }
      double seconds = (System.nanoTime() - u0) / 1e9;
      CpuAccounting.Snapshot c1 = cpu.take();
      ready.stop();
      read.stop();
      pool.stop();
      long stored = countArtifacts(http, baseUrl, runId);
      double total = (double) uploads * size / 1e6;
      double rate = total / seconds;
      Arrays.sort(latencies);
      TelemetryLoad.say("RESULT uploads: statuses %s (-1 = client error, -2 = wrong sha256); %d artifacts listed",
          statuses, stored);
      failures.forEach((what, n) -> TelemetryLoad.say("  %d x %s", n, what));
      TelemetryLoad.say("RESULT %.0f MB in %.1f s = %.0f MB/s; per upload p50 %.1f s, max %.1f s; load %s",
          total, seconds, rate, latencies[uploads / 2] / 1e9, latencies[uploads - 1] / 1e9, TelemetryLoad.load());
      TelemetryLoad.say("RESULT /readyz during the uploads: %s", ready.summary());
      TelemetryLoad.say("RESULT GET run during the uploads: %s", read.summary());
      TelemetryLoad.say("RESULT pool: %s", pool.summary());
      TelemetryLoad.say("RESULT TCP listen-queue overflows on the machine during the uploads (SYNs dropped, the "
          + "client retries): %d", listenOverflows() - overflows0);
      CpuAccounting.Usage usage = CpuAccounting.between(c0, c1);
      TelemetryLoad.say("RESULT CPU per upload: %.0f ms (this JVM: client + server, and PostgreSQL); breakdown:%n%s",
          usage.cpuMicrosPerOp(uploads) / 1000, usage.format(uploads, "    "));
      app.close(); // the server stops before its data directory goes and the ceiling runs
      deleteTree(work.resolve("data"));
      ceiling(work, uploads, sizeMiB, chunk, false, rate);
      ceiling(work, uploads, sizeMiB, chunk, true, rate);
    } finally {
      app.close();
      deleteTree(work);
    }
  }

  private static HttpRequest uploadRequest(String baseUrl, String runId, byte[] chunk, int chunks, int index) {
    String boundary = "----animus-" + HexFormat.of().formatHex(String.format("%016d", index).getBytes(
        StandardCharsets.US_ASCII));
    byte[] head = ("--" + boundary + "\r\nContent-Disposition: form-data; name=\"kind\"\r\n\r\nmodel\r\n--"
        + boundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"upload-" + index + ".bin\"\r\n"
        + "Content-Type: application/octet-stream\r\n\r\n").getBytes(StandardCharsets.UTF_8);
    byte[] tail = ("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8);
    List<byte[]> parts = new ArrayList<>();
    parts.add(head);
    for (int i = 0; i < chunks; i++) {
      parts.add(chunk);
    }
    parts.add(tail);
    long length = head.length + (long) chunk.length * chunks + tail.length;
    return HttpRequest.newBuilder(URI.create(baseUrl + "/api/experiments/experiment-runs/" + runId + "/artifacts"))
        .header("Content-Type", "multipart/form-data; boundary=" + boundary)
        .POST(HttpRequest.BodyPublishers.fromPublisher(HttpRequest.BodyPublishers.ofByteArrays(parts), length))
        .timeout(Duration.ofMinutes(20))
        .build();
  }

  /** {@code writers} threads each write {@code sizeMiB} to their own file and fsync it, at once. */
  private static void ceiling(Path work, int writers, int sizeMiB, byte[] chunk, boolean hash, double uploadRate)
      throws Exception {
    Path dir = Files.createDirectories(work.resolve("ceiling"));
    CountDownLatch start = new CountDownLatch(1);
    List<Thread> threads = new ArrayList<>();
    AtomicInteger failed = new AtomicInteger();
    for (int i = 0; i < writers; i++) {
      Path file = dir.resolve("w-" + i);
      Thread t = new Thread(() -> {
        try (FileChannel out = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
          MessageDigest sha = hash ? MessageDigest.getInstance("SHA-256") : null;
          start.await();
          for (int k = 0; k < sizeMiB; k++) {
            if (sha != null) {
              sha.update(chunk);
            }
            ByteBuffer b = ByteBuffer.wrap(chunk);
            while (b.hasRemaining()) {
              out.write(b);
            }
          }
          out.force(true);
        } catch (Exception e) {
          failed.incrementAndGet();
        }
      });
      threads.add(t);
      t.start();
    }
    long t0 = System.nanoTime();
    start.countDown();
    for (Thread t : threads) {
      t.join();
    }
    double seconds = (System.nanoTime() - t0) / 1e9;
    double rate = (double) writers * sizeMiB * CHUNK / 1e6 / seconds;
    TelemetryLoad.say("RESULT ceiling, %d writers x %d MiB, write%s + fsync: %.1f s = %.0f MB/s (%d failed); "
        + "uploads reached %.2f of it; load %s", writers, sizeMiB, hash ? " + sha256" : "", seconds, rate,
        failed.get(), uploadRate / rate, TelemetryLoad.load());
    deleteTree(dir);
  }

  private static long countArtifacts(HttpClient http, String baseUrl, String runId) throws Exception {
    long count = 0;
    String query = "?limit=500";
    for (int page = 0; page < 100; page++) {
      HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(baseUrl
          + "/api/experiments/experiment-runs/" + runId + "/artifacts" + query)).build(),
          HttpResponse.BodyHandlers.ofString());
      JsonNode body = JSON.readTree(r.body());
      count += body.path("artifacts").size();
      if (!body.has("next_page_token")) {
        break;
      }
      query = "?limit=500&page_token=" + body.get("next_page_token").asText();
    }
    return count;
  }

  /** GETs a URL four times a second from its own thread, keeping statuses and latencies. */
  private static final class Probe {
    private final HttpClient http;
    private final String url;
    private final List<Long> nanos = new ArrayList<>();
    private final Map<Integer, Integer> statuses = new TreeMap<>();
    private volatile boolean running = true;
    private Thread thread;

    Probe(HttpClient http, String url) {
      this.http = http;
      this.url = url;
    }

    void start() {
      thread = new Thread(() -> {
        while (running) {
          long t0 = System.nanoTime();
          int status;
          try {
            status = http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.discarding()).statusCode();
          } catch (IOException | InterruptedException e) {
            status = -1;
          }
          synchronized (this) {
            nanos.add(System.nanoTime() - t0);
            statuses.merge(status, 1, Integer::sum);
          }
          sleep(250);
        }
      }, "bench-http-probe");
      thread.start();
    }

    void stop() throws InterruptedException {
      running = false;
      thread.join();
    }

    synchronized String summary() {
      long[] sorted = nanos.stream().mapToLong(Long::longValue).sorted().toArray();
      if (sorted.length == 0) {
        return "no probes";
      }
      return String.format("%d probes, statuses %s, latency p50 %.1f ms, p99 %.1f ms, max %.1f ms", sorted.length,
          statuses, sorted[sorted.length / 2] / 1e6, sorted[(int) Math.min(sorted.length - 1,
              Math.ceil(sorted.length * 0.99) - 1)] / 1e6, sorted[sorted.length - 1] / 1e6);
    }
  }

  /** Samples the pool every 50 ms: the most connections in use and the most requests waiting. */
  private static final class PoolWatch {
    private final Database database;
    private volatile boolean running = true;
    private volatile int maxActive;
    private volatile int maxWaiting;
    private volatile int size;
    private Thread thread;

    PoolWatch(Database database) {
      this.database = database;
    }

    void start() {
      thread = new Thread(() -> {
        while (running) {
          Database.PoolState s = database.poolState();
          size = s.size();
          maxActive = Math.max(maxActive, s.active());
          maxWaiting = Math.max(maxWaiting, s.waiting());
          sleep(50);
        }
      }, "bench-pool-watch");
      thread.start();
    }

    void stop() throws InterruptedException {
      running = false;
      thread.join();
    }

    String summary() {
      return "size " + size + ", most in use " + maxActive + ", most requests waiting " + maxWaiting;
    }
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** TcpExtListenOverflows from /proc/net/netstat (machine-wide), or -1. */
  private static long listenOverflows() {
    try {
      List<String> lines = Files.readAllLines(Path.of("/proc/net/netstat"));
      for (int i = 0; i + 1 < lines.size(); i += 2) {
        List<String> names = Arrays.asList(lines.get(i).split(" "));
        int at = names.indexOf("ListenOverflows");
        if (at > 0) {
          return Long.parseLong(lines.get(i + 1).split(" ")[at]);
        }
      }
    } catch (IOException | RuntimeException e) {
      // not Linux
    }
    return -1;
  }

  private static long postmasterPid(Path pgDir) {
    try {
      return Long.parseLong(Files.readAllLines(pgDir.resolve("postmaster.pid")).get(0).trim());
    } catch (IOException | RuntimeException e) {
      return -1;
    }
  }

  private static void deleteTree(Path root) throws IOException {
    if (!Files.exists(root)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(root)) {
      for (Path p : paths.sorted((a, b) -> b.getNameCount() - a.getNameCount()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }
}
