package io.animus.sdk;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A change to a run's metadata for {@link RunsClient#updateRun} ({@code PATCH /experiment-runs/{id}},
 * docs/protocol.md §3.4): a new name, new notes ({@code ""} clears them), tags and summary metrics set or removed
 * key by key. Only what is named is sent; a patch that names nothing is refused before it is sent.
 *
 * <pre>{@code
 * runs.updateRun(runId, RunPatch.create().name("resnet-lr3").tag("stage", "prod").removeTag("debug")
 *     .metric("test_acc", 0.931));
 * }</pre>
 */
public final class RunPatch {
  private String name;
  private String notes;
  private final Map<String, String> tags = new LinkedHashMap<>();
  private final Map<String, Number> metrics = new LinkedHashMap<>();

  private RunPatch() {}

  /** An empty patch; add what it changes. */
  public static RunPatch create() {
    return new RunPatch();
  }

  /** Renames the run (1–255 characters, unique in its experiment: 409 {@code run_name_exists}). */
  public RunPatch name(String name) {
    this.name = Requests.requireText(name, "name");
    return this;
  }

  /** Replaces the notes (markdown); {@code ""} clears them. */
  public RunPatch notes(String notes) {
    if (notes == null) {
      throw new IllegalArgumentException("notes must not be null (\"\" clears them)");
    }
    this.notes = notes;
    return this;
  }

  /** Sets tag {@code key} to {@code value}. */
  public RunPatch tag(String key, String value) {
    if (value == null) {
      throw new IllegalArgumentException("a tag value must not be null; removeTag removes a tag");
    }
    tags.put(Requests.requireText(key, "tag key"), value);
    return this;
  }

  /** Sets every tag of {@code tags}. */
  public RunPatch tags(Map<String, String> values) {
    values.forEach(this::tag);
    return this;
  }

  /** Removes tag {@code key} (nothing happens when the run does not have it). */
  public RunPatch removeTag(String key) {
    tags.put(Requests.requireText(key, "tag key"), null);
    return this;
  }

  /** Sets summary metric {@code name} (what search and sort use before the latest telemetry value). */
  public RunPatch metric(String name, Number value) {
    if (value == null) {
      throw new IllegalArgumentException("a metric value must not be null; removeMetric removes a metric");
    }
    metrics.put(Requests.requireText(name, "metric name"), value);
    return this;
  }

  /** Removes summary metric {@code name}. */
  public RunPatch removeMetric(String name) {
    metrics.put(Requests.requireText(name, "metric name"), null);
    return this;
  }

  /** True when the patch names nothing. */
  public boolean isEmpty() {
    return name == null && notes == null && tags.isEmpty() && metrics.isEmpty();
  }

  /** The PATCH body: removals as JSON {@code null}. */
  Map<String, Object> body() {
    if (isEmpty()) {
      throw new IllegalArgumentException("a run patch must change something");
    }
    Map<String, Object> body = new LinkedHashMap<>();
    if (name != null) {
      body.put("name", name);
    }
    if (notes != null) {
      body.put("notes", notes);
    }
    if (!tags.isEmpty()) {
      body.put("tags", new LinkedHashMap<>(tags));
    }
    if (!metrics.isEmpty()) {
      body.put("metrics", new LinkedHashMap<>(metrics));
    }
    return body;
  }
}
