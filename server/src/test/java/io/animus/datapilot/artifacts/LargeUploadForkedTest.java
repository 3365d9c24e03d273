package io.animus.datapilot.artifacts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.animus.datapilot.common.Hashing;
import io.animus.datapilot.kernel.Json;
import io.animus.datapilot.testing.ForkedServer;
import io.animus.datapilot.testing.TestDatabase;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * A 1 GiB artifact through a server JVM limited to 256 MiB of heap, started as a separate process,
 * so the file can only get through if it is streamed. Skipped when the disk has less than 4 GiB
 * free, or with {@code -Ddatapilot.test.skipLarge=true}.
 */
class LargeUploadForkedTest {
  static final long SIZE = 1L << 30;

  @Test
  void aOneGibArtifactStreamsThroughAServerWith256MibOfHeapAndDownloadsIdentical() throws Exception {
    assumeFalse(Boolean.getBoolean("datapilot.test.skipLarge"), "skipped with -Ddatapilot.test.skipLarge=true");
    Path dir = Files.createTempDirectory("datapilot-large");
    long free = Files.getFileStore(dir).getUsableSpace();
    assumeTrue(free >= 4L << 30, "needs 4 GiB of free disk, has " + (free >> 20) + " MiB");
    ForkedServer server = ForkedServer.start(dir, Map.of("DATAPILOT_DATA_DIR", dir.resolve("data").toString(),
        "DATAPILOT_DATABASE_URL", TestDatabase.freshDatabaseUrl(), "DATAPILOT_DATABASE_USER", "postgres"), "-Xmx256m");
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    String base = server.base();
    try {
      server.await("/healthz", Duration.ofSeconds(90));
      String runId = newRun(http, base);
      String boundary = "----animus-" + HexFormat.of().formatHex(new byte[16]);
      byte[] head = ("--" + boundary + "\r\nContent-Disposition: form-data; name=\"kind\"\r\n\r\nmodel\r\n--"
          + boundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"big.bin\"\r\n"
          + "Content-Type: application/octet-stream\r\n\r\n").getBytes(StandardCharsets.UTF_8);
      byte[] tail = ("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8);
      MessageDigest sha = Hashing.sha256();
      InputStream body = new SequenceInputStream(java.util.Collections.enumeration(List.of(
          new java.io.ByteArrayInputStream(head), new Generated(SIZE, sha), new java.io.ByteArrayInputStream(tail))));
      long length = head.length + SIZE + tail.length;
      HttpRequest upload = HttpRequest.newBuilder(URI.create(base + "/api/experiments/experiment-runs/" + runId
              + "/artifacts"))
          .header("Content-Type", "multipart/form-data; boundary=" + boundary)
          .POST(HttpRequest.BodyPublishers.fromPublisher(HttpRequest.BodyPublishers.ofInputStream(() -> body), length))
          .timeout(Duration.ofMinutes(5))
          .build();
      long started = System.nanoTime();
      HttpResponse<String> r = http.send(upload, HttpResponse.BodyHandlers.ofString());
      double upSeconds = (System.nanoTime() - started) / 1e9;
      assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
      JsonNode artifact = Json.mapper().readTree(r.body()).get("artifact");
      String expected = HexFormat.of().formatHex(sha.digest());
      assertThat(artifact.get("size_bytes").asLong()).isEqualTo(SIZE);
      assertThat(artifact.get("sha256").asText()).isEqualTo(expected);

      started = System.nanoTime();
      HttpResponse<InputStream> d = http.send(HttpRequest.newBuilder(URI.create(base
          + "/api/experiments/experiment-runs/" + runId + "/artifacts/" + artifact.get("artifact_id").asText()
          + "/download")).timeout(Duration.ofMinutes(5)).build(), HttpResponse.BodyHandlers.ofInputStream());
      MessageDigest down = Hashing.sha256();
      long count = 0;
      try (InputStream in = d.body()) {
        byte[] buf = new byte[1 << 20];
        int n;
        while ((n = in.read(buf)) > 0) {
          down.update(buf, 0, n);
          count += n;
        }
      }
      double downSeconds = (System.nanoTime() - started) / 1e9;
      assertThat(d.statusCode()).isEqualTo(200);
      assertThat(count).isEqualTo(SIZE);
      assertThat(HexFormat.of().formatHex(down.digest())).isEqualTo(expected);
      System.out.printf("1 GiB through a -Xmx256m server: upload %.1f s (%.0f MiB/s), download %.1f s (%.0f MiB/s)%n",
          upSeconds, 1024 / upSeconds, downSeconds, 1024 / downSeconds);
    } finally {
      server.close();
      try (Stream<Path> files = Files.walk(dir)) {
        files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  private static String newRun(HttpClient http, String base) throws Exception {
    String exp = Json.mapper().readTree(http.send(HttpRequest.newBuilder(URI.create(base
        + "/api/experiments/experiments")).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString("{\"name\":\"large\"}")).build(),
        HttpResponse.BodyHandlers.ofString()).body()).get("experiment_id").asText();
    return Json.mapper().readTree(http.send(HttpRequest.newBuilder(URI.create(base
        + "/api/experiments/experiments/" + exp + "/runs")).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString("{\"status\":\"running\",\"params\":{},\"metrics\":{}}")).build(),
        HttpResponse.BodyHandlers.ofString()).body()).get("run_id").asText();
  }

  /** {@code size} pseudo-random bytes made on the fly (a random block, varied per MiB), hashed as read. */
  static final class Generated extends InputStream {
    private final byte[] block = new byte[1 << 20];
    private final MessageDigest sha;
    private long remaining;
    private int at = block.length;
    private int blocks;

    Generated(long size, MessageDigest sha) {
      this.remaining = size;
      this.sha = sha;
      new Random(42).nextBytes(block);
    }

    @Override
    public int read() {
      byte[] one = new byte[1];
      return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) {
      if (remaining == 0) {
        return -1;
      }
      if (at == block.length) {
        block[0] = (byte) blocks;
        block[1] = (byte) (blocks++ >> 8);
        at = 0;
      }
      int n = (int) Math.min(Math.min(len, block.length - at), remaining);
      System.arraycopy(block, at, b, off, n);
      sha.update(block, at, n);
      at += n;
      remaining -= n;
      return n;
    }
  }
}
