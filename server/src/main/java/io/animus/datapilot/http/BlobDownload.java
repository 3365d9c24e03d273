package io.animus.datapilot.http;

import io.animus.datapilot.kernel.ApiException;
import io.animus.datapilot.kernel.ErrorCode;

import io.animus.datapilot.storage.BlobRef;
import io.animus.datapilot.storage.BlobStore;
import io.animus.datapilot.storage.BlobStoreException;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Optional;
import org.eclipse.jetty.ee10.servlet.HttpOutput;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one download writer of docs/protocol.md §5.3, for artifacts and dataset versions: validators,
 * {@code If-None-Match}, a single {@code Range} (with {@code If-Range}), {@code HEAD}, and a
 * streamed body; a local file is sent from memory-mapped regions so the bytes go from the page
 * cache to the socket without passing through the Java heap.
 */
public final class BlobDownload {
  private static final Logger LOG = LoggerFactory.getLogger(BlobDownload.class);
  private static final long MAP_REGION = 64L << 20;
  private static final int COPY_BUFFER = 256 * 1024;
  private final BlobStore store;

  public BlobDownload(BlobStore store) {
    this.store = store;
  }

  /** A byte range, both ends inclusive. */
  record Span(long first, long last) {
    long length() {
      return last - first + 1;
    }
  }

  /** Answers the request with the blob a Service described (its row's size, digest, name and type). */
  public Reply send(ApiRequest request, BlobRef item) {
    long size = objectSize(item);
    HttpServletResponse res = request.context().res();
    String etag = "\"" + item.sha256() + "\"";
    res.setHeader("ETag", etag);
    res.setHeader("X-Content-SHA256", item.sha256());
    res.setHeader("Accept-Ranges", "bytes");
    if (matchesAny(request.header("If-None-Match"), etag)) {
      res.setStatus(304);
      return Reply.written();
    }
    Optional<Span> span = Optional.empty();
    Optional<String> range = request.header("Range");
    if (range.isPresent() && ifRangeAllows(request.header("If-Range"), etag)) {
      span = parseRange(range.get(), size);
      if (span.isPresent() && span.get().first() < 0) {
        res.setHeader("Content-Range", "bytes */" + size);
        throw new ApiException(ErrorCode.RANGE_NOT_SATISFIABLE, "the requested range is outside the content ("
            + size + " bytes)");
      }
    }
    Span sent = span.orElse(new Span(0, size - 1));
    res.setContentType(item.contentType());
    res.setHeader("Content-Disposition", contentDisposition(item.filename()));
    if (span.isPresent()) {
      res.setStatus(206);
      res.setHeader("Content-Range", "bytes " + sent.first() + "-" + sent.last() + "/" + size);
    } else {
      res.setStatus(200);
    }
    res.setContentLengthLong(Math.max(0, sent.length()));
    if (request.context().req().getMethod().equals("HEAD") || sent.length() <= 0) {
      return Reply.written();
    }
    try {
      writeBody(res, item, sent);
    } catch (IOException e) {
      LOG.debug("download of {} ended early: {}", item.key(), e.toString());
    }
    return Reply.written();
  }

  /** The stored size; 404 when the object is missing, 502 when the store fails (before any byte). */
  private long objectSize(BlobRef item) {
    try {
      return store.size(item.area(), item.key())
          .orElseThrow(() -> ApiException.notFound("stored object"));
    } catch (BlobStoreException e) {
      LOG.error("blob store read failed for {}", item.key(), e);
      throw new ApiException(ErrorCode.OBJECT_STORE_ERROR, "the blob store could not be read; quote the request id");
    }
  }

