package io.animus.datapilot.testing;

import com.fasterxml.jackson.databind.JsonNode;
import io.animus.datapilot.kernel.Json;
import io.animus.sdk.DatasetRegistryClient;
import io.animus.sdk.ExperimentsClient;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/** A small HTTP client for tests: raw requests, JSON answers. */
public final class TestClient {
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private final String baseUrl;
  private final Map<String, String> defaultHeaders = new LinkedHashMap<>();
  private ExperimentsClient sdk;
  private DatasetRegistryClient datasets;

  public TestClient(String baseUrl) {
    this.baseUrl = baseUrl;
  }

  public String baseUrl() {
    return baseUrl;
  }

  /**
   * The Java SDK's client for the same server and bearer token as this client (the server's {@code default}
   * project): set-up and happy paths go through it; raw requests stay for wire-shape and bad-input checks.
   */
  public synchronized ExperimentsClient sdk() {
    if (sdk == null) {
      sdk = ExperimentsClient.builder().gatewayUrl(baseUrl).authToken(token()).build();
    }
    return sdk;
  }

  /** {@link #sdk()} naming {@code projectId} ({@code X-Project-Id}); a new client each call. */
  public ExperimentsClient sdk(String projectId) {
    return ExperimentsClient.builder().gatewayUrl(baseUrl).authToken(token()).projectId(projectId).build();
  }

  /** The SDK's dataset client for the same server and token as this client. */
  public synchronized DatasetRegistryClient datasets() {
    if (datasets == null) {
      datasets = DatasetRegistryClient.builder().gatewayUrl(baseUrl).authToken(token()).build();
    }
    return datasets;
  }

  /** {@link #datasets()} naming {@code projectId}; a new client each call. */
  public DatasetRegistryClient datasets(String projectId) {
    return DatasetRegistryClient.builder().gatewayUrl(baseUrl).authToken(token()).projectId(projectId).build();
  }

  private String token() {
    String auth = defaultHeaders.get("Authorization");
    return auth == null ? null : auth.substring("Bearer ".length());
  }

  /** Sends {@code Authorization: Bearer token} on every later request. */
  public TestClient withToken(String token) {
    TestClient copy = new TestClient(baseUrl);
    copy.defaultHeaders.putAll(defaultHeaders);
    copy.defaultHeaders.put("Authorization", "Bearer " + token);
    return copy;
  }

  public Response get(String path) {
    return send("GET", path, null, Map.of());
  }

  public Response post(String path, String json) {
    return send("POST", path, json, Map.of("Content-Type", "application/json"));
  }

  public Response post(String path, String json, Map<String, String> headers) {
    Map<String, String> all = new LinkedHashMap<>(headers);
    all.putIfAbsent("Content-Type", "application/json");
    return send("POST", path, json, all);
  }

  public Response delete(String path) {
    return send("DELETE", path, null, Map.of());
  }

  public Response send(String method, String path, String body, Map<String, String> headers) {
    return sendBytes(method, path, body == null ? null : body.getBytes(StandardCharsets.UTF_8), headers);
  }

  public Response sendBytes(String method, String path, byte[] body, Map<String, String> headers) {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(baseUrl + path)).timeout(Duration.ofSeconds(30));
    defaultHeaders.forEach(b::header);
    headers.forEach(b::header);
    b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body));
    try {
      HttpResponse<byte[]> r = HTTP.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
      return new Response(r.statusCode(), r.headers().map(), r.body());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** An answer: status, headers (lower-case names) and the body. */
  public record Response(int status, Map<String, java.util.List<String>> headers, byte[] bytes) {
    public String text() {
      return new String(bytes, StandardCharsets.UTF_8);
    }

    public JsonNode json() {
      try {
        return Json.mapper().readTree(bytes);
      } catch (IOException e) {
        throw new IllegalStateException("not JSON (status " + status + "): " + text(), e);
      }
    }

    public String header(String name) {
      var values = headers.get(name.toLowerCase(java.util.Locale.ROOT));
      return values == null || values.isEmpty() ? null : values.get(0);
    }

    public String error() {
      return json().path("error").asText();
    }
  }
}
