package io.animus.datapilot.testing.fuzz;

import io.animus.datapilot.ci.CiSignature;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One request of the fuzzer, kept as structure until it is written: method, path, query
 * parameters (already percent-encoded), headers, and a body that is a JSON tree, a multipart form
 * or raw bytes. CI requests are signed over the final bytes, so mutations reach validation.
 */
public final class FuzzRequest {
  /** One multipart part; {@code filename} null for a text field, {@code headers} extra raw header lines. */
  public record Part(String name, String filename, String contentType, byte[] bytes) {}

  public final String route;
  public String method;
  public String path;
  public final Map<String, String> query = new LinkedHashMap<>();
  public final List<String[]> headers = new ArrayList<>();
  public FuzzJson.Node json;
  public List<Part> parts;
  public String boundary = "fuzzboundary7MA4YWxkTrZu0gW";
  /** Replaces the whole body (and its framing) when set by a byte-level mutation. */
  public byte[] rawBody;
  /** Content-Type of a multipart form, or null for the default. */
  public String contentType;
  public boolean closeForm = true;
  /** 0: framed by Content-Length; 1: sent as one chunk and the last chunk; 2: a chunk size that is not hex. */
  public int chunked;
  public String ciSecret;
  /** What was done to this request, for the report. */
  public final List<String> mutations = new ArrayList<>();

  public FuzzRequest(String route, String method, String path) {
    this.route = route;
    this.method = method;
    this.path = path;
  }

  public FuzzRequest copy() {
    FuzzRequest c = new FuzzRequest(route, method, path);
    c.query.putAll(query);
    headers.forEach(h -> c.headers.add(h.clone()));
    c.json = json == null ? null : json.copy();
    c.parts = parts == null ? null : new ArrayList<>(parts);
    c.boundary = boundary;
    c.rawBody = rawBody;
    c.contentType = contentType;
    c.closeForm = closeForm;
    c.chunked = chunked;
    c.ciSecret = ciSecret;
    c.mutations.addAll(mutations);
    return c;
  }

  /** Whether the call may store something (so a refusal must leave everything as it was). */
  public boolean changing() {
    return !method.equals("GET") && !method.equals("HEAD") && !method.equals("OPTIONS");
  }

  /**
   * Whether the body holds text no stored field can keep (U+0000, half of a surrogate pair) where the
   * route would store it: such a request must never be accepted. CI payloads keep them as escapes of
   * their canonical text, and a cancel or a non-POST ignores its body, so those are not judged; nor is
   * a body the framing headers keep from the server (see {@link #framedWhole}).
   */
  public boolean mustBeRefused() {
    if (!method.equals("POST") || ciSecret != null || route.endsWith(":cancel") || rawBody != null
        || !framedWhole()) {
      return false;
    }
    if (json != null) {
      return unstorable(json);
    }
    if (parts != null) {
      for (Part p : parts) {
        if (p.filename() == null && new String(p.bytes(), StandardCharsets.UTF_8).indexOf('\0') >= 0) {
          return true;
        }
      }
    }
    return false;
  }

  /**
   * Whether the server reads exactly {@link #body()} as the body: framed by the Content-Length that
   * {@link #render} writes (or an explicit one of the same value) or as one well-formed chunk. A
   * mutated {@code Content-Length: 0} leaves a valid, empty body (a heartbeat accepts it); other
   * mutated framings are refused before any body is read.
   */
  boolean framedWhole() {
    byte[] b = body();
    int length = b == null ? 0 : b.length;
    for (String[] h : headers) {
      if (h[0].equalsIgnoreCase("Content-Length") && !h[1].equals(Integer.toString(length))) {
        return false;
      }
      if (h[0].equalsIgnoreCase("Transfer-Encoding") && (chunked != 1 || !h[1].equals("chunked"))) {
        return false;
      }
    }
    return true;
  }