  private void writeBody(HttpServletResponse res, BlobRef item, Span span) throws IOException {
    ServletOutputStream out = res.getOutputStream();
    Optional<Path> local = store.localFile(item.area(), item.key());
    if (local.isPresent() && out instanceof HttpOutput jetty) {
      try (FileChannel channel = FileChannel.open(local.get(), StandardOpenOption.READ)) {
        for (long at = span.first(); at <= span.last(); at += MAP_REGION) {
          long length = Math.min(MAP_REGION, span.last() - at + 1);
          jetty.write(channel.map(FileChannel.MapMode.READ_ONLY, at, length));
        }
      }
      return;
    }
    InputStream in;
    try {
      in = store.open(item.area(), item.key(), span.first(), span.length());
    } catch (BlobStoreException e) {
      LOG.error("blob store read failed for {}", item.key(), e);
      throw new IOException("blob store read failed", e);
    }
    try (in) {
      byte[] buf = new byte[COPY_BUFFER];
      long remaining = span.length();
      int n;
      while (remaining > 0 && (n = in.read(buf, 0, (int) Math.min(buf.length, remaining))) > 0) {
        out.write(buf, 0, n);
        remaining -= n;
      }
      if (remaining > 0) {
        throw new IOException("blob ended " + remaining + " bytes early");
      }
    }
  }

  /** {@code If-None-Match}: {@code *} or any listed tag (weak comparison) matches. */
  static boolean matchesAny(Optional<String> header, String etag) {
    if (header.isEmpty()) {
      return false;
    }
    for (String raw : header.get().split(",")) {
      String tag = raw.trim();
      if (tag.equals("*")) {
        return true;
      }
      if (tag.startsWith("W/")) {
        tag = tag.substring(2);
      }
      if (tag.equals(etag)) {
        return true;
      }
    }
    return false;
  }

  /** {@code If-Range} must be our strong tag; a date or another tag means "send everything". */
  private static boolean ifRangeAllows(Optional<String> header, String etag) {
    return header.isEmpty() || header.get().trim().equals(etag);
  }

  /**
   * One {@code bytes=} range. Empty when the header is to be ignored (malformed, another unit,
   * several ranges); a span with {@code first = -1} when it cannot be satisfied.
   */
  static Optional<Span> parseRange(String header, long size) {
    String value = header.trim();
    if (!value.regionMatches(true, 0, "bytes=", 0, 6)) {
      return Optional.empty();
    }
    String spec = value.substring(6).trim();
    if (spec.contains(",")) {
      return Optional.empty();
    }
    int dash = spec.indexOf('-');
    if (dash < 0) {
      return Optional.empty();
    }
    String a = spec.substring(0, dash).trim();
    String b = spec.substring(dash + 1).trim();
    try {
      if (a.isEmpty()) {
        long suffix = Long.parseLong(b);
        if (suffix < 0 || b.startsWith("+")) {
          return Optional.empty();
        }
        if (suffix == 0 || size == 0) {
          return Optional.of(new Span(-1, -1));
        }
        return Optional.of(new Span(Math.max(0, size - suffix), size - 1));
      }
      long first = Long.parseLong(a);
      long last = b.isEmpty() ? Long.MAX_VALUE : Long.parseLong(b);
      if (first < 0 || a.startsWith("+") || b.startsWith("+") || last < first) {
        return Optional.empty();
      }
      if (first >= size) {
        return Optional.of(new Span(-1, -1));
      }
      return Optional.of(new Span(first, Math.min(last, size - 1)));
    } catch (NumberFormatException e) {
      return Optional.empty();
    }
  }

  /** {@code attachment; filename="…"} with an ASCII fallback, plus {@code filename*} when needed. */
  static String contentDisposition(String filename) {
    StringBuilder ascii = new StringBuilder();
    boolean nonAscii = false;
    for (int i = 0; i < filename.length(); i++) {
      char c = filename.charAt(i);
      if (c >= 0x80) {
        nonAscii = true;
        if (!Character.isLowSurrogate(c)) {
          ascii.append('_');
        }
      } else if (c < 0x20 || c == 0x7f) {
        ascii.append('_');
      } else {
        if (c == '"' || c == '\\') {
          ascii.append('\\');
        }
        ascii.append(c);
      }
    }
    String header = "attachment; filename=\"" + ascii + "\"";
    return nonAscii ? header + "; filename*=UTF-8''" + percentEncode(filename) : header;
  }

  private static String percentEncode(String text) {
    StringBuilder out = new StringBuilder();
    for (byte b : text.getBytes(StandardCharsets.UTF_8)) {
      int c = b & 0xff;
      boolean attrChar = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
          || "!#$&+-.^_`|~".indexOf(c) >= 0;
      if (attrChar) {
        out.append((char) c);
      } else {
        out.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
            .append(Character.toUpperCase(Character.forDigit(c & 15, 16)));
      }
    }
    return out.toString();
  }
}
