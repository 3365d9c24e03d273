package io.animus.sdk;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The fields of a run to record with {@link ExperimentsClient#createRun(String, NewRun)}: a status plus optional
 * dataset version, times, git metadata, params, summary metrics, artifacts prefix, name, tags and notes. Empty
 * fields are not sent (the published SDK's rule); {@code params} and {@code metrics} are always sent, {@code {}}
 * when empty.
 */
public final class NewRun {
  private final String status;
  private String datasetVersionId;
  private Instant startedAt;
  private Instant endedAt;
  private GitMetadata git;
  private Map<String, ?> params = Map.of();
  private Map<String, ?> metrics = Map.of();
  private String artifactsPrefix;
  private String name;
  private Map<String, String> tags = Map.of();
  private String notes;

  private NewRun(String status) {
    if (status == null || status.isBlank()) {
      throw new IllegalArgumentException("status must be a non-empty string");
    }
    this.status = status;
  }

  /** A run with this status ({@code pending}, {@code running}, {@code succeeded}, {@code failed}, {@code canceled}). */
  public static NewRun withStatus(String status) {
    return new NewRun(status);
  }

  /** The dataset version the run used. */
  public NewRun datasetVersionId(String id) {
    this.datasetVersionId = id;
    return this;
  }

  /** When the run started (server default: now). */
  public NewRun startedAt(Instant t) {
    this.startedAt = t;
    return this;
  }

  /** When the run ended. */
  public NewRun endedAt(Instant t) {
    this.endedAt = t;
    return this;
  }

  /** Git metadata; {@link ExperimentsClient#createRunWithGit} detects it when not given. */
  public NewRun git(GitMetadata git) {
    this.git = git;
    return this;
  }

  /** Hyper-parameters, stored verbatim. */
  public NewRun params(Map<String, ?> params) {
    this.params = params == null ? Map.of() : params;
    return this;
  }

  /** Summary metrics, stored verbatim. */
  public NewRun metrics(Map<String, ?> metrics) {
    this.metrics = metrics == null ? Map.of() : metrics;
    return this;
  }

  /** The object-key prefix for the run's artifacts. */
  public NewRun artifactsPrefix(String prefix) {
    this.artifactsPrefix = prefix;
    return this;
  }

  /** The run's name, unique in its experiment (server default: a readable one such as {@code brisk-river-7}). */
  public NewRun name(String name) {
    this.name = name;
    return this;
  }

  /** Tags: string keys and values, at most 100. */
  public NewRun tags(Map<String, String> tags) {
    this.tags = tags == null ? Map.of() : tags;
    return this;
  }

  /** Notes (markdown, at most 65,536 characters). */
  public NewRun notes(String notes) {
    this.notes = notes;
    return this;
  }

  GitMetadata git() {
    return git;
  }

  Map<String, Object> body() {
    Map<String, Object> body = new LinkedHashMap<>();
    put(body, "dataset_version_id", datasetVersionId);
    body.put("status", status);
    put(body, "started_at", startedAt == null ? null : startedAt.toString());
    put(body, "ended_at", endedAt == null ? null : endedAt.toString());
    putGit(body, git);
    body.put("params", params);
    body.put("metrics", metrics);
    put(body, "artifacts_prefix", artifactsPrefix);
    put(body, "name", name);
    if (!tags.isEmpty()) {
      body.put("tags", tags);
    }
    put(body, "notes", notes);
    return body;
  }

  /** Adds {@code git_repo}, {@code git_commit} and {@code git_ref} when {@code git} has them. */
  static void putGit(Map<String, Object> body, GitMetadata git) {
    if (git != null) {
      put(body, "git_repo", git.repo());
      put(body, "git_commit", git.commit());
      put(body, "git_ref", git.ref());
    }
  }

  private static void put(Map<String, Object> body, String key, String value) {
    if (value != null && !value.isEmpty()) {
      body.put(key, value);
    }
  }
}
