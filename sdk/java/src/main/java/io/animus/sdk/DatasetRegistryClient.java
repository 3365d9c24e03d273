package io.animus.sdk;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Client for {@code /api/dataset-registry}: read and download dataset versions (the published SDK), create and
 * list datasets, upload new immutable versions, archive and delete (extensions). Results are typed records
 * ({@link Dataset}, {@link DatasetVersion}, {@link Page}, {@link Deletion}); failures throw {@link AnimusApiException} or
 * {@link AnimusTransportException}. Thread-safe.
 */
public final class DatasetRegistryClient {
  private static final String PREFIX = "/api/dataset-registry";

  private final Transport http;
  private final String jobDatasetVersionId;

  private DatasetRegistryClient(Builder b) {
    this.http = b.transport();
    this.jobDatasetVersionId = Env.first(b.env, "DATASET_VERSION_ID");
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
    return new Builder(env).fromJobEnv().build();
  }

  /** The gateway this client talks to. */
  public String gatewayUrl() {
    return http.gatewayUrl();
  }

  /** The project this client names, or null for the server's {@code default}. */
  public String projectId() {
    return http.projectId();
  }

  /** {@code GET /dataset-versions/{id}}: the version. */
  public DatasetVersion getDatasetVersion(String datasetVersionId) {
    return http.get(PREFIX + "/dataset-versions/" + Transport.segment(datasetVersionId), null,
        DatasetVersion::fromJson);
  }

  /** The job's dataset version: {@code DATASET_VERSION_ID} of the environment this client was built from, or null. */
  public String jobDatasetVersionId() {
    return jobDatasetVersionId;
  }

  /**
   * In a training job, downloads the job's dataset version ({@code DATASET_VERSION_ID}) to {@code dest}; throws
   * IllegalStateException when that variable is not set.
   */
  public DownloadResult downloadJobDataset(Path dest) {
    if (jobDatasetVersionId == null) {
      throw new IllegalStateException("DATASET_VERSION_ID is not set: this is not a training job");
    }
    return downloadDatasetVersion(jobDatasetVersionId, dest);
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

  /** {@code POST /datasets}: the created dataset. */
  public Dataset createDataset(String name, String description, Map<String, ?> metadata) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("name", Requests.requireText(name, "name"));
    body.put("description", description == null ? "" : description);
    body.put("metadata", metadata == null ? Map.of() : metadata);
    return Dataset.fromJson(http.callJson("POST", PREFIX + "/datasets", null, body));
  }

  /** {@code GET /datasets/{id}}. */
  public Dataset getDataset(String datasetId) {
    return http.get(PREFIX + "/datasets/" + Transport.segment(datasetId), null, Dataset::fromJson);
  }

  /** {@code GET /datasets?limit[&page_token]}: the project's datasets, newest first. */
  public Page<Dataset> listDatasets(int limit, String pageToken) {
    return listDatasets(limit, pageToken, false);
  }

  /** {@link #listDatasets(int, String)}; with {@code includeArchived} archived datasets too (§3.6). */
  public Page<Dataset> listDatasets(int limit, String pageToken, boolean includeArchived) {
    return http.getPage(PREFIX + "/datasets", Transport.query("limit", limit, "page_token", pageToken,
        "include_archived", includeArchived ? "true" : null), "datasets", Dataset::fromJson);
  }

  /** {@code GET /datasets/{id}/versions}: the dataset's versions, newest first. */
  public Page<DatasetVersion> listDatasetVersions(String datasetId, int limit, String pageToken) {
    return http.getPage(PREFIX + "/datasets/" + Transport.segment(datasetId) + "/versions",
        Transport.query("limit", limit, "page_token", pageToken), "versions", DatasetVersion::fromJson);
  }

  /**
   * Streams {@code file} as a new immutable version (409 {@code duplicate_content} for bytes already in the
   * dataset). {@code metadata} and {@code qualityRuleId} may be null.
   */
  public DatasetVersion uploadDatasetVersion(String datasetId, Path file, Map<String, ?> metadata,
      String qualityRuleId) {
    return uploadDatasetVersion(datasetId, file, metadata, qualityRuleId, null);
  }

