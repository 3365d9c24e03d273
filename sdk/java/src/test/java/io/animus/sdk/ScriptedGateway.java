package io.animus.sdk;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.BiFunction;

/**
 * A loopback HTTP/1.1 server whose answers a test scripts, for failures a real server does not give on demand
 * (503, 429 with Retry-After, a 400 naming one bad item, a dropped connection). It records every request.
 */
final class ScriptedGateway implements AutoCloseable {
  /** One request as received; {@code nanos} is when its body was read. */
  record Request(String method, String path, String body, long nanos) {}

  /** An answer; a null answer closes the connection without one (status 0 for the client). */
  record Answer(int status, String retryAfter, String body) {
    static Answer json(int status, String body) {
      return new Answer(status, null, body);
    }
  }

  private final ServerSocket socket;
  private final BiFunction<Request, Integer, Answer> script;
  private final List<Request> requests = new ArrayList<>();

  /** {@code script} gets each request and its 0-based number. */
  ScriptedGateway(BiFunction<Request, Integer, Answer> script) throws IOException {
    this.script = script;
    this.socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    Thread t = new Thread(this::accept, "scripted-gateway");
    t.setDaemon(true);
    t.start();
  }

  String url() {
    return "http://127.0.0.1:" + socket.getLocalPort();
  }

  /** The requests so far (a copy). */
  synchronized List<Request> requests() {
    return new ArrayList<>(requests);
  }

  private void accept() {
    try {
      while (true) {
        Socket s = socket.accept();
        Thread t = new Thread(() -> serve(s), "scripted-gateway-conn");
        t.setDaemon(true);
        t.start();
      }
    } catch (IOException closed) {
      // closed by the test
    }
  }

  private void serve(Socket s) {
    try (s; InputStream in = new BufferedInputStream(s.getInputStream());
         OutputStream out = s.getOutputStream()) {
      while (true) {
        String requestLine = line(in);
        if (requestLine == null || requestLine.isEmpty()) {
          return;
        }
        int length = 0;
        String header;
        while ((header = line(in)) != null && !header.isEmpty()) {
          if (header.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
            length = Integer.parseInt(header.substring(15).trim());
          }
        }
        String body = new String(in.readNBytes(length), StandardCharsets.UTF_8);
        String[] parts = requestLine.split(" ");
        Request r = new Request(parts[0], parts[1], body, System.nanoTime());
        int n;
        synchronized (this) {
          n = requests.size();
          requests.add(r);
        }
        Answer a = script.apply(r, n);
        if (a == null) {
          return;
        }
        byte[] payload = a.body().getBytes(StandardCharsets.UTF_8);
        String head = "HTTP/1.1 " + a.status() + " X\r\nContent-Type: application/json\r\nContent-Length: "
            + payload.length + "\r\n" + (a.retryAfter() == null ? "" : "Retry-After: " + a.retryAfter() + "\r\n")
            + "\r\n";
        out.write(head.getBytes(StandardCharsets.US_ASCII));
        out.write(payload);
        out.flush();
      }
    } catch (IOException | RuntimeException ignored) {
      // the client went away
    }
  }

  private static String line(InputStream in) throws IOException {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    int c;
    while ((c = in.read()) != -1 && c != '\n') {
      if (c != '\r') {
        b.write(c);
      }
    }
    return c == -1 && b.size() == 0 ? null : b.toString(StandardCharsets.US_ASCII);
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
