package io.animus.sdk;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Client for {@code /api/experiments}: experiments, runs, CI webhook and report, execution and run artifacts,
 * plus the extensions of this server (run listing with ordering and latest metrics, states, status, heartbeat,
 * cancel, metric series, events, model images).
 *
 * <p>Results are Jackson {@link JsonNode}s exactly as the server answered (PROTOCOL.md documents each shape);
 * failures throw {@link AnimusApiException} (HTTP status 400 and above) or {@link AnimusTransportException}
 * (no answer). Instances are immutable and thread-safe.
 *
 * <pre>{@code
 * ExperimentsClient client = ExperimentsClient.builder().gatewayUrl("http://localhost:8080").build();
 * JsonNode exp = client.createExperiment("baseline", "Baseline training run", Map.of("team", "ml"));
 * }</pre>
 */
public final class ExperimentsClient {
  private static final String PREFIX = "/api/experiments";
  private static final Set<String> ARTIFACT_KINDS = Set.of("model", "preview", "log", "file");

  private final Transport http;
  private final String ciSecret;
  private final Map<String, String> env;

  private ExperimentsClient(Builder b) {
    this.env = b.env;
    String url = b.gatewayUrl != null ? b.gatewayUrl : Env.first(env, "ANIMUS_GATEWAY_URL");
    String token = b.authToken != null ? b.authToken : Env.first(env, "ANIMUS_AUTH_TOKEN");
    this.http = new Transport(url == null ? Transport.DEFAULT_GATEWAY_URL : url, token, b.timeout, b.projectId);
    this.ciSecret = b.ciSecret != null ? b.ciSecret : Env.first(env, "ANIMUS_CI_WEBHOOK_SECRET");
  }

  /** A builder; unset values come from {@code ANIMUS_GATEWAY_URL}, {@code ANIMUS_AUTH_TOKEN} and {@code ANIMUS_CI_WEBHOOK_SECRET}. */
  public static Builder builder() {
    return new Builder(System.getenv());
  }

  /**
   * The client a training container uses: {@code DATAPILOT_URL} then {@code ANIMUS_GATEWAY_URL} (default
   * http://localhost:8080), {@code TOKEN} then {@code ANIMUS_AUTH_TOKEN}, and {@code ANIMUS_CI_WEBHOOK_SECRET}.
   */
  public static ExperimentsClient fromEnv() {
    return fromEnv(System.getenv());
  }

  /** {@link #fromEnv()} reading the given variables instead of the process environment. */
  public static ExperimentsClient fromEnv(Map<String, String> env) {
    Builder b = new Builder(env);
    b.gatewayUrl = Env.first(env, "DATAPILOT_URL", "ANIMUS_GATEWAY_URL");
    b.authToken = Env.first(env, "TOKEN", "ANIMUS_AUTH_TOKEN");
    return b.build();
  }

  /** The gateway this client talks to. */
  public String gatewayUrl() {
    return http.gatewayUrl();
  }

  // -- experiments -------------------------------------------------------------------------------------

