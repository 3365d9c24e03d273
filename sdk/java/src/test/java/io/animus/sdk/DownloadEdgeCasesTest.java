package io.animus.sdk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BiFunction;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Downloads against a scripted HTTP/1.1 server on a raw socket, which can cut a body short, change the content
 * between attempts or lie about the hash.
 */
@Timeout(60)
class DownloadEdgeCasesTest {
  @TempDir
  Path tmp;

  private ServerSocket socket;
  private final List<List<String>> requests = new CopyOnWriteArrayList<>();

  /** What one connection answers: the head lines, the body, and how many body bytes to send before closing. */
  record Script(String head, byte[] body, int send) {}

  /** Serves connection n (from 0) with {@code script.apply(n, requestLines)}. */
  private String serve(BiFunction<Integer, List<String>, Script> script) throws IOException {
    socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    Thread t = new Thread(() -> {
      int n = 0;
      while (!socket.isClosed()) {
        try (Socket c = socket.accept()) {
          BufferedReader in = new BufferedReader(
              new InputStreamReader(c.getInputStream(), StandardCharsets.ISO_8859_1));
          List<String> lines = new ArrayList<>();
          String line;
          while ((line = in.readLine()) != null && !line.isEmpty()) {
            lines.add(line);
          }
          requests.add(lines);
          Script s = script.apply(n++, lines);
          OutputStream out = c.getOutputStream();
          out.write(s.head().getBytes(StandardCharsets.ISO_8859_1));
          out.write(s.body(), 0, s.send());
          out.flush();
        } catch (IOException e) {
          return;
        }
      }
    });
    t.setDaemon(true);
    t.start();
    return "http://127.0.0.1:" + socket.getLocalPort();
  }

  @AfterEach
  void stop() throws IOException {
    socket.close();
  }

  private static String sha(byte[] b) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
  }

  private static String head(int status, long length, String etag, String sha, String extra) {
    return "HTTP/1.1 " + status + (status == 206 ? " Partial Content" : " OK") + "\r\nContent-Type: text/plain\r\n"
        + "Content-Length: " + length + "\r\nETag: \"" + etag + "\"\r\nX-Content-SHA256: " + sha + "\r\n" + extra
        + "Connection: close\r\n\r\n";
  }

  private static String header(List<String> request, String name) {
    String prefix = name.toLowerCase(Locale.ROOT) + ":";
    return request.stream().filter(l -> l.toLowerCase(Locale.ROOT).startsWith(prefix))
        .map(l -> l.substring(prefix.length()).strip()).findFirst().orElse(null);
  }

  @Test
  void aWrongHashIsRefusedAndLeavesNoFile() throws Exception {
    byte[] body = "the real bytes".getBytes(StandardCharsets.UTF_8);
    String url = serve((n, req) -> new Script(head(200, body.length, "e", "00".repeat(32), ""), body, body.length));
    String expected = sha(body);
    Path dest = tmp.resolve("out.txt");
    DatasetRegistryClient client = DatasetRegistryClient.builder().gatewayUrl(url).build();
    assertThatThrownBy(() -> client.downloadDatasetVersion("v1", dest)).isInstanceOfSatisfying(
        AnimusApiException.class, e -> {
          assertThat(e.code()).isEqualTo("checksum_mismatch");
          assertThat(e.body()).isInstanceOf(String.class);
          assertThat((String) e.body()).contains(expected);
        });
    assertThat(Files.exists(dest)).isFalse();
    assertThat(Files.exists(tmp.resolve("out.txt.tmp"))).isFalse();
  }

  @Test
  void contentChangedBetweenAttemptsRestartsFromZero() throws Exception {
    byte[] first = "A".repeat(1000).getBytes(StandardCharsets.US_ASCII);
    byte[] second = "B".repeat(1200).getBytes(StandardCharsets.US_ASCII);
    String firstSha = sha(first);
    String secondSha = sha(second);
    String url = serve((n, req) -> n == 0
        // the first connection breaks after 400 of 1000 bytes
        ? new Script(head(200, first.length, firstSha, firstSha, "Accept-Ranges: bytes\r\n"), first, 400)
        // the resume's If-Range no longer matches: a full 200 of the new content
        : new Script(head(200, second.length, secondSha, secondSha, ""), second, second.length));
    Path dest = tmp.resolve("data.bin");
    DownloadResult result = DatasetRegistryClient.builder().gatewayUrl(url).build()
        .downloadDatasetVersion("v1", dest);
    assertThat(requests).hasSize(2);
    assertThat(header(requests.get(1), "Range")).isEqualTo("bytes=400-");
    assertThat(header(requests.get(1), "If-Range")).isEqualTo("\"" + firstSha + "\"");
    assertThat(result.sha256()).isEqualTo(secondSha);
    assertThat(result.sizeBytes()).isEqualTo(second.length);
    assertThat(Files.readAllBytes(dest)).isEqualTo(second);
  }

  @Test
  void aResumeAppendsThe206Remainder() throws Exception {
    byte[] body = new byte[5000];
    new java.util.Random(3).nextBytes(body);
    String s = sha(body);
    String url = serve((n, req) -> {
      if (n == 0) {
        return new Script(head(200, body.length, s, s, "Accept-Ranges: bytes\r\n"), body, 1234);
      }
      long from = Long.parseLong(header(req, "Range").replace("bytes=", "").replace("-", ""));
      byte[] rest = java.util.Arrays.copyOfRange(body, (int) from, body.length);
      return new Script(head(206, rest.length, s, s, "Content-Range: bytes " + from + "-" + (body.length - 1) + "/"
          + body.length + "\r\n"), rest, rest.length);
    });
    Path dest = tmp.resolve("nested/dir/blob.bin");
    DownloadResult result = ExperimentsClient.builder().gatewayUrl(url).build().downloadRunArtifact("r", "a", dest);
    assertThat(requests).hasSize(2);
    assertThat(header(requests.get(1), "Range")).isEqualTo("bytes=1234-");
    assertThat(result.sha256()).isEqualTo(s);
    assertThat(Files.readAllBytes(dest)).isEqualTo(body);
  }

  @Test
  void aConnectionThatKeepsBreakingGivesUpWithATransportError() throws Exception {
    byte[] body = new byte[2000];
    String s = sha(body);
    String url = serve((n, req) -> new Script(head(200, body.length, s + n, s, ""), body, 100));
    Path dest = tmp.resolve("never.bin");
    assertThatThrownBy(() -> DatasetRegistryClient.builder().gatewayUrl(url).build().downloadDatasetVersion("v", dest))
        .isInstanceOf(AnimusTransportException.class);
    assertThat(requests).hasSize(4);
    assertThat(Files.exists(dest)).isFalse();
    assertThat(Files.exists(tmp.resolve("never.bin.tmp"))).isFalse();
  }
}
