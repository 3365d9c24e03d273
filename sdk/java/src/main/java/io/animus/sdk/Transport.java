package io.animus.sdk;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;

/**
 * HTTP exchange with one gateway (PROTOCOL.md §11): every attempt sends {@code Accept: application/json}, a fresh
 * {@code X-Request-Id} and, with a token, {@code Authorization: Bearer}; status 400 and above becomes
 * {@link AnimusApiException}, transport failures {@link AnimusTransportException}.
 */
final class Transport {
  static final String DEFAULT_GATEWAY_URL = "http://localhost:8080";
  private static final int DOWNLOAD_ATTEMPTS = 4;
  private static final java.util.regex.Pattern PROJECT_ID =
      java.util.regex.Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");

  /** A finished exchange. */
  record Response(int status, HttpHeaders headers, byte[] body, String requestId) {}

  private final URI base;
  private final String basePath;
  private final String token;
  private final String projectId;
  private final Duration timeout;
  private final HttpClient client;

  Transport(String gatewayUrl, String token, Duration timeout) {
    this(gatewayUrl, token, timeout, null);
  }

  /** A transport that names {@code projectId} (may be null: the server's {@code default}) with {@code X-Project-Id}. */
  Transport(String gatewayUrl, String token, Duration timeout, String projectId) {
    if (gatewayUrl == null || gatewayUrl.isBlank()) {
      throw new IllegalArgumentException("gatewayUrl must not be empty");
    }
    URI uri = URI.create(gatewayUrl.strip());
    if (!("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) || uri.getHost() == null) {
      throw new IllegalArgumentException("gatewayUrl must be an http(s) URL, got " + gatewayUrl);
    }
    if (timeout == null || timeout.isNegative() || timeout.isZero()) {
      throw new IllegalArgumentException("timeout must be positive");
    }
    this.base = uri;
    String p = uri.getRawPath() == null ? "" : uri.getRawPath();
    while (p.endsWith("/")) {
      p = p.substring(0, p.length() - 1);
    }
    this.basePath = p;
    this.token = token == null || token.isBlank() ? null : token.strip();
    if (projectId != null && !projectId.isBlank() && !PROJECT_ID.matcher(projectId.strip()).matches()) {
      throw new IllegalArgumentException("projectId must match [A-Za-z0-9][A-Za-z0-9._-]{0,63}, got " + projectId);
    }
    this.projectId = projectId == null || projectId.isBlank() ? null : projectId.strip();
    this.timeout = timeout;
    this.client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(timeout)
        .followRedirects(HttpClient.Redirect.NEVER).build();
  }

  String gatewayUrl() {
    return base.toString();
  }

  Duration timeout() {
    return timeout;
  }

  String projectId() {
    return projectId;
  }

  static String segment(String id) {
    if (id == null || id.isEmpty()) {
      throw new IllegalArgumentException("an id must be a non-empty string");
    }
    StringBuilder out = new StringBuilder();
    for (byte b : id.getBytes(StandardCharsets.UTF_8)) {
      int c = b & 0xff;
      if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || ":@-._~".indexOf(c) >= 0) {
        out.append((char) c);
      } else {
        out.append('%').append(String.format("%02X", c));
      }
    }
    return out.toString();
  }

  static Map<String, String> query(Object... pairs) {
    Map<String, String> q = new LinkedHashMap<>();
    for (int i = 0; i < pairs.length; i += 2) {
      Object v = pairs[i + 1];
      if (v != null && !(v instanceof String s && s.isEmpty())) {
        q.put((String) pairs[i], String.valueOf(v));
      }
    }
    return q;
  }