  /** {@code POST /experiments}: 201 experiment ({@code experiment_id}, ...). */
  public JsonNode createExperiment(String name, String description, Map<String, ?> metadata) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("name", requireText(name, "name"));
    body.put("description", description == null ? "" : description);
    body.put("metadata", metadata == null ? Map.of() : metadata);
    return http.callJson("POST", PREFIX + "/experiments", null, body);
  }

  /** {@code GET /experiments?limit[&name]}: {@code {"experiments":[...]}}; {@code name} may be null. */
  public JsonNode listExperiments(int limit, String name) {
    return http.callJson("GET", PREFIX + "/experiments", Transport.query("limit", limit, "name", name), null);
  }

  /** {@code GET /experiments/{id}}. */
  public JsonNode getExperiment(String experimentId) {
    return http.callJson("GET", PREFIX + "/experiments/" + Transport.segment(experimentId), null, null);
  }

  // -- runs --------------------------------------------------------------------------------------------

  /** {@code POST /experiments/{id}/runs}: records a run; git fields are sent only when {@code run} has them. */
  public JsonNode createRun(String experimentId, NewRun run) {
    return http.callJson("POST", PREFIX + "/experiments/" + Transport.segment(experimentId) + "/runs", null,
        run.body());
  }

  /** Like {@link #createRun} but detects git metadata ({@link GitMetadata#detect()}) when {@code run} has none. */
  public JsonNode createRunWithGit(String experimentId, NewRun run, Path cwd) {
    if (run.git() == null) {
      GitMetadata.detect(env, cwd).ifPresent(run::git);
    }
    return createRun(experimentId, run);
  }

  /** {@code GET /experiment-runs/{id}}: the run with its effective status. */
  public JsonNode getRun(String runId) {
    return http.callJson("GET", runPath(runId), null, null);
  }

  /**
   * Runs of one experiment (or, with a null {@code experimentId}, of the project):
   * {@code {"runs":[...],"next_page_token"?}}. {@code orderBy} is {@code started_at}, {@code metric:<name>} or
   * {@code param:<name>}; {@code order} {@code asc} or {@code desc}; any of them may be null.
   */
  public JsonNode listRuns(String experimentId, int limit, String status, String orderBy, String order,
      boolean includeLatestMetrics, String pageToken) {
    Map<String, String> q = Transport.query("limit", limit, "status", status, "order_by", orderBy, "order", order,
        "include", includeLatestMetrics ? "latest_metrics" : null, "page_token", pageToken);
    String path = experimentId == null ? PREFIX + "/experiment-runs"
        : PREFIX + "/experiments/" + Transport.segment(experimentId) + "/runs";
    return http.callJson("GET", path, q, null);
  }

  /** {@link #listRuns(String, int, String, String, String, boolean, String)} with only a limit. */
  public JsonNode listRuns(String experimentId, int limit) {
    return listRuns(experimentId, limit, null, null, null, false, null);
  }

  /** {@code GET /experiment-runs/{id}/states}: the run's state history, oldest first. */
  public JsonNode listRunStates(String runId) {
    return http.callJson("GET", runPath(runId) + "/states", null, null);
  }

  /** {@code POST /experiment-runs/{id}/status}: moves the run to {@code status}; {@code message} may be null. */
  public JsonNode setRunStatus(String runId, String status, String message) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("status", requireText(status, "status"));
    if (message != null && !message.isEmpty()) {
      body.put("message", message);
    }
    return http.callJson("POST", runPath(runId) + "/status", null, body);
  }

  /** {@code POST /experiment-runs/{id}/heartbeat}: {@code {"run_id","status","last_heartbeat_at"}}. */
  public JsonNode heartbeat(String runId) {
    return http.callJson("POST", runPath(runId) + "/heartbeat", null, Map.of());
  }

  /** {@code POST /experiment-runs/{id}:cancel}. */
  public JsonNode cancelRun(String runId) {
    return http.callJson("POST", runPath(runId) + ":cancel", null, null);
  }

  /** {@code GET …/metrics/series?name&max_points}: {@code total_points}, {@code downsampled}, {@code buckets}. */
  public JsonNode getMetricSeries(String runId, String name, int maxPoints) {
    return http.callJson("GET", runPath(runId) + "/metrics/series",
        Transport.query("name", requireText(name, "name"), "max_points", maxPoints), null);
  }

  /** {@code GET …/metrics[?name]}: latest sample per name, or one name's samples. */
  public JsonNode listMetrics(String runId, String name, int limit) {
    return http.callJson("GET", runPath(runId) + "/metrics", Transport.query("name", name, "limit", limit), null);
  }

  /** {@code GET …/events?limit[&before_event_id]}: newest first; {@code beforeEventId} may be null. */
  public JsonNode listRunEvents(String runId, int limit, Long beforeEventId) {
    return http.callJson("GET", runPath(runId) + "/events",
        Transport.query("limit", limit, "before_event_id", beforeEventId), null);
  }

  /**
   * Opens the run's live stream ({@code GET …/stream}); with {@code afterEventId} (may be null) the events after
   * that id are replayed first. Iterate the frames; close the stream to disconnect.
   */
  public RunStream streamRun(String runId, Long afterEventId) {
    return http.openStream(runPath(runId) + "/stream", Transport.query("after_event_id", afterEventId));
  }

  /** {@code GET /projects}: every project with its experiment and dataset counts. */
  public JsonNode listProjects() {
    return http.callJson("GET", PREFIX + "/projects", null, null);
  }

  /** {@code GET …/ci-contexts}: the CI contexts attached to a run, newest first. */
  public JsonNode listCiContexts(String runId, int limit) {
    return http.callJson("GET", runPath(runId) + "/ci-contexts", Transport.query("limit", limit), null);
  }

  // -- API tokens (/api/auth) --------------------------------------------------------------------------

  /**
   * {@code POST /api/auth/tokens} (admin): a new API token; the answer's {@code token} ({@code dp_…}) is shown only
   * once. {@code role} is {@code viewer}, {@code editor} or {@code admin}; {@code expiresAt} may be null.
   */
  public JsonNode createApiToken(String name, String role, Instant expiresAt) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("name", requireText(name, "name"));
    body.put("role", requireText(role, "role"));
    if (expiresAt != null) {
      body.put("expires_at", expiresAt.toString());
    }
    return http.callJson("POST", "/api/auth/tokens", null, body);
  }

  /** {@code GET /api/auth/tokens} (admin): {@code {"tokens":[...]}}. */
  public JsonNode listApiTokens(int limit) {
    return http.callJson("GET", "/api/auth/tokens", Transport.query("limit", limit), null);
  }

  /** {@code DELETE /api/auth/tokens/{id}} (admin): revokes a token at once. */
  public void deleteApiToken(String tokenId) {
    http.callJson("DELETE", "/api/auth/tokens/" + Transport.segment(tokenId), null, null);
  }

  /** {@code GET /api/auth/me}: the caller's subject, role and kind of credential. */
  public JsonNode whoAmI() {
    return http.callJson("GET", "/api/auth/me", null, null);
  }

  /** Reads a metric value that the server may write as {@code "NaN"}, {@code "Infinity"} or {@code "-Infinity"}. */
  public static double metricValue(JsonNode value) {
    return Json.number(value);
  }

  // -- CI ----------------------------------------------------------------------------------------------

  /** {@code POST /ci/webhook}: attaches CI context ({@code run_id} required) to a run; HMAC-signed. */
  public JsonNode postCiWebhook(Map<String, ?> payload) {
    return postCi("/ci/webhook", payload, Instant.now().getEpochSecond());
  }

  /** {@code POST /ci/report}: registers a CI-built image digest with repo, commit and pipeline; HMAC-signed. */
  public JsonNode postCiReport(Map<String, ?> payload) {
    return postCi("/ci/report", payload, Instant.now().getEpochSecond());
  }

  /** Signs {@code payload} (compact sorted JSON) at unix time {@code ts} and posts it to {@code /ci/<path>}. */
  JsonNode postCi(String path, Map<String, ?> payload, long ts) {
    if (payload == null) {
      throw new IllegalArgumentException("payload must not be null");
    }
    if (ciSecret == null || ciSecret.isBlank()) {
      throw new IllegalStateException("a CI secret is required: set ciSecret(...) or ANIMUS_CI_WEBHOOK_SECRET");
    }
    byte[] body = Json.canonicalBytes(payload);
    String stamp = Long.toString(ts);
    String sig = CiSignature.compute(ciSecret, stamp, "POST", body);
    return http.callRaw("POST", PREFIX + path, body, Map.of(CiSignature.TS_HEADER, stamp, CiSignature.SIG_HEADER, sig));
  }

  /** {@code GET /model-images?repo&commit_sha&limit}: registered images; filters may be null. */
  public JsonNode listModelImages(String repo, String commitSha, int limit) {
    return http.callJson("GET", PREFIX + "/model-images",
        Transport.query("repo", repo, "commit_sha", commitSha, "limit", limit), null);
  }

  /** {@code GET /model-images/{digest}}. */
  public JsonNode getModelImage(String imageDigest) {
    return http.callJson("GET", PREFIX + "/model-images/" + Transport.segment(imageDigest), null, null);
  }

  // -- execution ---------------------------------------------------------------------------------------

  /** {@code POST /experiments/runs:execute}: starts a training job; the image's CI registration fills git fields. */
  public JsonNode executeRun(String experimentId, String datasetVersionId, String imageRef) {
    return executeRun(experimentId, datasetVersionId, imageRef, null, null);
  }

  /** {@link #executeRun(String, String, String)} with params and resources (either may be null). */
  public JsonNode executeRun(String experimentId, String datasetVersionId, String imageRef, Map<String, ?> params,
      Map<String, ?> resources) {
    return executeRun(experimentId, datasetVersionId, imageRef, params, resources, null, null, null);
  }

  /**
   * {@link #executeRun(String, String, String, Map, Map)} with this server's extensions: the job's
   * {@code command} and extra {@code env}, and the {@code gitCommit} an unregistered image needs; each may be null.
   */
  public JsonNode executeRun(String experimentId, String datasetVersionId, String imageRef, Map<String, ?> params,
      Map<String, ?> resources, List<String> command, Map<String, String> jobEnv, String gitCommit) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("experiment_id", requireText(experimentId, "experimentId"));
    body.put("dataset_version_id", requireText(datasetVersionId, "datasetVersionId"));
    body.put("image_ref", requireText(imageRef, "imageRef"));
    body.put("params", params == null ? Map.of() : params);
    body.put("resources", resources == null ? Map.of() : resources);
    if (command != null && !command.isEmpty()) {
      body.put("command", command);
    }
    if (jobEnv != null && !jobEnv.isEmpty()) {
      body.put("env", jobEnv);
    }
    if (gitCommit != null && !gitCommit.isBlank()) {
      body.put("git_commit", gitCommit);
    }
    return http.callJson("POST", PREFIX + "/experiments/runs:execute", null, body);
  }

  // -- artifacts ---------------------------------------------------------------------------------------

  /**
   * Streams {@code file} as a multipart upload with an exact Content-Length; answers
   * {@code {"artifact":{...}}}. {@code kind} is {@code model}, {@code preview}, {@code log} or {@code file};
   * {@code name} and {@code metadata} may be null.
   */
  public JsonNode uploadRunArtifact(String runId, String kind, Path file, String name, Map<String, ?> metadata) {
    return uploadRunArtifact(runId, kind, file, name, metadata, null, null);
  }

  /** {@link #uploadRunArtifact(String, String, Path, String, Map)} with an explicit filename and content type. */
  public JsonNode uploadRunArtifact(String runId, String kind, Path file, String name, Map<String, ?> metadata,
      String filename, String contentType) {
    return uploadRunArtifact(runId, kind, file, name, metadata, filename, contentType, null);
  }

  /** {@link #uploadRunArtifact(String, String, Path, String, Map, String, String)} reporting to {@code progress}. */
  public JsonNode uploadRunArtifact(String runId, String kind, Path file, String name, Map<String, ?> metadata,
      String filename, String contentType, TransferProgress progress) {
    if (kind == null || !ARTIFACT_KINDS.contains(kind.strip().toLowerCase(Locale.ROOT))) {
      throw new IllegalArgumentException("kind must be one of model, preview, log, file");
    }
    List<Map.Entry<String, String>> fields = new ArrayList<>();
    fields.add(Map.entry("kind", kind));
    if (name != null && !name.isEmpty()) {
      fields.add(Map.entry("name", name));
    }
    if (metadata != null) {
      fields.add(Map.entry("metadata", new String(Json.canonicalBytes(metadata), java.nio.charset.StandardCharsets.US_ASCII)));
    }
    String part = filename != null ? filename : (file.getFileName() == null ? "artifact.bin" : file.getFileName().toString());
    String type = contentType != null ? contentType : Transport.guessContentType(part);
    return http.postMultipart(runPath(runId) + "/artifacts", fields, file, part, type, progress);
  }

  /** {@code GET …/artifacts?limit=200[&kind]}: {@code {"artifacts":[...]}}; {@code kind} may be null. */
  public JsonNode listRunArtifacts(String runId, String kind) {
    return http.callJson("GET", runPath(runId) + "/artifacts", Transport.query("limit", 200, "kind", kind), null);
  }

  /** {@code GET …/artifacts/{aid}}: the bare artifact object. */
  public JsonNode getRunArtifact(String runId, String artifactId) {
    return http.callJson("GET", runPath(runId) + "/artifacts/" + Transport.segment(artifactId), null, null);
  }

  /**
   * Streams the artifact's bytes to {@code dest} through {@code <dest>.tmp} (resuming with {@code Range} after a
   * broken connection), verifies {@code X-Content-SHA256}, then renames atomically.
   */
  public DownloadResult downloadRunArtifact(String runId, String artifactId, Path dest) {
    return http.download(runPath(runId) + "/artifacts/" + Transport.segment(artifactId) + "/download", dest);
  }

  /**
   * {@link #downloadRunArtifact(String, String, Path)} reporting to {@code progress} (may be null); with
   * {@code resume} the bytes an interrupted call left in {@code <dest>.tmp} are kept and only the rest is fetched.
   */
  public DownloadResult downloadRunArtifact(String runId, String artifactId, Path dest, TransferProgress progress,
      boolean resume) {
    return http.download(runPath(runId) + "/artifacts/" + Transport.segment(artifactId) + "/download", dest,
        progress, resume);
  }

  private static String runPath(String runId) {
    return PREFIX + "/experiment-runs/" + Transport.segment(runId);
  }

  static String requireText(String value, String name) {
    if (value == null || value.isBlank()) {
      throw new IllegalArgumentException(name + " must be a non-empty string");
    }
    return value;
  }

  /**
   * Builds an {@link ExperimentsClient}. Unset values fall back to {@code ANIMUS_GATEWAY_URL} (default
   * http://localhost:8080), {@code ANIMUS_AUTH_TOKEN} and {@code ANIMUS_CI_WEBHOOK_SECRET}; the timeout
   * defaults to 30 s per request.
   */
  public static final class Builder {
    private final Map<String, String> env;
    private String gatewayUrl;
    private String authToken;
    private String ciSecret;
    private String projectId;
    private Duration timeout = Duration.ofSeconds(30);

    private Builder(Map<String, String> env) {
      this.env = env;
    }

    /** The gateway base URL, such as {@code http://localhost:8080}. */
    public Builder gatewayUrl(String url) {
      this.gatewayUrl = url;
      return this;
    }

    /** The bearer token (an API token or a run token). */
    public Builder authToken(String token) {
      this.authToken = token;
      return this;
    }

    /** The project every request names ({@code X-Project-Id}); without it the server uses {@code default}. */
    public Builder projectId(String projectId) {
      this.projectId = projectId;
      return this;
    }

    /** The CI HMAC secret used by {@link #postCiWebhook} and {@link #postCiReport}. */
    public Builder ciSecret(String secret) {
      this.ciSecret = secret;
      return this;
    }

    /** The per-request timeout (connect and answer); must be positive. */
    public Builder timeout(Duration timeout) {
      this.timeout = timeout;
      return this;
    }

    /** The client; throws IllegalArgumentException for a malformed URL or timeout. */
    public ExperimentsClient build() {
      return new ExperimentsClient(this);
    }
  }
}
