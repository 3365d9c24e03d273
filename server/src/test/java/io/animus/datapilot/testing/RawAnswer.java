package io.animus.datapilot.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * An HTTP/1.1 answer read to the end of a raw socket, for tests that send what {@code java.net.http}
 * refuses to (malformed targets, headers, framing). Header names are lower case; a chunked body is
 * decoded; status 0 means no parsable answer.
 */
public record RawAnswer(int status, Map<String, String> headers, byte[] body) {

  public String text() {
    return new String(body, StandardCharsets.UTF_8);
  }

  /** Reads until the server closes; a reset after the answer still leaves the answer. */
  public static RawAnswer read(InputStream in) throws IOException {
    return parse(readAll(in));
  }

  private static byte[] readAll(InputStream in) throws IOException {
    ByteArrayOutputStream buffer = new ByteArrayOutputStream();
    byte[] chunk = new byte[8192];
    try {
      for (int n; (n = in.read(chunk)) >= 0; ) {
        buffer.write(chunk, 0, n);
      }
    } catch (java.net.SocketException e) {
      if (buffer.size() == 0) {
        throw e;
      }
    }
    return buffer.toByteArray();
  }

  private static RawAnswer parse(byte[] bytes) {
    String all = new String(bytes, StandardCharsets.ISO_8859_1);
    int end = all.indexOf("\r\n\r\n");
    if (end < 0) {
      return new RawAnswer(0, Map.of(), bytes);
    }
    String[] lines = all.substring(0, end).split("\r\n");
    int status;
    try {
      status = Integer.parseInt(lines[0].split(" ")[1]);
    } catch (RuntimeException e) {
      return new RawAnswer(0, Map.of(), bytes);
    }
    Map<String, String> headers = new TreeMap<>();
    for (int i = 1; i < lines.length; i++) {
      int colon = lines[i].indexOf(':');
      if (colon > 0) {
        headers.put(lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT), lines[i].substring(colon + 1).trim());
      }
    }
    byte[] rest = Arrays.copyOfRange(bytes, end + 4, bytes.length);
    if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
      rest = dechunk(rest);
    } else if (headers.containsKey("content-length")) {
      rest = Arrays.copyOf(rest, Math.min(rest.length, Integer.parseInt(headers.get("content-length"))));
    }
    return new RawAnswer(status, headers, rest);
  }

  private static byte[] dechunk(byte[] data) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    int pos = 0;
    while (pos < data.length) {
      int lineEnd = -1;
      for (int i = pos; i + 1 < data.length; i++) {
        if (data[i] == '\r' && data[i + 1] == '\n') {
          lineEnd = i;
          break;
        }
      }
      if (lineEnd < 0) {
        break;
      }
      int size = Integer.parseInt(new String(data, pos, lineEnd - pos, StandardCharsets.ISO_8859_1).split(";")[0]
          .trim(), 16);
      if (size == 0 || lineEnd + 2 + size > data.length) {
        break;
      }
      out.write(data, lineEnd + 2, size);
      pos = lineEnd + 2 + size + 2;
    }
    return out.toByteArray();
  }
}
