package io.animus.sdk;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * Client for {@code /api/experiments}: experiments, runs, CI webhook and report, execution and run artifacts,
 * plus the extensions of this server (run listing with ordering and latest metrics, states, status, heartbeat,
 * cancel, metric series, events, model images).
 *
 * <p>Results are typed records read from the server's answer (docs/protocol.md), keeping it in {@code raw()};
 * failures throw {@link AnimusApiException} (status 400 and above) or {@link AnimusTransportException} (no answer).
 * Immutable and thread-safe. Run curation (names, tags, search, archive, delete) is {@link #runs()}. Example:
 * {@code ExperimentsClient.builder().gatewayUrl("http://localhost:8080").build().createExperiment("a", "", null)}.
 */
public final class ExperimentsClient {
  private static final String PREFIX = "/api/experiments";

  private final Transport http;
  private final CiPoster ci;
  private final RunArtifacts artifacts;
  private final RunsClient runs;
  private final Map<String, String> env;

  private ExperimentsClient(Builder b) {
    this.env = b.env;
    this.http = b.transport();
    this.ci = new CiPoster(http, b.ciSecret != null ? b.ciSecret : Env.first(env, "ANIMUS_CI_WEBHOOK_SECRET"));
    this.artifacts = new RunArtifacts(http);
    this.runs = new RunsClient(http);
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
    return new Builder(env).fromJobEnv().build();
  }

  /** The gateway this client talks to. */
  public String gatewayUrl() {
    return http.gatewayUrl();
  }

  /** The job's run: {@code RUN_ID} of the environment this client was built from, or null outside a job. */
  public String jobRunId() {
    return Env.first(env, "RUN_ID");
  }

  /** The project this client names, or null for the server's {@code default}. */
  public String projectId() {
    return http.projectId();
  }

  /** Run curation on the same gateway: metadata, params, search, archive and delete (§3.4–§3.6). */
  public RunsClient runs() {
    return runs;
  }

  // -- experiments -------------------------------------------------------------------------------------

  /** {@code POST /experiments}: the created experiment. */
  public Experiment createExperiment(String name, String description, Map<String, ?> metadata) {
    return Experiment.fromJson(http.callJson("POST", PREFIX + "/experiments", null,
        Requests.experiment(name, description, metadata)));
  }

  /** {@code GET /experiments?limit[&name]}: the project's experiments, newest first; {@code name} may be null. */
  public Page<Experiment> listExperiments(int limit, String name) {
    return listExperiments(limit, name, null);
  }

  /** {@link #listExperiments(int, String)} from the page {@code pageToken} (null: the first page). */
  public Page<Experiment> listExperiments(int limit, String name, String pageToken) {
    return listExperiments(limit, name, pageToken, false);
  }

  /** {@link #listExperiments(int, String, String)}; with {@code includeArchived} archived ones too (§3.6). */
  public Page<Experiment> listExperiments(int limit, String name, String pageToken, boolean includeArchived) {
    return http.getPage(PREFIX + "/experiments", Transport.query("limit", limit, "name", name, "page_token", pageToken,
        "include_archived", includeArchived ? "true" : null), "experiments", Experiment::fromJson);
  }

  /** {@code GET /experiments/{id}}. */
  public Experiment getExperiment(String experimentId) {
    return http.get(PREFIX + "/experiments/" + Transport.segment(experimentId), null, Experiment::fromJson);
  }

  // -- runs --------------------------------------------------------------------------------------------

  /** {@code POST /experiments/{id}/runs}: records a run; git fields are sent only when {@code run} has them. */
  public Run createRun(String experimentId, NewRun run) {
    return Run.fromJson(http.callJson("POST", PREFIX + "/experiments/" + Transport.segment(experimentId) + "/runs",
        null, run.body()));
  }

  /** Like {@link #createRun} but detects git metadata ({@link GitMetadata#detect()}) when {@code run} has none. */
  public Run createRunWithGit(String experimentId, NewRun run, Path cwd) {
    if (run.git() == null) {
      GitMetadata.detect(env, cwd).ifPresent(run::git);
    }
    return createRun(experimentId, run);
  }

  /** {@code GET /experiment-runs/{id}}: the run with its effective status. */
  public Run getRun(String runId) {
    return http.get(runPath(runId), null, Run::fromJson);
  }

  /**
   * Runs of one experiment (or, with a null {@code experimentId}, of the project):
   * a page of runs, newest first by default. {@code orderBy} is {@code started_at}, {@code metric:<name>} or
   * {@code param:<name>}; {@code order} {@code asc} or {@code desc}; any of them may be null. With
   * {@code includeLatestMetrics} each run carries {@link Run#latestMetrics()}.
   */
  public Page<Run> listRuns(String experimentId, int limit, String status, String orderBy, String order,
      boolean includeLatestMetrics, String pageToken) {
    String path = experimentId == null ? PREFIX + "/experiment-runs"
        : PREFIX + "/experiments/" + Transport.segment(experimentId) + "/runs";
    return http.getPage(path, Requests.runsQuery(limit, status, orderBy, order, includeLatestMetrics, pageToken),
        "runs", Run::fromJson);
  }

  /** {@link #listRuns(String, int, String, String, String, boolean, String)} with only a limit. */
  public Page<Run> listRuns(String experimentId, int limit) {
    return listRuns(experimentId, limit, null, null, null, false, null);
  }

  /** {@code GET /experiment-runs/{id}/states}: the run's state history, oldest first. */
  public List<RunState> listRunStates(String runId) {
    return http.get(runPath(runId) + "/states", null, n -> Wire.list(n, "states", RunState::fromJson));
  }

  /** {@code POST /experiment-runs/{id}/status}: moves the run to {@code status}; {@code message} may be null. */
  public Run setRunStatus(String runId, String status, String message) {
    return Run.fromJson(http.callJson("POST", runPath(runId) + "/status", null, Requests.runStatus(status, message)));
  }

  /** {@code POST /experiment-runs/{id}/heartbeat}: records a heartbeat; stop working when it says canceled. */
  public Heartbeat heartbeat(String runId) {
    return Heartbeat.fromJson(http.callJson("POST", runPath(runId) + "/heartbeat", null, Map.of()));
  }

  /** {@code POST /experiment-runs/{id}:cancel}: the run is canceled at once, its job stopped asynchronously. */
  public CancelResult cancelRun(String runId) {
    return CancelResult.fromJson(http.callJson("POST", runPath(runId) + ":cancel", null, null));
  }

  /** {@code GET …/metrics/series?name&max_points}: one metric downsampled to at most {@code maxPoints} buckets. */
  public MetricSeries getMetricSeries(String runId, String name, int maxPoints) {
    return http.get(runPath(runId) + "/metrics/series",
        Transport.query("name", Requests.requireText(name, "name"), "max_points", maxPoints), MetricSeries::fromJson);
  }

  /**
   * {@code GET …/metrics[?name]}: with a null {@code name} the latest sample of every name, ordered by name; with a
   * name its {@code limit} highest steps in ascending step order (the next page holds earlier steps).
   */
  public Page<MetricPoint> listMetrics(String runId, String name, int limit) {
    return listMetrics(runId, name, limit, null);
  }

  /** {@link #listMetrics(String, String, int)} from the page {@code pageToken} (null: the first page). */
  public Page<MetricPoint> listMetrics(String runId, String name, int limit, String pageToken) {
    return http.getPage(runPath(runId) + "/metrics",
        Transport.query("name", name, "limit", limit, "page_token", pageToken), "samples", MetricPoint::fromJson);
  }

  /** {@code GET …/events?limit[&before_event_id]}: newest first; {@code beforeEventId} may be null. */
  public EventPage listRunEvents(String runId, int limit, Long beforeEventId) {
    return http.get(runPath(runId) + "/events", Transport.query("limit", limit, "before_event_id", beforeEventId),
        EventPage::fromJson);
  }

  /**
   * Opens the run's live stream ({@code GET …/stream}); with {@code afterEventId} (may be null) the events after
   * that id are replayed first. Iterate the typed frames or {@link RunStream#listen listen}; close the stream to
   * disconnect.
   */
  public RunStream streamRun(String runId, Long afterEventId) {
    return http.openStream(runPath(runId) + "/stream", Transport.query("after_event_id", afterEventId));
  }

  /** {@code GET /projects}: every project with its experiment and dataset counts. */
  public List<Project> listProjects() {
    return http.get(PREFIX + "/projects", null, n -> Wire.list(n, "projects", Project::fromJson));
  }

  /** {@code GET …/ci-contexts}: the CI contexts attached to a run, newest first. */
  public Page<CiContext> listCiContexts(String runId, int limit) {
    return http.getPage(runPath(runId) + "/ci-contexts", Transport.query("limit", limit), "contexts",
        CiContext::fromJson);
  }

  // -- API tokens (/api/auth) --------------------------------------------------------------------------

  /**
   * {@code POST /api/auth/tokens} (admin): a new API token with its secret ({@code dp_…}), which is shown only
   * once. {@code role} is {@code viewer}, {@code editor} or {@code admin}; {@code expiresAt} may be null.
   */
  public CreatedApiToken createApiToken(String name, String role, Instant expiresAt) {
    return CreatedApiToken.fromJson(http.callJson("POST", "/api/auth/tokens", null,
        Requests.apiToken(name, role, expiresAt)));
  }

  /** {@code GET /api/auth/tokens} (admin): the API tokens, newest first (never their secrets). */
  public Page<ApiToken> listApiTokens(int limit) {
    return listApiTokens(limit, null);
  }

  /** {@link #listApiTokens(int)} from the page {@code pageToken} (null: the first page). */
  public Page<ApiToken> listApiTokens(int limit, String pageToken) {
    return http.getPage("/api/auth/tokens", Transport.query("limit", limit, "page_token", pageToken), "tokens",
        ApiToken::fromJson);
  }

  /** {@code DELETE /api/auth/tokens/{id}} (admin): revokes a token at once. */
  public void deleteApiToken(String tokenId) {
    http.callJson("DELETE", "/api/auth/tokens/" + Transport.segment(tokenId), null, null);
  }

  /** {@code GET /api/auth/me}: the caller's subject, role and kind of credential. */
  public WhoAmI whoAmI() {
    return http.get("/api/auth/me", null, WhoAmI::fromJson);
  }

  /**
   * Reads a metric value that the server may write as {@code "NaN"}, {@code "Infinity"} or {@code "-Infinity"}:
   * a {@link Number}, one of those strings or a numeric string, taken from a {@code raw()} map; null is NaN.
   * @throws NumberFormatException when {@code value} is neither a number nor such a string
   */
  public static double metricValue(Object value) {
    return Json.number(value);
  }

  // -- CI ----------------------------------------------------------------------------------------------

  /**
   * {@code POST /ci/webhook}: attaches CI context ({@code run_id} required) to a run; HMAC-signed. The same payload
   * again answers {@link CiContext#duplicate()}.
   */
  public CiContext postCiWebhook(Map<String, ?> payload) {
    return CiContext.fromJson(postCi("/ci/webhook", payload, Instant.now().getEpochSecond()));
  }

  /**
   * {@code POST /ci/report}: registers a CI-built image digest with repo, commit and pipeline; HMAC-signed. The
   * answer's {@link ModelImage#status()} is {@code created} or {@code duplicate}.
   */
  public ModelImage postCiReport(Map<String, ?> payload) {
    return ModelImage.fromJson(postCi("/ci/report", payload, Instant.now().getEpochSecond()));
  }

  /** Signs {@code payload} (compact sorted JSON) at unix time {@code ts} and posts it to {@code /ci/<path>}. */
  JsonNode postCi(String path, Map<String, ?> payload, long ts) {
    return ci.post(PREFIX + path, payload, ts);
  }

  /** {@code GET /model-images?repo&commit_sha&limit}: registered images; filters may be null. */
  public Page<ModelImage> listModelImages(String repo, String commitSha, int limit) {
    return http.getPage(PREFIX + "/model-images",
        Transport.query("repo", repo, "commit_sha", commitSha, "limit", limit), "model_images", ModelImage::fromJson);
  }

  /** {@code GET /model-images/{digest}}: the registered image with its report payload. */
  public ModelImage getModelImage(String imageDigest) {
    return http.get(PREFIX + "/model-images/" + Transport.segment(imageDigest), null, ModelImage::fromJson);
  }

  // -- execution ---------------------------------------------------------------------------------------

  /** {@code POST /experiments/runs:execute}: starts a training job; the image's CI registration fills git fields. */
  public ExecuteRunResult executeRun(String experimentId, String datasetVersionId, String imageRef) {
    return executeRun(experimentId, datasetVersionId, imageRef, null, null);
  }

  /** {@link #executeRun(String, String, String)} with params and resources (either may be null). */
  public ExecuteRunResult executeRun(String experimentId, String datasetVersionId, String imageRef,
      Map<String, ?> params, Map<String, ?> resources) {
    return executeRun(NewExecution.of(experimentId, datasetVersionId, imageRef).params(params)
        .resources(resources));
  }

  /** {@code POST /experiments/runs:execute} with every field of the request (git metadata, command, env...). */
  public ExecuteRunResult executeRun(NewExecution job) {
    return ExecuteRunResult.fromJson(http.callJson("POST", PREFIX + "/experiments/runs:execute", null, job.body()));
  }

  /** {@code GET …/execution}: how an executed run was started; 404 for a run never executed. */
  public Execution getExecution(String runId) {
    return http.get(runPath(runId) + "/execution", null, Execution::fromJson);
  }

  /** {@code GET …/build-context}: the executed run's image joined with the CI registration of its digest. */
  public BuildContext getBuildContext(String runId) {
    return http.get(runPath(runId) + "/build-context", null, BuildContext::fromJson);
  }

  // -- artifacts ---------------------------------------------------------------------------------------

  /**
   * Streams {@code file} as a multipart upload with an exact Content-Length; answers the stored artifact.
   * {@code kind} is {@code model}, {@code preview}, {@code log} or {@code file};
   * {@code name} and {@code metadata} may be null.
   */
  public Artifact uploadRunArtifact(String runId, String kind, Path file, String name, Map<String, ?> metadata) {
    return uploadRunArtifact(runId, kind, file, name, metadata, null, null);
  }

  /** {@link #uploadRunArtifact(String, String, Path, String, Map)} with an explicit filename and content type. */
  public Artifact uploadRunArtifact(String runId, String kind, Path file, String name, Map<String, ?> metadata,
      String filename, String contentType) {
    return uploadRunArtifact(runId, kind, file, name, metadata, filename, contentType, null);
  }

  /** {@link #uploadRunArtifact(String, String, Path, String, Map, String, String)} reporting to {@code progress}. */
  public Artifact uploadRunArtifact(String runId, String kind, Path file, String name, Map<String, ?> metadata,
      String filename, String contentType, TransferProgress progress) {
    return artifacts.upload(runId, kind, file, name, metadata, filename, contentType, progress);
  }

  /** {@code GET …/artifacts?limit=200[&kind]}: the run's artifacts, newest first; {@code kind} may be null. */
  public Page<Artifact> listRunArtifacts(String runId, String kind) {
    return listRunArtifacts(runId, kind, 200, null);
  }

  /** {@link #listRunArtifacts(String, String)} with a limit, from the page {@code pageToken} (null: the first). */
  public Page<Artifact> listRunArtifacts(String runId, String kind, int limit, String pageToken) {
    return artifacts.list(runId, kind, limit, pageToken);
  }

  /** {@code GET …/artifacts/{aid}}. */
  public Artifact getRunArtifact(String runId, String artifactId) {
    return artifacts.get(runId, artifactId);
  }

  /**
   * Streams the artifact's bytes to {@code dest} through {@code <dest>.tmp} (resuming with {@code Range} after a
   * broken connection), verifies {@code X-Content-SHA256}, then renames atomically.
   */
  public DownloadResult downloadRunArtifact(String runId, String artifactId, Path dest) {
    return artifacts.download(runId, artifactId, dest, null, false);
  }

  /**
   * {@link #downloadRunArtifact(String, String, Path)} reporting to {@code progress} (may be null); with
   * {@code resume} the bytes an interrupted call left in {@code <dest>.tmp} are kept and only the rest is fetched.
   */
  public DownloadResult downloadRunArtifact(String runId, String artifactId, Path dest, TransferProgress progress,
      boolean resume) {
    return artifacts.download(runId, artifactId, dest, progress, resume);
  }

  private static String runPath(String runId) {
    return PREFIX + "/experiment-runs/" + Transport.segment(runId);
  }

  /**
   * Builds an {@link ExperimentsClient}. Unset values fall back to {@code ANIMUS_GATEWAY_URL} (default
   * http://localhost:8080), {@code ANIMUS_AUTH_TOKEN} and {@code ANIMUS_CI_WEBHOOK_SECRET}; the timeout
   * defaults to 30 s per request.
   */
  public static final class Builder extends ClientBuilder<Builder> {
    private String ciSecret;

    private Builder(Map<String, String> env) {
      super(env);
    }

    @Override
    Builder self() {
      return this;
    }

    /** The CI HMAC secret used by {@link ExperimentsClient#postCiWebhook} and {@link ExperimentsClient#postCiReport}. */
    public Builder ciSecret(String secret) {
      this.ciSecret = secret;
      return this;
    }

    /** The client; throws IllegalArgumentException for a malformed URL or timeout. */
    public ExperimentsClient build() {
      return new ExperimentsClient(this);
    }
  }
}
