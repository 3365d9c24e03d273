package io.animus.datapilot.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.animus.datapilot.testing.TestServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code datasets push} and {@code pull} of 100 MiB, and a pull resumed after the process was killed mid-way. */
class CliTransferTest {
  private static final long SIZE = 100L << 20;

  static TestServer server;
  static Cli cli;
  @TempDir
  static Path dir;
  static Path source;
  static String sourceSha;
  static String versionId;

  @BeforeAll
  static void pushOnce() throws Exception {
    server = TestServer.start();
    cli = new Cli(server.baseUrl());
    source = dir.resolve("big.bin");
    writeRandom(source, SIZE);
    sourceSha = sha256(source);
    String dataset = Cli.unique("big");
    assertThat(cli.run("datasets", "create", dataset).exit()).isZero();
    Cli.Result pushed = cli.run("datasets", "push", dataset, source.toString(), "--json");
    assertThat(pushed.exit()).as(pushed.toString()).isZero();
    JsonNode v = pushed.json();
    assertThat(v.path("size_bytes").asLong()).isEqualTo(SIZE);
    assertThat(v.path("content_sha256").asText()).isEqualTo(sourceSha);
    versionId = v.path("version_id").asText();
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  @Test
  void pushThenPullOf100MiBGivesTheSameSha256() throws Exception {
    Path dest = dir.resolve("pulled.bin");
    Cli.Result pulled = cli.run("datasets", "pull", versionId, "-o", dest.toString());
    assertThat(pulled.exit()).as(pulled.toString()).isZero();
    assertThat(pulled.out()).contains("Saved " + dest + " (100 MiB, sha256 " + sourceSha + " verified)");
    assertThat(Files.size(dest)).isEqualTo(SIZE);
    assertThat(sha256(dest)).isEqualTo(sourceSha);
    assertThat(Files.exists(dir.resolve("pulled.bin.tmp"))).isFalse();
  }

  @Test
  void pullResumesAfterTheProcessWasKilledMidDownload() throws Exception {
    Path dest = dir.resolve("resumed.bin");
    Path tmp = dir.resolve("resumed.bin.tmp");
    // a separate JVM pulls slowly and is killed (SIGKILL) once it has written at least 16 MiB
    Process child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", System.getProperty("java.class.path"), Main.class.getName(), "datasets", "pull", versionId,
        "-o", dest.toString(), "--limit-rate", "8M", "--url", server.baseUrl())
        .redirectErrorStream(true).redirectOutput(dir.resolve("child.log").toFile()).start();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while ((!Files.exists(tmp) || Files.size(tmp) < (16L << 20)) && child.isAlive() && System.nanoTime() < deadline) {
      Thread.sleep(50);
    }
    assertThat(child.isAlive()).as(Files.readString(dir.resolve("child.log"))).isTrue();
    child.destroyForcibly().waitFor();
    long kept = Files.size(tmp);
    assertThat(kept).isBetween(16L << 20, SIZE - 1);
    assertThat(Files.exists(dest)).isFalse();

    Cli.Result resumed = cli.run("datasets", "pull", versionId, "-o", dest.toString(), "--json");
    assertThat(resumed.exit()).as(resumed.toString()).isZero();
    JsonNode r = resumed.json();
    assertThat(r.path("resumed_from_bytes").asLong()).isEqualTo(kept);
    assertThat(r.path("sha256").asText()).isEqualTo(sourceSha);
    assertThat(r.path("size_bytes").asLong()).isEqualTo(SIZE);
    assertThat(sha256(dest)).isEqualTo(sourceSha);
    assertThat(Files.exists(tmp)).isFalse();
  }

  @Test
  void aCorruptPartialFileIsDetectedAndRemoved() throws Exception {
    Path dest = dir.resolve("corrupt.bin");
    Path tmp = dir.resolve("corrupt.bin.tmp");
    Files.write(tmp, new byte[4096]);   // zeros: not the start of the random content
    Cli.Result r = cli.run("datasets", "pull", versionId, "-o", dest.toString());
    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.err()).contains("checksum_mismatch");
    assertThat(Files.exists(tmp)).isFalse();
    assertThat(Files.exists(dest)).isFalse();
    Cli.Result again = cli.run("datasets", "pull", versionId, "-o", dest.toString(), "--json");
    assertThat(again.exit()).isZero();
    assertThat(again.json().path("resumed_from_bytes").asLong()).isZero();
    assertThat(sha256(dest)).isEqualTo(sourceSha);
  }

  @Test
  void limitRateHoldsTheTransferBack() throws Exception {
    Path small = dir.resolve("small.bin");
    writeRandom(small, 3L << 20);
    String dataset = Cli.unique("slow");
    assertThat(cli.run("datasets", "create", dataset).exit()).isZero();
    long start = System.nanoTime();
    Cli.Result pushed = cli.run("datasets", "push", dataset, small.toString(), "--limit-rate", "1M", "--json");
    long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start);
    assertThat(pushed.exit()).isZero();
    // 3 MiB at 1 MiB/s cannot take less than 2 s (a lower bound, not a speed assertion)
    assertThat(seconds).isGreaterThanOrEqualTo(2);
    assertThat(List.of(pushed.json().path("size_bytes").asLong())).containsExactly(3L << 20);
  }

  static void writeRandom(Path file, long size) throws IOException {
    Random random = new Random(42);
    byte[] block = new byte[1 << 20];
    try (OutputStream out = Files.newOutputStream(file)) {
      for (long written = 0; written < size; written += block.length) {
        random.nextBytes(block);
        out.write(block, 0, (int) Math.min(block.length, size - written));
      }
    }
  }

  static String sha256(Path file) throws Exception {
    MessageDigest md = MessageDigest.getInstance("SHA-256");
    try (InputStream in = new DigestInputStream(Files.newInputStream(file), md)) {
      in.transferTo(OutputStream.nullOutputStream());
    }
    return HexFormat.of().formatHex(md.digest());
  }
}
