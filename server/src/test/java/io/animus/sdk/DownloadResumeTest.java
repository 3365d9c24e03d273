package io.animus.sdk;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** A download whose first connection breaks mid-body resumes with Range and still verifies the hash. */
@Timeout(120)
class DownloadResumeTest {
  @TempDir
  Path tmp;

  /** A TCP relay to the real server that cuts its first connection after {@code limit} bytes of answer. */
  static final class DroppingProxy implements AutoCloseable {
    final ServerSocket socket;
    final List<String> requests = new CopyOnWriteArrayList<>();
    final AtomicInteger connections = new AtomicInteger();

    DroppingProxy(URI upstream, long limit) throws IOException {
      socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
      Thread acceptor = new Thread(() -> {
        try {
          while (true) {
            Socket client = socket.accept();
            int n = connections.incrementAndGet();
            Socket server = new Socket(upstream.getHost(), upstream.getPort());
            pump(client.getInputStream(), server.getOutputStream(), Long.MAX_VALUE, client, server, true);
            pump(server.getInputStream(), client.getOutputStream(), n == 1 ? limit : Long.MAX_VALUE, client, server,
                false);
          }
        } catch (IOException ignored) {
          // closed
        }
      });
      acceptor.setDaemon(true);
      acceptor.start();
    }

    private void pump(InputStream in, OutputStream out, long limit, Socket a, Socket b, boolean record) {
      Thread t = new Thread(() -> {
        byte[] buf = new byte[8192];
        long sent = 0;
        try {
          int r;
          while ((r = in.read(buf)) >= 0) {
            if (record) {
              requests.add(new String(buf, 0, r, StandardCharsets.ISO_8859_1));
            }
            int n = (int) Math.min(r, limit - sent);
            out.write(buf, 0, n);
            out.flush();
            sent += n;
            if (sent >= limit) {
              break;
            }
          }
        } catch (IOException ignored) {
          // the other side went away
        }
        closeQuietly(a);
        closeQuietly(b);
      });
      t.setDaemon(true);
      t.start();
    }

    private static void closeQuietly(Socket s) {
      try {
        s.close();
      } catch (IOException ignored) {
        // best effort
      }
    }

    String url() {
      return "http://127.0.0.1:" + socket.getLocalPort();
    }

    @Override
    public void close() throws IOException {
      socket.close();
    }
  }

  @Test
  void aBrokenDownloadResumesWithRangeAndVerifiesTheHash() throws Exception {
    ExperimentsClient direct = LiveServer.experiments();
    String exp = direct.createExperiment(LiveServer.unique("resume"), "", null).experimentId();
    String run = direct.createRun(exp, NewRun.withStatus("running")).runId();
    byte[] bytes = new byte[2 * 1024 * 1024 + 5];
    new Random(11).nextBytes(bytes);
    Path file = tmp.resolve("blob.bin");
    Files.write(file, bytes);
    String artifactId = direct.uploadRunArtifact(run, "file", file, null, null).artifactId();

    try (DroppingProxy proxy = new DroppingProxy(URI.create(LiveServer.url()), 300_000)) {
      ExperimentsClient viaProxy = ExperimentsClient.builder().gatewayUrl(proxy.url()).build();
      Path dest = tmp.resolve("copy.bin");
      DownloadResult result = viaProxy.downloadRunArtifact(run, artifactId, dest);
      String sha = HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(bytes));
      assertThat(result.sha256()).isEqualTo(sha);
      assertThat(result.sizeBytes()).isEqualTo(bytes.length);
      assertThat(Files.readAllBytes(dest)).isEqualTo(bytes);
      assertThat(Files.exists(tmp.resolve("copy.bin.tmp"))).isFalse();
      assertThat(proxy.connections.get()).isGreaterThanOrEqualTo(2);
      assertThat(String.join("", proxy.requests).toLowerCase()).contains("range: bytes=").contains("if-range: ");
    }
  }
}
