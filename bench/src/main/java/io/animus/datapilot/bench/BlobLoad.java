package io.animus.datapilot.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.animus.datapilot.App;
import io.animus.datapilot.config.ConfigLoader;
import java.io.IOException;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
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
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Dataset-version upload and download of a large file over loopback (issue 4, "Performance").
 *
 * <pre>
 * java -Xmx256m -cp "bench/target/classes:bench/target/lib/*" io.animus.datapilot.bench.BlobLoad \
 *     [sizeMiB=2048] [dir=/tmp] [concurrent=8]
 * </pre>
 *
 * Without {@code sizeMiB}: 2 GiB when at least 8 GiB are free under {@code dir}, else 512 MiB.
 * The ceiling, on the same disk in the same run: read the file, SHA-256 it, write it to a new
 * file and fsync it. Heap figures are the whole JVM's (server and client share it).
 */
public final class BlobLoad {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int BUF = 1 << 20;

  private BlobLoad() {}

  public static void main(String[] args) throws Exception {
    Map<String, String> opt = TelemetryLoad.options(args);
    Path base = Path.of(opt.getOrDefault("dir", System.getProperty("java.io.tmpdir")));
    int concurrent = Integer.parseInt(opt.getOrDefault("concurrent", "8"));
    long free = Files.getFileStore(base).getUsableSpace();
    long sizeMiB;
    if (opt.containsKey("sizeMiB")) {
      sizeMiB = Long.parseLong(opt.get("sizeMiB"));
      TelemetryLoad.say("size %d MiB as asked (%.1f GiB free under %s)", sizeMiB, free / 1073741824.0, base);
    } else if (free >= 8L << 30) {
      sizeMiB = 2048;
      TelemetryLoad.say("size 2048 MiB: %.1f GiB free under %s (>= 8 GiB)", free / 1073741824.0, base);
    } else {
      sizeMiB = 512;
      TelemetryLoad.say("size 512 MiB ONLY: %.1f GiB free under %s (< 8 GiB needed for 2 GiB)", free / 1073741824.0,
          base);
    }
    long size = sizeMiB << 20;
    Path work = Files.createTempDirectory(base, "bench-blob");
    Path dataDir = work.resolve("data");
    Path source = work.resolve("source.bin");
    Path ceilingCopy = work.resolve("ceiling-copy.bin");
    Path downloaded = work.resolve("downloaded.bin");
    Map<String, String> env = new HashMap<>();
    env.put("DATAPILOT_LISTEN", "127.0.0.1:0");
    env.put("DATAPILOT_DATA_DIR", dataDir.toString());
    App app = App.start(new ConfigLoader(env, Map.of()).load());
    String baseUrl = "http://127.0.0.1:" + app.port();
    TelemetryLoad.say("server on %s, max heap %d MiB, %d cpus, load %s", baseUrl,
        Runtime.getRuntime().maxMemory() >> 20, Runtime.getRuntime().availableProcessors(), TelemetryLoad.load());
    HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(Duration.ofSeconds(10)).build();
    try {
      long g0 = System.nanoTime();
      writeSource(source, size);
      TelemetryLoad.say("source file %d MiB written with fsync in %.1f s", sizeMiB, (System.nanoTime() - g0) / 1e9);

      // Ceiling: read + SHA-256 + write + fsync.
      long c0 = System.nanoTime();
      String sourceSha = copyHashFsync(source, ceilingCopy);
      double ceilingSec = (System.nanoTime() - c0) / 1e9;
      double ceiling = size / 1e6 / ceilingSec;
      TelemetryLoad.say("RESULT ceiling read+sha256+write+fsync: %.1f s = %.0f MB/s; load %s", ceilingSec, ceiling,
          TelemetryLoad.load());
      Files.delete(ceilingCopy);

      String dataset = postJson(http, baseUrl + "/api/dataset-registry/datasets",
          "{\"description\":\"\",\"metadata\":{},\"name\":\"blob-bench-" + System.nanoTime() + "\"}")
          .path("dataset_id").asText();

      // Upload: streaming multipart, exact Content-Length, as the published SDK frames it.
      HeapWatch heap = HeapWatch.start();
      String boundary = "----animus-" + HexFormat.of().formatHex(longBytes(System.nanoTime()))
          + HexFormat.of().formatHex(longBytes(size));
      byte[] head = ("--" + boundary + "\r\nContent-Disposition: form-data; name=\"metadata\"\r\n\r\n"
          + "{\"source\":\"bench\"}\r\n--" + boundary
          + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"train.bin\"\r\n"
          + "Content-Type: application/octet-stream\r\n\r\n").getBytes(StandardCharsets.UTF_8);
      byte[] tail = ("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8);
      HttpRequest upload = HttpRequest.newBuilder(URI.create(baseUrl + "/api/dataset-registry/datasets/" + dataset
              + "/versions/upload"))
          .header("Content-Type", "multipart/form-data; boundary=" + boundary)
          .POST(HttpRequest.BodyPublishers.concat(HttpRequest.BodyPublishers.ofByteArray(head),
              HttpRequest.BodyPublishers.ofFile(source), HttpRequest.BodyPublishers.ofByteArray(tail)))
          .timeout(Duration.ofMinutes(30))
          .build();
      long u0 = System.nanoTime();
      HttpResponse<String> up = http.send(upload, HttpResponse.BodyHandlers.ofString());
      double upSec = (System.nanoTime() - u0) / 1e9;
      HeapWatch.Figures upHeap = heap.stop();
      if (up.statusCode() != 201) {
        throw new IllegalStateException("upload answered " + up.statusCode() + ": " + up.body());
      }
      JsonNode version = JSON.readTree(up.body());
      String versionId = version.path("version_id").asText();
      boolean shaOk = sourceSha.equals(version.path("content_sha256").asText());
      double upRate = size / 1e6 / upSec;
      TelemetryLoad.say("RESULT upload: %.1f s = %.0f MB/s = %.2f of ceiling; content_sha256 matches: %s; heap %s; "
          + "load %s", upSec, upRate, upRate / ceiling, shaOk, upHeap, TelemetryLoad.load());

      // Download as the published SDK does it: stream to a file, hash, fsync.
      String url = baseUrl + "/api/dataset-registry/dataset-versions/" + versionId + "/download";
      heap = HeapWatch.start();
      long d0 = System.nanoTime();
      String gotSha;
      long got;
      try (FileChannel out = FileChannel.open(downloaded, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
          StandardOpenOption.TRUNCATE_EXISTING)) {
        HttpResponse<InputStream> r = http.send(HttpRequest.newBuilder(URI.create(url)).build(),
            HttpResponse.BodyHandlers.ofInputStream());
        if (r.statusCode() != 200) {
          throw new IllegalStateException("download answered " + r.statusCode());
        }
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        got = 0;
        byte[] buf = new byte[BUF];
        try (InputStream in = r.body()) {
          for (int n = in.read(buf); n >= 0; n = in.read(buf)) {
            sha.update(buf, 0, n);
            ByteBuffer bb = ByteBuffer.wrap(buf, 0, n);
            while (bb.hasRemaining()) {
              out.write(bb);
            }
            got += n;
          }
        }
        out.force(true);
        gotSha = HexFormat.of().formatHex(sha.digest());
      }
      double downSec = (System.nanoTime() - d0) / 1e9;
      HeapWatch.Figures downHeap = heap.stop();
      double downRate = size / 1e6 / downSec;
      TelemetryLoad.say("RESULT download to file (sha256 + write + fsync, SDK shape): %.1f s = %.0f MB/s = %.2f of "
          + "ceiling; %d bytes, sha256 matches: %s; heap %s; load %s", downSec, downRate, downRate / ceiling, got,
          gotSha.equals(sourceSha), downHeap, TelemetryLoad.load());
      Files.delete(downloaded);

      // Download, hashed and discarded: the server side without the client's disk write.
      heap = HeapWatch.start();
      long h0 = System.nanoTime();
      String hashSha = hashDownload(http, url);
      double hashSec = (System.nanoTime() - h0) / 1e9;
      HeapWatch.Figures hashHeap = heap.stop();
      TelemetryLoad.say("RESULT download hashed, not stored: %.1f s = %.0f MB/s = %.2f of ceiling; sha256 matches: "
          + "%s; heap %s; load %s", hashSec, size / 1e6 / hashSec, size / 1e6 / hashSec / ceiling,
          hashSha.equals(sourceSha), hashHeap, TelemetryLoad.load());

      // Concurrent downloads of the one version, bytes counted and discarded.
      heap = HeapWatch.start();
      AtomicLong total = new AtomicLong();
      List<Thread> threads = new ArrayList<>();
      for (int i = 0; i < concurrent; i++) {
        threads.add(TelemetryLoad.thread(() -> {
          try {
            HttpResponse<InputStream> r = http.send(HttpRequest.newBuilder(URI.create(url)).build(),
                HttpResponse.BodyHandlers.ofInputStream());
            byte[] buf = new byte[BUF];
            long n = 0;
            try (InputStream in = r.body()) {
              for (int k = in.read(buf); k >= 0; k = in.read(buf)) {
                n += k;
              }
            }
            if (r.statusCode() != 200 || n != size) {
              throw new IllegalStateException("download answered " + r.statusCode() + " with " + n + " bytes");
            }
            total.addAndGet(n);
          } catch (IOException | InterruptedException e) {
            throw new RuntimeException(e);
          }
        }));
      }
      long k0 = System.nanoTime();
      threads.forEach(Thread::start);
      for (Thread t : threads) {
        t.join();
      }
      double kSec = (System.nanoTime() - k0) / 1e9;
      HeapWatch.Figures kHeap = heap.stop();
      TelemetryLoad.say("RESULT %d concurrent downloads: %,d bytes in %.1f s = %.0f MB/s aggregate (%.0f MB/s each); "
          + "heap %s; load %s", concurrent, total.get(), kSec, total.get() / 1e6 / kSec,
          total.get() / 1e6 / kSec / concurrent, kHeap, TelemetryLoad.load());
    } finally {
      app.close();
      TelemetryLoad.deleteTree(work);
      TelemetryLoad.say("deleted %s (source, copies, blob store, database)", work);
    }
    TelemetryLoad.say("done");
    System.exit(0);
  }

  private static void writeSource(Path file, long size) throws IOException {
    SplittableRandom random = new SplittableRandom(42);
    byte[] block = new byte[BUF];
    random.nextBytes(block);
    try (FileChannel out = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
      long written = 0;
      long counter = 0;
      while (written < size) {
        // vary each block so no two are alike
        ByteBuffer.wrap(block).putLong(0, counter++).putLong(8, random.nextLong());
        ByteBuffer bb = ByteBuffer.wrap(block, 0, (int) Math.min(BUF, size - written));
        while (bb.hasRemaining()) {
          written += out.write(bb);
        }
      }
      out.force(true);
    }
  }

  private static String copyHashFsync(Path from, Path to) throws Exception {
    MessageDigest sha = MessageDigest.getInstance("SHA-256");
    ByteBuffer buf = ByteBuffer.allocateDirect(BUF);
    byte[] heapBuf = new byte[BUF];
    try (FileChannel in = FileChannel.open(from, StandardOpenOption.READ);
         FileChannel out = FileChannel.open(to, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
      while (in.read(buf) >= 0) {
        buf.flip();
        int n = buf.remaining();
        buf.get(heapBuf, 0, n);
        sha.update(heapBuf, 0, n);
        ByteBuffer w = ByteBuffer.wrap(heapBuf, 0, n);
        while (w.hasRemaining()) {
          out.write(w);
        }
        buf.clear();
      }
      out.force(true);
    }
    return HexFormat.of().formatHex(sha.digest());
  }

  private static String hashDownload(HttpClient http, String url) throws Exception {
    HttpResponse<InputStream> r = http.send(HttpRequest.newBuilder(URI.create(url)).build(),
        HttpResponse.BodyHandlers.ofInputStream());
    MessageDigest sha = MessageDigest.getInstance("SHA-256");
    byte[] buf = new byte[BUF];
    try (InputStream in = r.body()) {
      for (int n = in.read(buf); n >= 0; n = in.read(buf)) {
        sha.update(buf, 0, n);
      }
    }
    return HexFormat.of().formatHex(sha.digest());
  }

  private static JsonNode postJson(HttpClient http, String url, String json) throws Exception {
    HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url))
        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(json)).build(),
        HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() / 100 != 2) {
      throw new IllegalStateException(url + " answered " + r.statusCode() + ": " + r.body());
    }
    return JSON.readTree(r.body());
  }

  private static byte[] longBytes(long v) {
    return ByteBuffer.allocate(8).putLong(v).array();
  }

  /**
   * Used heap of this JVM (server and client) around a transfer: after a System.gc() nudge before,
   * sampled every 10 ms during (peak, garbage included), and after a System.gc() nudge at the end.
   */
  static final class HeapWatch {
    private static final MemoryMXBean MEMORY = ManagementFactory.getMemoryMXBean();
    private final long before;
    private volatile long peak;
    private volatile boolean running = true;
    private final Thread sampler;

    record Figures(long before, long peak, long after) {
      @Override
      public String toString() {
        return String.format(java.util.Locale.ROOT, "before %d MiB, peak %d MiB (+%d), after gc %d MiB (%+d)",
            before >> 20, peak >> 20, (peak - before) >> 20, after >> 20, (after - before) >> 20);
      }
    }

    private HeapWatch(long before) {
      this.before = before;
      this.peak = before;
      this.sampler = new Thread(() -> {
        while (running) {
          long used = MEMORY.getHeapMemoryUsage().getUsed();
          if (used > peak) {
            peak = used;
          }
          try {
            Thread.sleep(10);
          } catch (InterruptedException e) {
            return;
          }
        }
      }, "heap-watch");
      this.sampler.setDaemon(true);
    }

    static HeapWatch start() throws InterruptedException {
      long before = settledUsed();
      HeapWatch w = new HeapWatch(before);
      w.sampler.start();
      return w;
    }

    Figures stop() throws InterruptedException {
      running = false;
      sampler.join();
      long p = Math.max(peak, MEMORY.getHeapMemoryUsage().getUsed());
      return new Figures(before, p, settledUsed());
    }

    private static long settledUsed() throws InterruptedException {
      System.gc();
      Thread.sleep(200);
      return MEMORY.getHeapMemoryUsage().getUsed();
    }
  }
}
