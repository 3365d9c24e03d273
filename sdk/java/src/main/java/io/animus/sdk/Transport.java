package io.animus.sdk;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * HTTP exchange with one gateway (docs/protocol.md §11): every attempt sends {@code Accept: application/json}, a fresh
 * {@code X-Request-Id} and, with a token, {@code Authorization: Bearer}; status 400 and above becomes
 * {@link AnimusApiException}, transport failures {@link AnimusTransportException}. Answers are decoded by
 * {@link Replies}, multipart bodies built by {@link Multipart} and downloads run by {@link Downloader}.
 */
final class Transport {
  static final String DEFAULT_GATEWAY_URL = "http://localhost:8080";
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
  private final Downloader downloader;

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
    this.downloader = new Downloader(this, client);
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
      throw Replies.networkError(requestId, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AnimusTransportException(requestId, "interrupted", e);
    }
  }

  /** A JSON call whose 2xx answer is decoded (empty body: null). */
  JsonNode callJson(String method, String path, Map<String, String> query, Object payload) {
    byte[] body = payload == null ? null : (payload instanceof byte[] raw ? raw : Json.canonicalBytes(payload));
    return Replies.decode(exchange(method, path, query, body, null, null));
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
    return Replies.decode(exchange(method, path, null, rawBody, null, extraHeaders));
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
      throw Replies.networkError(requestId, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AnimusTransportException(requestId, "interrupted", e);
    }
    if (resp.statusCode() >= 300) {
      throw Replies.apiError(resp, requestId);
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
    Multipart body = Multipart.of(fields, file, filename, contentType, progress);
    // Large files need more than the per-request timeout: allow one timeout per 16 MiB on top.
    Duration uploadTimeout = timeout.multipliedBy(1 + body.fileSize() / (16L << 20));
    return Replies.decode(exchange("POST", path, null, body.publisher(), body.contentType(), null, uploadTimeout));
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
    return downloader.download(path, dest, progress, resume);
  }
}
