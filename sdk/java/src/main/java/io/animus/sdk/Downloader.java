package io.animus.sdk;

import com.fasterxml.jackson.databind.node.TextNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * A streaming download into {@code <dest>.tmp}: up to four attempts, resuming with {@code Range} (and
 * {@code If-Range}) after a broken connection, checking {@code Content-Length} and {@code X-Content-SHA256},
 * then an atomic rename onto {@code dest}.
 */
final class Downloader {
  private static final int ATTEMPTS = 4;

  private final Transport http;
  private final HttpClient client;

  Downloader(Transport http, HttpClient client) {
    this.http = http;
    this.client = client;
  }

  /** See {@link Transport#download(String, Path, TransferProgress, boolean)}. */
  DownloadResult download(String path, Path dest, TransferProgress progress, boolean resume) {
    Path target = dest.toAbsolutePath();
    Path tmp = target.resolveSibling(target.getFileName() + ".tmp");
    try {
      Files.createDirectories(target.getParent());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    Transfer t = new Transfer(tmp, progress, resume ? keptBytes(tmp) : 0);
    try {
      return attempts(path, target, t, resume);
    } catch (IOException e) {
      quietlyDelete(tmp);
      throw new UncheckedIOException(e);
    } catch (AnimusTransportException e) {
      if (!resume) {
        quietlyDelete(tmp);
      }
      throw e;
    } catch (RuntimeException e) {
      quietlyDelete(tmp);
      throw e;
    } catch (InterruptedException e) {
      quietlyDelete(tmp);
      Thread.currentThread().interrupt();
      throw new AnimusTransportException(null, "interrupted", e);
    }
  }

  private DownloadResult attempts(String path, Path target, Transfer t, boolean resume)
      throws IOException, InterruptedException {
    AnimusTransportException last = null;
    for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
      String requestId = Transport.newRequestId();
      HttpResponse<InputStream> resp;
      try {
        HttpRequest req = t.request(http.request(http.uri(path, null), requestId, http.timeout()));
        resp = client.send(req, HttpResponse.BodyHandlers.ofInputStream());
      } catch (IOException e) {
        last = Replies.networkError(requestId, e);
        continue;
      }
      int status = resp.statusCode();
      if (status == 416 && t.have > 0) {
        // what was kept is not a prefix of this content (it is as long or longer): start over
        drain(resp);
        t.have = 0;
        attempt--;
        continue;
      }
      if (status >= 300) {
        throw Replies.apiError(resp, requestId);
      }
      AnimusTransportException failed = t.receive(resp, requestId);
      if (failed != null) {
        last = failed;
        continue;
      }
      return t.finish(target, status, requestId);
    }
    if (!resume) {
      Files.deleteIfExists(t.tmp);
    }
    throw last;
  }

  /** The state of one download across its attempts: bytes in the temporary file and what the server said. */
  private static final class Transfer {
    private final Path tmp;
    private final TransferProgress progress;
    private long have;
    private String etag;
    private String expectedSha;
    private String contentType;
    private long total = -1;

    Transfer(Path tmp, TransferProgress progress, long have) {
      this.tmp = tmp;
      this.progress = progress;
      this.have = have;
    }

    HttpRequest request(HttpRequest.Builder b) {
      b.setHeader("Accept", "*/*").GET();
      if (have > 0) {
        b.header("Range", "bytes=" + have + "-");
        if (etag != null) {
          b.header("If-Range", etag);
        }
      }
      return b.build();
    }

    /** Appends (206 to a range) or writes the body; the failure to retry, or null when the body is complete. */
    AnimusTransportException receive(HttpResponse<InputStream> resp, String requestId) {
      boolean append = resp.statusCode() == 206 && have > 0;
      HttpHeaders h = resp.headers();
      if (append && etag == null) {
        describe(h);
        total = h.firstValue("Content-Range").map(Downloader::rangeTotal).orElse(-1L);
      } else if (!append) {
        have = 0;
        describe(h);
        total = h.firstValueAsLong("Content-Length").orElse(-1);
      }
      try (InputStream in = resp.body();
          OutputStream out = Files.newOutputStream(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
              append ? StandardOpenOption.APPEND : StandardOpenOption.TRUNCATE_EXISTING)) {
        byte[] buf = new byte[1 << 16];
        int n;
        while ((n = in.read(buf)) >= 0) {
          out.write(buf, 0, n);
          have += n;
          if (progress != null) {
            progress.update(have, total);
          }
        }
      } catch (IOException e) {
        return Replies.networkError(requestId, e);
      }
      if (total >= 0 && have != total) {
        return new AnimusTransportException(requestId, "incomplete body: " + have + " of " + total + " bytes", null);
      }
      return null;
    }

    private void describe(HttpHeaders h) {
      etag = h.firstValue("ETag").orElse(null);
      expectedSha = h.firstValue("X-Content-SHA256").orElse(null);
      contentType = h.firstValue("Content-Type").orElse("application/octet-stream");
    }

    /** Checks the sha256 of the whole file, then syncs and renames it onto {@code target}. */
    DownloadResult finish(Path target, int status, String requestId) throws IOException {
      String sha = sha256Of(tmp);
      if (expectedSha != null && !expectedSha.isBlank()
          && !expectedSha.strip().replace("\"", "").equalsIgnoreCase(sha)) {
        Files.deleteIfExists(tmp);
        throw new AnimusApiException(status, "checksum_mismatch", requestId, TextNode.valueOf(
            "X-Content-SHA256 " + expectedSha + " but the received bytes hash to " + sha));
      }
      try (var ch = java.nio.channels.FileChannel.open(tmp, StandardOpenOption.WRITE)) {
        ch.force(true);
      }
      Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      return new DownloadResult(contentType, have, sha);
    }
  }

  private static long keptBytes(Path tmp) {
    if (!Files.isRegularFile(tmp)) {
      return 0;
    }
    try {
      return Files.size(tmp);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The complete length in {@code Content-Range: bytes a-b/total}, or -1. */
  private static long rangeTotal(String contentRange) {
    int slash = contentRange.lastIndexOf('/');
    try {
      return slash < 0 ? -1 : Long.parseLong(contentRange.substring(slash + 1).strip());
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  private static void drain(HttpResponse<InputStream> resp) {
    try (InputStream in = resp.body()) {
      in.transferTo(OutputStream.nullOutputStream());
    } catch (IOException ignored) {
      // the next request opens its own connection if this one broke
    }
  }

  private static void quietlyDelete(Path p) {
    try {
      Files.deleteIfExists(p);
    } catch (IOException ignored) {
      // best effort
    }
  }

  static String sha256Of(Path file) throws IOException {
    MessageDigest md;
    try {
      md = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
    try (InputStream in = new DigestInputStream(Files.newInputStream(file), md)) {
      in.transferTo(OutputStream.nullOutputStream());
    }
    return HexFormat.of().formatHex(md.digest());
  }
}
