package io.animus.sdk;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A training job to start with {@link ExperimentsClient#executeRun(NewExecution)} (docs/protocol.md §8.2): the
 * experiment, dataset version and image, plus optional git metadata (required for an image whose digest no CI
 * report registered), params, resources ({@code gpus}, {@code cpu}, {@code memory}), and, as extensions of this
 * server, a command replacing the image's and extra environment variables.
 */
public final class NewExecution {
  private final String experimentId;
  private final String datasetVersionId;
  private final String imageRef;
  private GitMetadata git;
  private Map<String, ?> params = Map.of();
  private Map<String, ?> resources = Map.of();
  private List<String> command;
  private Map<String, String> env;

  private NewExecution(String experimentId, String datasetVersionId, String imageRef) {
    this.experimentId = Requests.requireText(experimentId, "experimentId");
    this.datasetVersionId = Requests.requireText(datasetVersionId, "datasetVersionId");
    this.imageRef = Requests.requireText(imageRef, "imageRef");
  }

  /** A job running {@code imageRef} (best pinned: {@code name@sha256:<64 hex>}) on the dataset version. */
  public static NewExecution of(String experimentId, String datasetVersionId, String imageRef) {
    return new NewExecution(experimentId, datasetVersionId, imageRef);
  }

  /** Git metadata; checked against (or filled from) the CI registration of the image's digest. */
  public NewExecution git(GitMetadata git) {
    this.git = git;
    return this;
  }

  /** Hyper-parameters, recorded on the run. */
  public NewExecution params(Map<String, ?> params) {
    this.params = params == null ? Map.of() : params;
    return this;
  }

  /** Resources: {@code gpus} (integer), {@code cpu} (cores), {@code memory} (such as {@code 4Gi}). */
  public NewExecution resources(Map<String, ?> resources) {
    this.resources = resources == null ? Map.of() : resources;
    return this;
  }

  /** The command to run instead of the image's entrypoint and command; must not be empty. */
  public NewExecution command(List<String> command) {
    if (command != null && command.isEmpty()) {
      throw new IllegalArgumentException("command must not be empty");
    }
    this.command = command == null ? null : List.copyOf(command);
    return this;
  }

  /** Extra environment variables for the job (the reserved ones, such as {@code RUN_ID}, cannot be set). */
  public NewExecution env(Map<String, String> env) {
    this.env = env == null ? null : Map.copyOf(env);
    return this;
  }

  Map<String, Object> body() {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("experiment_id", experimentId);
    body.put("dataset_version_id", datasetVersionId);
    body.put("image_ref", imageRef);
    NewRun.putGit(body, git);
    body.put("params", params);
    body.put("resources", resources);
    if (command != null) {
      body.put("command", command);
    }
    if (env != null && !env.isEmpty()) {
      body.put("env", env);
    }
    return body;
  }
}
