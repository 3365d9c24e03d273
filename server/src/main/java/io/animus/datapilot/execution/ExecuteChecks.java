package io.animus.datapilot.execution;

import io.animus.datapilot.ci.RegisteredImage;
import io.animus.datapilot.common.ProjectScope;
import io.animus.datapilot.datasets.QualityGate;
import io.animus.datapilot.kernel.ApiException;
import io.animus.datapilot.kernel.ErrorCode;
import io.animus.datapilot.kernel.Ids;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.jdbi.v3.core.Handle;

/**
 * The checks of {@code runs:execute} after the body was read (docs/protocol.md §8.2), in the protocol's
 * order: the command, the experiment, the dataset version and its quality gate, the image
 * reference, then the git fields against the image's CI registration.
 */
public final class ExecuteChecks {
  private final Executor backend;
  private final Optional<List<String>> defaultCommand;
  private final RunGateway runs;
  private final QualityGate qualityGate;
  private final RegisteredImages images;

  public ExecuteChecks(Executor backend, Optional<List<String>> defaultCommand, RunGateway runs,
                       QualityGate qualityGate, RegisteredImages images) {
    this.backend = backend;
    this.defaultCommand = defaultCommand;
    this.runs = runs;
    this.qualityGate = qualityGate;
    this.images = images;
  }

  /** The outcome of the checks that need no database: the command (null: the image's own) and the experiment. */
  record Precheck(List<String> command, UUID experimentId) {}

  /** A request that passed: the command (null: the image's own), the ids, the image and the run's git fields. */
  record Checked(List<String> command, UUID experimentId, UUID versionId, Executor.Image image,
                 Optional<String> digest, String gitRepo, String gitCommit) {}

  /** True when a request must name its command: the executor runs no image command and none is configured. */
  boolean commandRequired() {
    return backend.kind().needsCommand() && defaultCommand.isEmpty();
  }

  /** The checks that need no database; the rest run in {@code check}, in the request's transaction. */
  Precheck precheck(ExecuteRequest request) {
    boolean needsCommand = backend.kind().needsCommand();
    // Container executors run the image's own command unless the request replaces it (§8.2).
    List<String> command = request.command().or(() -> needsCommand ? defaultCommand : Optional.empty()).orElse(null);
    if (command == null && needsCommand) {
      throw new ApiException(ErrorCode.COMMAND_REQUIRED,
          "command is required: send one or set DATAPILOT_LOCAL_COMMAND");
    }
    UUID experimentId = Ids.parse(request.experimentId()).orElseThrow(() -> ApiException.notFound("experiment"));
    return new Precheck(command, experimentId);
  }

  Checked check(Handle h, ProjectScope project, ExecuteRequest request, Precheck pre) {
    String projectId = runs.experimentProject(h, pre.experimentId()).filter(project::admits)
        .orElseThrow(() -> ApiException.notFound("experiment"));
    UUID versionId = Ids.parse(request.datasetVersionId())
        .filter(v -> runs.datasetVersionProject(h, v).filter(projectId::equals).isPresent())
        .orElseThrow(() -> ApiException.notFound("dataset version"));
    qualityGate.require(h, versionId);
    ImageRef ref = new ImageRef(request.imageRef());
    if (backend.kind().needsPinnedImage() && !ref.namedDigest()) {
      throw new ApiException(ErrorCode.IMAGE_REF_DIGEST_REQUIRED,
          "image_ref must be pinned as name@sha256:<64 hex> for the " + backend.kind().wire() + " executor");
    }
    Executor.Image resolved = backend.resolveImage(request.imageRef());
    Optional<String> digest = Optional.ofNullable(resolved.digest());
    Optional<RegisteredImage> image = digest.flatMap(d -> images.find(h, d));
    String gitRepo = request.gitRepo().orElse(null);
    String gitCommit = request.gitCommit().orElse(null);
    if (image.isPresent()) {
      RegisteredImage registered = image.get();
      requireSameGit(registered, gitRepo, gitCommit);
      gitRepo = gitRepo == null ? registered.repo() : gitRepo;
      gitCommit = gitCommit == null ? registered.commitSha() : gitCommit;
    } else if (gitCommit == null) {
      throw new ApiException(ErrorCode.GIT_COMMIT_REQUIRED,
          "git_commit is required for an image not registered by CI");
    }
    return new Checked(pre.command(), pre.experimentId(), versionId, resolved, digest, gitRepo, gitCommit);
  }

  private static void requireSameGit(RegisteredImage registered, String gitRepo, String gitCommit) {
    if (gitRepo != null && !gitRepo.equals(registered.repo())) {
      throw new ApiException(ErrorCode.GIT_REPO_CONFLICT, "git_repo differs from the image's registered repo",
          Map.of("registered_repo", registered.repo()));
    }
    if (gitCommit != null && !gitCommit.equalsIgnoreCase(registered.commitSha())) {
      throw new ApiException(ErrorCode.GIT_COMMIT_CONFLICT, "git_commit differs from the image's registered commit",
          Map.of("registered_commit_sha", registered.commitSha()));
    }
  }
}