  URI uri(String path, Map<String, String> query) {
    StringBuilder s = new StringBuilder(base.getScheme()).append("://").append(base.getRawAuthority())
        .append(basePath).append(path);
    if (query != null && !query.isEmpty()) {
      char sep = '?';
      for (Map.Entry<String, String> e : query.entrySet()) {
        s.append(sep).append(URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8)).append('=')
            .append(URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8));
        sep = '&';
      }
    }
    return URI.create(s.toString());
  }

  HttpRequest.Builder request(URI uri, String requestId, Duration requestTimeout) {
    HttpRequest.Builder b = HttpRequest.newBuilder(uri).timeout(requestTimeout)
        .header("Accept", "application/json").header("X-Request-Id", requestId);
    authorize(b);
    return b;
  }

  private void authorize(HttpRequest.Builder b) {
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    if (projectId != null) {
      b.header("X-Project-Id", projectId);
    }
  }

  static String newRequestId() {
    UUID u = UUID.randomUUID();
    return String.format("%016x%016x", u.getMostSignificantBits(), u.getLeastSignificantBits());
  }

  /** One attempt; any status is returned, transport failures throw. */
  Response exchange(String method, String path, Map<String, String> query, byte[] body, String contentType,
      Map<String, String> extraHeaders) {
    return exchange(method, path, query, body == null ? null : HttpRequest.BodyPublishers.ofByteArray(body),
        body == null ? null : (contentType == null ? "application/json" : contentType), extraHeaders, timeout);
  }

  Response exchange(String method, String path, Map<String, String> query, HttpRequest.BodyPublisher body,
      String contentType, Map<String, String> extraHeaders, Duration requestTimeout) {
    String requestId = newRequestId();
    HttpRequest.Builder b = request(uri(path, query), requestId, requestTimeout);
    if (extraHeaders != null) {
      extraHeaders.forEach(b::setHeader);
    }
    if (contentType != null) {
      b.header("Content-Type", contentType);
    }
    b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : body);
    try {
      HttpResponse<byte[]> resp = client.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
      return new Response(resp.statusCode(), resp.headers(), resp.body(), requestId);
    } catch (IOException e) {
      throw networkError(requestId, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AnimusTransportException(requestId, "interrupted", e);
    }
  }

  /** A JSON call whose 2xx answer is decoded (empty body: null). */
  JsonNode callJson(String method, String path, Map<String, String> query, Object payload) {
    byte[] body = payload == null ? null : (payload instanceof byte[] raw ? raw : Json.canonicalBytes(payload));
    return decode(exchange(method, path, query, body, null, null));
  }

  /** A GET whose answer is read by {@code read}. */
  <T> T get(String path, Map<String, String> query, java.util.function.Function<JsonNode, T> read) {
    return read.apply(callJson("GET", path, query, null));
  }

  /** A GET of a list answer: the array {@code field} read item by item, with its next page token. */
  <T> Page<T> getPage(String path, Map<String, String> query, String field,
      java.util.function.Function<JsonNode, T> read) {
    return Wire.page(callJson("GET", path, query, null), field, read);
  }

  JsonNode callRaw(String method, String path, byte[] rawBody, Map<String, String> extraHeaders) {
    return decode(exchange(method, path, null, rawBody, null, extraHeaders));
  }

  static AnimusTransportException networkError(String requestId, IOException e) {
    String detail = e instanceof HttpTimeoutException ? "timed out"
        : (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage());
    return new AnimusTransportException(requestId, detail, e);
  }

  static JsonNode decode(Response resp) {
    if (resp.status() >= 400) {
      throw apiError(resp);
    }
    if (resp.body() == null || new String(resp.body(), StandardCharsets.UTF_8).isBlank()) {
      return null;
    }
    try {
      return Json.parse(resp.body());
    } catch (IOException e) {
      throw new AnimusApiException(resp.status(), "invalid_json_response", serverRequestId(resp),
          TextNode.valueOf(new String(resp.body(), StandardCharsets.UTF_8)));
    }
  }

  static AnimusApiException apiError(Response resp) {
    JsonNode body = null;
    if (resp.body() != null && resp.body().length > 0) {
      try {
        body = Json.parse(resp.body());
      } catch (IOException e) {
        body = TextNode.valueOf(new String(resp.body(), StandardCharsets.UTF_8));
      }
    }
    String code = "request_failed";
    String requestId = serverRequestId(resp);
    if (body != null && body.isObject()) {
      if (body.path("error").isTextual() && !body.path("error").asText().isEmpty()) {
        code = body.path("error").asText();
      }
      if (body.path("request_id").isTextual() && !body.path("request_id").asText().isEmpty()) {
        requestId = body.path("request_id").asText();
      }
    }
    return new AnimusApiException(resp.status(), code, requestId, body);
  }

  private static String serverRequestId(Response resp) {
    return resp.headers().firstValue("X-Request-Id").orElse(resp.requestId());
  }

  /** Opens a Server-Sent Events stream (no overall request timeout; the connect timeout still applies). */
  RunStream openStream(String path, Map<String, String> query) {
    String requestId = newRequestId();
    HttpRequest.Builder b = HttpRequest.newBuilder(uri(path, query)).header("Accept", "text/event-stream")
        .header("X-Request-Id", requestId).GET();
    authorize(b);
    HttpResponse<InputStream> resp;
    try {
      resp = client.send(b.build(), HttpResponse.BodyHandlers.ofInputStream());
    } catch (IOException e) {
      throw networkError(requestId, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AnimusTransportException(requestId, "interrupted", e);
    }
    if (resp.statusCode() >= 300) {
      byte[] body;
      try (InputStream in = resp.body()) {
        body = in.readAllBytes();
      } catch (IOException e) {
        body = new byte[0];
      }
      throw apiError(new Response(resp.statusCode(), resp.headers(), body, requestId));
    }
    return new RunStream(resp.body(), requestId);
  }

  // -- multipart upload --------------------------------------------------------------------------------

  /** Streams {@code file} as the {@code file} part after {@code fields}, with an exact Content-Length. */
  JsonNode postMultipart(String path, List<Map.Entry<String, String>> fields, Path file, String filename,
      String contentType) {
    return postMultipart(path, fields, file, filename, contentType, null);
  }

  /** {@link #postMultipart(String, List, Path, String, String)} telling {@code progress} (may be null) the file bytes sent. */
  JsonNode postMultipart(String path, List<Map.Entry<String, String>> fields, Path file, String filename,
      String contentType, TransferProgress progress) {
    if (!Files.isRegularFile(file)) {
      throw new IllegalArgumentException("not a regular file: " + file);
    }
    String boundary = "----animus-" + newRequestId();
    StringBuilder head = new StringBuilder();
    for (Map.Entry<String, String> f : fields) {
      head.append("--").append(boundary).append("\r\n")
          .append("Content-Disposition: form-data; name=\"").append(headerSafe(f.getKey())).append("\"\r\n\r\n")
          .append(f.getValue()).append("\r\n");
    }
    head.append("--").append(boundary).append("\r\n")
        .append("Content-Disposition: form-data; name=\"file\"; filename=\"").append(headerSafe(filename))
        .append("\"\r\n").append("Content-Type: ").append(contentType).append("\r\n\r\n");
    byte[] tail = ("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.US_ASCII);
    long size;
    try {
      size = Files.size(file);
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot read " + file, e);
    }
    HttpRequest.BodyPublisher fileBody;
    if (progress == null) {
      try {
        fileBody = HttpRequest.BodyPublishers.ofFile(file);
      } catch (java.io.FileNotFoundException e) {
        throw new IllegalArgumentException("cannot read " + file, e);
      }
    } else {
      fileBody = HttpRequest.BodyPublishers.fromPublisher(HttpRequest.BodyPublishers.ofInputStream(
          () -> new CountingInput(file, size, progress)), size);
    }
    HttpRequest.BodyPublisher body = HttpRequest.BodyPublishers.concat(
        HttpRequest.BodyPublishers.ofByteArray(head.toString().getBytes(StandardCharsets.UTF_8)), fileBody,
        HttpRequest.BodyPublishers.ofByteArray(tail));
    // Large files need more than the per-request timeout: allow one timeout per 16 MiB on top.
    Duration uploadTimeout = timeout.multipliedBy(1 + size / (16L << 20));
    return decode(exchange("POST", path, null, body, "multipart/form-data; boundary=" + boundary, null,
        uploadTimeout));
  }

  /** The file's bytes, reporting each chunk read to the progress callback. */
  private static final class CountingInput extends java.io.FilterInputStream {
    private final long size;
    private final TransferProgress progress;
    private long done;

    CountingInput(Path file, long size, TransferProgress progress) {
      super(open(file));
      this.size = size;
      this.progress = progress;
    }

    private static InputStream open(Path file) {
      try {
        return Files.newInputStream(file);
      } catch (IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      int n = super.read(b, off, len);
      if (n > 0) {
        done += n;
        progress.update(done, size);
      }
      return n;
    }
  }

  private static String headerSafe(String text) {
    return text.replace("\r", "").replace("\n", "").replace("\"", "%22");
  }

  static String guessContentType(String filename) {
    String guessed = java.net.URLConnection.guessContentTypeFromName(filename);
    if (guessed == null) {
      String lower = filename.toLowerCase(Locale.ROOT);
      if (lower.endsWith(".json")) {
        guessed = "application/json";
      } else if (lower.endsWith(".csv")) {
        guessed = "text/csv";
      }
    }
    return guessed == null ? "application/octet-stream" : guessed;
  }

  // -- streaming download ------------------------------------------------------------------------------

  /**
   * GETs {@code path} into {@code dest} through {@code <dest>.tmp}: resumes with {@code Range} after a broken
   * connection, checks {@code Content-Length} and {@code X-Content-SHA256}, then renames atomically.
   */
  DownloadResult download(String path, Path dest) {
    return download(path, dest, null, false);
  }

  /**
   * {@link #download(String, Path)} telling {@code progress} (may be null) the bytes received. With {@code resume},
   * the bytes of an earlier, interrupted call already in {@code <dest>.tmp} are kept and only the rest is asked for
   * ({@code Range}); the sha256 check over the whole file still decides. A transfer that fails then leaves
   * {@code <dest>.tmp} for the next call.
   */
  DownloadResult download(String path, Path dest, TransferProgress progress, boolean resume) {
    Path target = dest.toAbsolutePath();
    Path tmp = target.resolveSibling(target.getFileName() + ".tmp");
    try {
      Files.createDirectories(target.getParent());
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    long have = 0;
    if (resume && Files.isRegularFile(tmp)) {
      try {
        have = Files.size(tmp);
      } catch (IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    }
    String etag = null;
    String expectedSha = null;
    String contentType = null;
    long total = -1;
    AnimusTransportException last = null;
    try {
      for (int attempt = 0; attempt < DOWNLOAD_ATTEMPTS; attempt++) {
        String requestId = newRequestId();
        HttpRequest.Builder b = request(uri(path, null), requestId, timeout)
            .setHeader("Accept", "*/*").GET();
        if (have > 0) {
          b.header("Range", "bytes=" + have + "-");
          if (etag != null) {
            b.header("If-Range", etag);
          }
        }
        HttpResponse<InputStream> resp;
        try {
          resp = client.send(b.build(), HttpResponse.BodyHandlers.ofInputStream());
        } catch (IOException e) {
          last = networkError(requestId, e);
          continue;
        }
        int status = resp.statusCode();
        if (status == 416 && have > 0) {
          // what was kept is not a prefix of this content (it is as long or longer): start over
          drain(resp);
          have = 0;
          attempt--;
          continue;
        }
        if (status >= 300) {
          byte[] body;
          try (InputStream in = resp.body()) {
            body = in.readAllBytes();
          } catch (IOException e) {
            body = new byte[0];
          }
          throw apiError(new Response(status, resp.headers(), body, requestId));
        }
        boolean append = status == 206 && have > 0;
        if (append && etag == null) {
          etag = resp.headers().firstValue("ETag").orElse(null);
          expectedSha = resp.headers().firstValue("X-Content-SHA256").orElse(null);
          contentType = resp.headers().firstValue("Content-Type").orElse("application/octet-stream");
          total = resp.headers().firstValue("Content-Range").map(Transport::rangeTotal).orElse(-1L);
        } else if (!append) {
          have = 0;
          etag = resp.headers().firstValue("ETag").orElse(null);
          expectedSha = resp.headers().firstValue("X-Content-SHA256").orElse(null);
          contentType = resp.headers().firstValue("Content-Type").orElse("application/octet-stream");
          total = resp.headers().firstValueAsLong("Content-Length").orElse(-1);
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
          last = networkError(requestId, e);
          continue;
        }
        if (total >= 0 && have != total) {
          last = new AnimusTransportException(requestId, "incomplete body: " + have + " of " + total + " bytes",
              null);
          continue;
        }
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
      if (!resume) {
        Files.deleteIfExists(tmp);
      }
      throw last;
    } catch (IOException e) {
      quietlyDelete(tmp);
      throw new java.io.UncheckedIOException(e);
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
