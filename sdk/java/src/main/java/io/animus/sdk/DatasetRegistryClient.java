package io.animus.sdk;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Client for {@code /api/dataset-registry}: read and download dataset versions (the published SDK), create and
 * list datasets and upload new immutable versions (extensions). Results are Jackson {@link JsonNode}s as the
 * server answered; failures throw {@link AnimusApiException} or {@link AnimusTransportException}. Thread-safe.
 */
public final class DatasetRegistryClient {
  private static final String PREFIX = "/api/dataset-registry";

  private final Transport http;

  private DatasetRegistryClient(Builder b) {
    String url = b.gatewayUrl != null ? b.gatewayUrl : Env.first(b.env, "ANIMUS_GATEWAY_URL");
    String token = b.authToken != null ? b.authToken : Env.first(b.env, "ANIMUS_AUTH_TOKEN");
    this.http = new Transport(url == null ? Transport.DEFAULT_GATEWAY_URL : url, token, b.timeout, b.projectId);
  }

  /** A builder; unset values come from {@code ANIMUS_GATEWAY_URL} and {@code ANIMUS_AUTH_TOKEN}. */
  public static Builder builder() {
    return new Builder(System.getenv());
  }

  /** {@code DATAPILOT_URL} then {@code ANIMUS_GATEWAY_URL}; {@code TOKEN} then {@code ANIMUS_AUTH_TOKEN}. */
  public static DatasetRegistryClient fromEnv() {
    return fromEnv(System.getenv());
  }

  /** {@link #fromEnv()} reading the given variables. */
  public static DatasetRegistryClient fromEnv(Map<String, String> env) {
    Builder b = new Builder(env);
    b.gatewayUrl = Env.first(env, "DATAPILOT_URL", "ANIMUS_GATEWAY_URL");
    b.authToken = Env.first(env, "TOKEN", "ANIMUS_AUTH_TOKEN");
    return b.build();
  }

  /** The gateway this client talks to. */
  public String gatewayUrl() {
    return http.gatewayUrl();
  }

  /** {@code GET /dataset-versions/{id}}: the version ({@code version_id}, {@code content_sha256}, ...). */
  public JsonNode getDatasetVersion(String datasetVersionId) {
    return http.callJson("GET", PREFIX + "/dataset-versions/" + Transport.segment(datasetVersionId), null, null);
  }

  /** Streams the version's bytes to {@code dest} atomically, verifying {@code X-Content-SHA256}. */
  public DownloadResult downloadDatasetVersion(String datasetVersionId, Path dest) {
    return http.download(PREFIX + "/dataset-versions/" + Transport.segment(datasetVersionId) + "/download", dest);
  }

  /**
   * {@link #downloadDatasetVersion(String, Path)} reporting to {@code progress} (may be null); with {@code resume}
   * the bytes an interrupted call left in {@code <dest>.tmp} are kept and only the rest is fetched.
   */
  public DownloadResult downloadDatasetVersion(String datasetVersionId, Path dest, TransferProgress progress,
      boolean resume) {
    return http.download(PREFIX + "/dataset-versions/" + Transport.segment(datasetVersionId) + "/download", dest,
        progress, resume);
  }

  /** {@code POST /datasets}: 201 dataset ({@code dataset_id}, ...). */
  public JsonNode createDataset(String name, String description, Map<String, ?> metadata) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("name", ExperimentsClient.requireText(name, "name"));
    body.put("description", description == null ? "" : description);
    body.put("metadata", metadata == null ? Map.of() : metadata);
    return http.callJson("POST", PREFIX + "/datasets", null, body);
  }

  /** {@code GET /datasets/{id}}. */
  public JsonNode getDataset(String datasetId) {
    return http.callJson("GET", PREFIX + "/datasets/" + Transport.segment(datasetId), null, null);
  }

  /** {@code GET /datasets?limit[&page_token]}: {@code {"datasets":[...]}}. */
  public JsonNode listDatasets(int limit, String pageToken) {
    return http.callJson("GET", PREFIX + "/datasets", Transport.query("limit", limit, "page_token", pageToken), null);
  }

  /** {@code GET /datasets/{id}/versions}: {@code {"versions":[...]}}, newest first. */
  public JsonNode listDatasetVersions(String datasetId, int limit, String pageToken) {
    return http.callJson("GET", PREFIX + "/datasets/" + Transport.segment(datasetId) + "/versions",
        Transport.query("limit", limit, "page_token", pageToken), null);
  }

  /**
   * Streams {@code file} as a new immutable version (409 {@code duplicate_content} for bytes already in the
   * dataset). {@code metadata} and {@code qualityRuleId} may be null.
   */
  public JsonNode uploadDatasetVersion(String datasetId, Path file, Map<String, ?> metadata, String qualityRuleId) {
    return uploadDatasetVersion(datasetId, file, metadata, qualityRuleId, null);
  }

  /** {@link #uploadDatasetVersion(String, Path, Map, String)} reporting the bytes sent to {@code progress}. */
  public JsonNode uploadDatasetVersion(String datasetId, Path file, Map<String, ?> metadata, String qualityRuleId,
      TransferProgress progress) {
    List<Map.Entry<String, String>> fields = new ArrayList<>();
    if (metadata != null) {
      fields.add(Map.entry("metadata", new String(Json.canonicalBytes(metadata), java.nio.charset.StandardCharsets.US_ASCII)));
    }
    if (qualityRuleId != null && !qualityRuleId.isEmpty()) {
      fields.add(Map.entry("quality_rule_id", qualityRuleId));
    }
    String name = file.getFileName() == null ? "dataset.bin" : file.getFileName().toString();
    return http.postMultipart(PREFIX + "/datasets/" + Transport.segment(datasetId) + "/versions/upload", fields,
        file, name, Transport.guessContentType(name), progress);
  }

  /**
   * Builds a {@link DatasetRegistryClient}; unset values fall back to {@code ANIMUS_GATEWAY_URL} (default
   * http://localhost:8080) and {@code ANIMUS_AUTH_TOKEN}; the timeout defaults to 30 s per request.
   */
  public static final class Builder {
    private final Map<String, String> env;
    private String gatewayUrl;
    private String authToken;
    private String projectId;
    private Duration timeout = Duration.ofSeconds(30);

    private Builder(Map<String, String> env) {
      this.env = env;
    }

    /** The gateway base URL. */
    public Builder gatewayUrl(String url) {
      this.gatewayUrl = url;
      return this;
    }

    /** The bearer token. */
    public Builder authToken(String token) {
      this.authToken = token;
      return this;
    }

    /** The project every request names ({@code X-Project-Id}); without it the server uses {@code default}. */
    public Builder projectId(String projectId) {
      this.projectId = projectId;
      return this;
    }

    /** The per-request timeout; must be positive. */
    public Builder timeout(Duration timeout) {
      this.timeout = timeout;
      return this;
    }

    /** The client. */
    public DatasetRegistryClient build() {
      return new DatasetRegistryClient(this);
    }
  }
}