  /** U+0000 or half of a surrogate pair (checked here on its own, not with the server's code). */
  static boolean badText(String text) {
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c == 0 || Character.isLowSurrogate(c)) {
        return true;
      }
      if (Character.isHighSurrogate(c)) {
        if (i + 1 >= text.length() || !Character.isLowSurrogate(text.charAt(i + 1))) {
          return true;
        }
        i++;
      }
    }
    return false;
  }

  private static boolean unstorable(FuzzJson.Node node) {
    if (node instanceof FuzzJson.Str s) {
      return badText(s.text());
    }
    if (node instanceof FuzzJson.Obj o) {
      return o.fields().stream().anyMatch(e -> badText(e.getKey())
          || unstorable(e.getValue()));
    }
    return node instanceof FuzzJson.Arr a && a.items().stream().anyMatch(FuzzRequest::unstorable);
  }

  public String target() {
    if (query.isEmpty()) {
      return path;
    }
    StringBuilder q = new StringBuilder();
    query.forEach((k, v) -> q.append(q.length() == 0 ? "?" : "&").append(k).append(v == null ? "" : "=" + v));
    return path + q;
  }

  public byte[] body() {
    if (rawBody != null) {
      return rawBody;
    }
    if (json != null) {
      return FuzzJson.write(json).getBytes(StandardCharsets.UTF_8);
    }
    if (parts != null) {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      for (Part p : parts) {
        out.writeBytes(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"" + p.name() + "\""
            + (p.filename() == null ? "" : "; filename=\"" + p.filename() + "\"") + "\r\n"
            + (p.contentType() == null ? "" : "Content-Type: " + p.contentType() + "\r\n") + "\r\n")
            .getBytes(StandardCharsets.UTF_8));
        out.writeBytes(p.bytes());
        out.writeBytes("\r\n".getBytes(StandardCharsets.UTF_8));
      }
      if (closeForm) {
        out.writeBytes(("--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8));
      }
      return out.toByteArray();
    }
    return null;
  }

  private boolean hasHeader(String name) {
    return headers.stream().anyMatch(h -> h[0].equalsIgnoreCase(name));
  }

  /** The bytes on the wire: request line, headers (as ISO-8859-1), body. */
  public byte[] render(int port) {
    byte[] body = body();
    byte[] wire = body;
    if (chunked != 0) {
      byte[] content = body == null ? new byte[0] : body;
      String size = chunked == 1 ? Integer.toHexString(content.length) : "zz";
      wire = FuzzMutations.concat(FuzzMutations.concat((size + "\r\n").getBytes(StandardCharsets.ISO_8859_1), content),
          (content.length == 0 && chunked == 1 ? "\r\n" : "\r\n0\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
    }
    StringBuilder head = new StringBuilder();
    head.append(method).append(' ').append(target()).append(" HTTP/1.1\r\n");
    head.append("Host: 127.0.0.1:").append(port).append("\r\n");
    head.append("Connection: close\r\n");
    if (body != null && !hasHeader("Content-Type")) {
      head.append("Content-Type: ").append(parts != null
          ? (contentType != null ? contentType : "multipart/form-data; boundary=" + boundary)
          : "application/json").append("\r\n");
    }
    if (ciSecret != null && !hasHeader("X-Animus-CI-Sig")) {
      String ts = Long.toString(System.currentTimeMillis() / 1000);
      head.append("X-Animus-CI-Ts: ").append(ts).append("\r\n");
      head.append("X-Animus-CI-Sig: ").append(CiSignature.sign(ciSecret, ts, method, body == null ? new byte[0]
          : body)).append("\r\n");
    }
    for (String[] h : headers) {
      head.append(h[0]).append(": ").append(h[1]).append("\r\n");
    }
    if (body != null && !hasHeader("Content-Length") && !hasHeader("Transfer-Encoding")) {
      head.append("Content-Length: ").append(body.length).append("\r\n");
    }
    head.append("\r\n");
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(head.toString().getBytes(StandardCharsets.ISO_8859_1));
    if (wire != null) {
      out.writeBytes(wire);
    }
    return out.toByteArray();
  }

  public String describe() {
    String body = "";
    byte[] b = body();
    if (b != null) {
      String text = new String(b, StandardCharsets.UTF_8);
      body = " body=" + (text.length() > 200 ? text.substring(0, 200) + "…(" + b.length + " bytes)" : text);
    }
    String target = target();
    return method + " " + (target.length() > 200 ? target.substring(0, 200) + "…" : target) + " "
        + headers.stream().map(h -> h[0] + ": " + (h[1].length() > 40 ? h[1].substring(0, 40) + "…" : h[1]))
        .toList() + body + " mutations=" + mutations;
  }
}
