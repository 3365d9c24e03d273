package io.animus.datapilot.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * HTTP/1.1 over a plain socket, for requests whose exact bytes matter (header bytes a library would
 * refuse or re-encode, a client's exact header set). Every request is sent with
 * {@code Connection: close} and the answer is read to the end of the stream.
 */
public final class RawHttp {
  private final int port;

  public RawHttp(int port) {
    this.port = port;
  }

  public RawHttp(String baseUrl) {
    this(Integer.parseInt(baseUrl.substring(baseUrl.lastIndexOf(':') + 1)));
  }

  /**
   * Sends {@code method target} with the given header lines (name and value, in order, values
   * written as UTF-8) and body; adds {@code Host}, {@code Content-Length} for a body, and
   * {@code Connection: close} unless given.
   */
  public TestClient.Response send(String method, String target, List<String[]> headers, byte[] body) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    write(out, method + " " + target + " HTTP/1.1\r\n");
    boolean host = false;
    boolean connection = false;
    for (String[] h : headers) {
      host |= h[0].equalsIgnoreCase("Host");
      connection |= h[0].equalsIgnoreCase("Connection");
    }
    if (!host) {
      write(out, "Host: 127.0.0.1:" + port + "\r\n");
    }
    for (String[] h : headers) {
      write(out, h[0] + ": " + h[1] + "\r\n");
    }
    if (body != null && headers.stream().noneMatch(h -> h[0].equalsIgnoreCase("Content-Length"))) {
      write(out, "Content-Length: " + body.length + "\r\n");
    }
    if (!connection) {
      write(out, "Connection: close\r\n");
    }
    write(out, "\r\n");
    if (body != null) {
      out.writeBytes(body);
    }
    return exchange(out.toByteArray(), method.equals("HEAD"));
  }

  /** Writes the request bytes exactly as given and parses the answer. */
  public TestClient.Response exchange(byte[] request, boolean head) {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
      socket.setSoTimeout(30_000);
      OutputStream os = socket.getOutputStream();
      // Write while reading: a server may answer (413) and close before the whole body is sent.
      Thread writer = new Thread(() -> {
        try {
          os.write(request);
          os.flush();
        } catch (IOException e) {
          // the answer, read below, says why the server stopped reading
        }
      }, "raw-http-writer");
      writer.start();
      byte[] answer = socket.getInputStream().readAllBytes();
      try {
        writer.join(30_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      return parse(answer, head);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static TestClient.Response parse(byte[] raw, boolean head) {
    int end = indexOf(raw, "\r\n\r\n".getBytes(StandardCharsets.US_ASCII), 0);
    if (end < 0) {
      throw new IllegalStateException("no complete response head: " + new String(raw, StandardCharsets.ISO_8859_1));
    }
    String[] lines = new String(raw, 0, end, StandardCharsets.ISO_8859_1).split("\r\n");
    int status = Integer.parseInt(lines[0].split(" ")[1]);
    Map<String, List<String>> headers = new LinkedHashMap<>();
    for (int i = 1; i < lines.length; i++) {
      int colon = lines[i].indexOf(':');
      headers.computeIfAbsent(lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT), k -> new ArrayList<>())
          .add(lines[i].substring(colon + 1).trim());
    }
    byte[] rest = java.util.Arrays.copyOfRange(raw, end + 4, raw.length);
    List<String> encoding = headers.getOrDefault("transfer-encoding", List.of());
    byte[] body = head ? new byte[0]
        : encoding.stream().anyMatch(v -> v.equalsIgnoreCase("chunked")) ? dechunk(rest) : rest;
    return new TestClient.Response(status, headers, body);
  }

  private static byte[] dechunk(byte[] raw) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    int pos = 0;
    while (true) {
      int lineEnd = indexOf(raw, "\r\n".getBytes(StandardCharsets.US_ASCII), pos);
      String sizeText = new String(raw, pos, lineEnd - pos, StandardCharsets.US_ASCII).split(";")[0].trim();
      int size = Integer.parseInt(sizeText, 16);
      if (size == 0) {
        return out.toByteArray();
      }
      out.write(raw, lineEnd + 2, size);
      pos = lineEnd + 2 + size + 2;
    }
  }

  private static int indexOf(byte[] haystack, byte[] needle, int from) {
    outer:
    for (int i = from; i <= haystack.length - needle.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (haystack[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }

  private static void write(ByteArrayOutputStream out, String text) {
    out.writeBytes(text.getBytes(StandardCharsets.UTF_8));
  }
}