  /** {@link #uploadDatasetVersion(String, Path, Map, String)} reporting the bytes sent to {@code progress}. */
  public DatasetVersion uploadDatasetVersion(String datasetId, Path file, Map<String, ?> metadata,
      String qualityRuleId, TransferProgress progress) {
    List<Map.Entry<String, String>> fields = new ArrayList<>();
    if (metadata != null) {
      fields.add(Map.entry("metadata", new String(Json.canonicalBytes(metadata), java.nio.charset.StandardCharsets.US_ASCII)));
    }
    if (qualityRuleId != null && !qualityRuleId.isEmpty()) {
      fields.add(Map.entry("quality_rule_id", qualityRuleId));
    }
    String name = file.getFileName() == null ? "dataset.bin" : file.getFileName().toString();
    return DatasetVersion.fromJson(http.postMultipart(
        PREFIX + "/datasets/" + Transport.segment(datasetId) + "/versions/upload", fields, file, name,
        Multipart.guessContentType(name), progress));
  }

  /**
   * {@code POST /dataset-versions/{id}/quality-evaluations}: records an evaluation ({@code pass}, {@code fail} or
   * {@code error}) against the version's quality rule; {@code summary} may be null. 409
   * {@code quality_rule_not_set} when the version has no rule.
   */
  public QualityEvaluation addQualityEvaluation(String datasetVersionId, String status, Map<String, ?> summary) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("status", Requests.requireText(status, "status"));
    if (summary != null) {
      body.put("summary", summary);
    }
    return QualityEvaluation.fromJson(http.callJson("POST", PREFIX + "/dataset-versions/"
        + Transport.segment(datasetVersionId) + "/quality-evaluations", null, body));
  }

  /** {@code GET /dataset-versions/{id}/quality-evaluations}: the version's evaluations. */
  public Page<QualityEvaluation> listQualityEvaluations(String datasetVersionId, int limit, String pageToken) {
    return http.getPage(PREFIX + "/dataset-versions/" + Transport.segment(datasetVersionId)
        + "/quality-evaluations", Transport.query("limit", limit, "page_token", pageToken), "evaluations",
        QualityEvaluation::fromJson);
  }

  /** {@code POST /datasets/{id}:archive}: hides the dataset from lists; it and its versions stay readable. */
  public Dataset archiveDataset(String datasetId) {
    return Dataset.fromJson(http.callJson("POST", datasetPath(datasetId) + ":archive", null, null));
  }

  /** {@code POST /datasets/{id}:restore}. */
  public Dataset restoreDataset(String datasetId) {
    return Dataset.fromJson(http.callJson("POST", datasetPath(datasetId) + ":restore", null, null));
  }

  /**
   * {@code DELETE /datasets/{id}}: the dataset with all its versions; 409 {@code dataset_version_in_use}
   * ({@code details.run_ids}) when a run uses one of them.
   */
  public Deletion deleteDataset(String datasetId) {
    return Deletion.fromJson(http.callJson("DELETE", datasetPath(datasetId), null, null));
  }

  /**
   * {@code DELETE /dataset-versions/{id}?force=…}: 409 {@code dataset_version_in_use} when a run uses it, unless
   * {@code force}; then the runs keep the id and say {@code dataset_version_deleted}.
   */
  public Deletion deleteDatasetVersion(String datasetVersionId, boolean force) {
    return Deletion.fromJson(http.callJson("DELETE", PREFIX + "/dataset-versions/"
        + Transport.segment(datasetVersionId), Transport.query("force", force), null));
  }

  /** {@code GET /api/deletions/{id}}: whether the background sweep of a deletion is done. */
  public Deletion getDeletion(String deletionId) {
    return RunsClient.getDeletion(http, deletionId);
  }

  private static String datasetPath(String datasetId) {
    return PREFIX + "/datasets/" + Transport.segment(datasetId);
  }

  /**
   * Builds a {@link DatasetRegistryClient}; unset values fall back to {@code ANIMUS_GATEWAY_URL} (default
   * http://localhost:8080) and {@code ANIMUS_AUTH_TOKEN}; the timeout defaults to 30 s per request.
   */
  public static final class Builder extends ClientBuilder<Builder> {
    private Builder(Map<String, String> env) {
      super(env);
    }

    @Override
    Builder self() {
      return this;
    }

    /** The client; throws IllegalArgumentException for a malformed URL or timeout. */
    public DatasetRegistryClient build() {
      return new DatasetRegistryClient(this);
    }
  }
}
