package io.animus.datapilot.execution;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.animus.datapilot.auth.RunTokens;
import io.animus.datapilot.ci.CiStore;
import io.animus.datapilot.ci.RegisteredImage;
import io.animus.datapilot.common.Clock;
import io.animus.datapilot.common.Hashing;
import io.animus.datapilot.kernel.Ids;
import io.animus.datapilot.common.ProjectScope;
import io.animus.datapilot.datasets.DatasetVersionLookup;
import io.animus.datapilot.datasets.QualityGate;
import io.animus.datapilot.experiments.Experiment;
import io.animus.datapilot.experiments.ExperimentStore;
import io.animus.datapilot.experiments.Run;
import io.animus.datapilot.experiments.RunStatusChange;
import io.animus.datapilot.experiments.RunStatus;
import io.animus.datapilot.experiments.RunLookup;
import io.animus.datapilot.experiments.RunStatusService;
import io.animus.datapilot.experiments.RunStore;
import io.animus.datapilot.kernel.ApiException;
import io.animus.datapilot.kernel.ErrorCode;
import io.animus.datapilot.kernel.Json;
import io.animus.datapilot.telemetry.EventService;
import io.animus.datapilot.telemetry.RunEvent;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.UUID;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code runs:execute}, cancel and the execution records (PROTOCOL.md §8): the checks of §8.2 in
 * their order, one transaction for the run, its execution, its first state and event and its
 * token, then the submission to the executor.
 */
public final class ExecutionService {
  private static final Logger LOG = LoggerFactory.getLogger(ExecutionService.class);
  static final String SYSTEM = "system";
  private static final Pattern DIGEST = Pattern.compile("sha256:[0-9a-fA-F]{64}");
  private final Jdbi jdbi;
  private final ExecutionStore store;
  private final RunStore runs;
  private final ExperimentStore experiments;
  private final CiStore ci;
  private final QualityGate qualityGate;
  private final DatasetVersionLookup datasetVersions;
  private final EventService events;
  private final RunStatusService lifecycle;
  private final RunLookup lookup;
  private final RunTokens tokens;
  private final Duration tokenTtl;
  private final Optional<Executor> executor;
  private final Optional<List<String>> defaultCommand;
  private final Map<String, String> inheritedEnv;
  private final Supplier<String> datapilotUrl;
  private final Clock clock;

  /** What the service needs from the rest of the server. */
  public record Deps(Jdbi jdbi, ExecutionStore store, RunStore runs, ExperimentStore experiments, CiStore ci,
                     QualityGate qualityGate, DatasetVersionLookup datasetVersions, EventService events,
                     RunStatusService lifecycle, RunLookup lookup,
                     RunTokens tokens, Duration tokenTtl, Clock clock) {}

  public ExecutionService(Deps deps, Optional<Executor> executor, Optional<List<String>> defaultCommand,
                          Map<String, String> inheritedEnv, Supplier<String> datapilotUrl) {
    this.jdbi = deps.jdbi();
    this.store = deps.store();
    this.runs = deps.runs();
    this.experiments = deps.experiments();
    this.ci = deps.ci();
    this.qualityGate = deps.qualityGate();
    this.datasetVersions = deps.datasetVersions();
    this.events = deps.events();
    this.lifecycle = deps.lifecycle();
    this.lookup = deps.lookup();
    this.tokens = deps.tokens();
    this.tokenTtl = deps.tokenTtl();
    this.clock = deps.clock();
    this.executor = executor;
    this.defaultCommand = defaultCommand;
    this.inheritedEnv = Map.copyOf(inheritedEnv);
    this.datapilotUrl = datapilotUrl;
  }

  /** True when a request must name its command: the local executor without DATAPILOT_LOCAL_COMMAND. */
  public boolean commandRequired() {
    return executor.filter(e -> e.kind().equals("local")).isPresent() && defaultCommand.isEmpty();
  }

  public boolean enabled() {
    return executor.isPresent();
  }

  /** The 201 answer of {@code runs:execute}. */
  public record Executed(UUID runId, UUID executionId, String status, String datapilotUrl) {}

  private record Prepared(Execution execution, String token, UUID versionId) {}

  public Executed execute(ProjectScope project, String actor, ExecuteRequest request) {
    Executor backend = executor.orElseThrow(ExecutionService::disabled);
    boolean local = backend.kind().equals("local");
    // Container executors run the image's own command unless the request replaces it (§8.2).
    List<String> command = request.command().or(() -> local ? defaultCommand : Optional.empty()).orElse(null);
    if (command == null && local) {
      throw new ApiException(ErrorCode.COMMAND_REQUIRED,
          "command is required: send one or set DATAPILOT_LOCAL_COMMAND");
    }
    UUID experimentId = Ids.parse(request.experimentId()).orElseThrow(() -> ApiException.notFound("experiment"));
    String url = datapilotUrl.get();
    Prepared prepared = jdbi.inTransaction(h -> {
      Experiment experiment = experiments.find(h, experimentId).filter(e -> project.admits(e.projectId()))
          .orElseThrow(() -> ApiException.notFound("experiment"));
      UUID versionId = Ids.parse(request.datasetVersionId())
          .filter(v -> datasetVersions.projectOf(h, v).filter(experiment.projectId()::equals).isPresent())
          .orElseThrow(() -> ApiException.notFound("dataset version"));
      qualityGate.require(h, versionId);
      if (backend.kind().equals("kubernetes")) {
        requireNamedDigest(request.imageRef());
      }
      Executor.Image resolved = backend.resolveImage(request.imageRef());
      Optional<String> digest = Optional.ofNullable(resolved.digest());
      Optional<RegisteredImage> image = digest.flatMap(d -> ci.findImage(h, d));
      String gitRepo = request.gitRepo().orElse(null);
      String gitCommit = request.gitCommit().orElse(null);
      if (image.isPresent()) {
        RegisteredImage registered = image.get();
        if (gitRepo != null && !gitRepo.equals(registered.repo())) {
          throw new ApiException(ErrorCode.GIT_REPO_CONFLICT, "git_repo differs from the image's registered repo",
              Map.of("registered_repo", registered.repo()));
        }
        if (gitCommit != null && !gitCommit.equalsIgnoreCase(registered.commitSha())) {
          throw new ApiException(ErrorCode.GIT_COMMIT_CONFLICT,
              "git_commit differs from the image's registered commit",
              Map.of("registered_commit_sha", registered.commitSha()));
        }
        gitRepo = gitRepo == null ? registered.repo() : gitRepo;
        gitCommit = gitCommit == null ? registered.commitSha() : gitCommit;
      } else if (gitCommit == null) {
        throw new ApiException(ErrorCode.GIT_COMMIT_REQUIRED,
            "git_commit is required for an image not registered by CI");
      }

      Instant now = clock.now();
      UUID runId = Ids.newId();
      UUID executionId = Ids.newId();
      ObjectNode details = Json.object().put("executor", backend.kind()).put("image_ref", request.imageRef());
      digest.ifPresent(d -> details.put("image_digest", d));
      backend.nameFor(runId).ifPresent(name -> details.put("job_name", name));
      details.put("dataset_version_id", versionId.toString()).put("actor", actor);
      Run run = new Run(runId, experimentId, null, versionId, RunStatus.PENDING.wire(), now, null, gitRepo,
          gitCommit, request.gitRef().orElse(null), request.params(), Json.object(),
          "experiments/" + experimentId + "/runs/" + runId, null, null, false, null, null, null, now);
      runs.insert(h, run, new RunStatusChange(Ids.newId(), runId, RunStatus.PENDING.wire(), now, details), null, null)
          .orElseThrow(() -> ApiException.notFound("experiment"));
      long iat = now.getEpochSecond();
      String token = tokens.issue(new RunTokens.Claims(runId.toString(), versionId.toString(), iat,
          iat + tokenTtl.toSeconds()));
      List<String> envNames = new ArrayList<>(new TreeMap<>(jobEnv(runId, versionId, url, token,
          request.env())).keySet());
      Execution execution = new Execution(executionId, runId, backend.kind(), resolved.ref(),
          digest.orElse(null), command, request.resources(), envNames, null, null, null, url,
          Hashing.sha256Hex(token), null, null, null, null, null, now, actor);
      store.insert(h, execution);
      events.insert(h, runId, List.of(new RunEvent.New(now, actor, "info", "run pending",
          Json.object().put("run_status", RunStatus.PENDING.wire()), null)));
      return new Prepared(execution, token, versionId);
    });
    return submit(backend, prepared, command, request.env(), url);
  }

  private Executed submit(Executor backend, Prepared prepared, List<String> command,
                          Map<String, String> requestedEnv, String url) {
    Execution execution = prepared.execution();
    UUID runId = execution.runId();
    Executor.Submitted submitted;
    try {
      submitted = backend.submit(new Executor.Job(runId, execution.imageRef(), command,
          jobEnv(runId, prepared.versionId(), url, prepared.token(), requestedEnv), execution.resources()));
    } catch (Executor.SubmitException e) {
      LOG.warn("run {}: submit failed: {}", runId, e.getMessage());
      jdbi.useTransaction(h -> {
        store.markEnded(h, execution.executionId(), clock.now(), null, "submit_failed");
        lifecycle.move(h, runId, SYSTEM, RunStatus.FAILED, Optional.empty(), Map.of("reason", "submit_failed"),
            Optional.of("submit_failed"));
      });
      throw new ApiException(ErrorCode.TRAINING_SUBMIT_FAILED, "the training job could not be started",
          Map.of("run_id", runId.toString()));
    }
    try {
      jdbi.useTransaction(h -> store.markSubmitted(h, execution.executionId(), submitted.processId(),
          submitted.jobName(), submitted.instanceId(), clock.now()));
    } catch (RuntimeException e) {
      backend.stop(execution);
      throw e;
    }
    String status;
    try {
      Map<String, Object> details = new LinkedHashMap<>();
      if (submitted.processId() != null) {
        details.put("process_id", submitted.processId());
      }
      jdbi.useTransaction(h -> lifecycle.move(h, runId, SYSTEM, RunStatus.RUNNING, Optional.empty(), details));
      status = RunStatus.RUNNING.wire();
    } catch (RuntimeException e) {
      // The job may already have ended (the reconciler got there first), or the write failed.
      status = jdbi.withHandle(h -> runs.currentStatus(h, runId)).orElse(RunStatus.PENDING.wire());
    }
    return new Executed(runId, execution.executionId(), status, url);
  }

  /** The job's whole environment: inherited names, then the request's, then the reserved ones (§8.4). */
  private Map<String, String> jobEnv(UUID runId, UUID versionId, String url, String token,
                                     Map<String, String> requested) {
    Map<String, String> env = new TreeMap<>(inheritedEnv);
    env.putAll(requested);
    env.put("RUN_ID", runId.toString());
    env.put("DATASET_VERSION_ID", versionId.toString());
    env.put("DATAPILOT_URL", url);
    env.put("TOKEN", token);
    env.put("ANIMUS_JOB_KIND", "training");
    return env;
  }

  /** A pinned reference's digest ({@code name[:tag]@sha256:<hex>} or a raw digest), lower-cased. */
  static Optional<String> digestOf(String imageRef) {
    String candidate = imageRef.substring(imageRef.lastIndexOf('@') + 1);
    return DIGEST.matcher(candidate).matches() ? Optional.of(candidate.toLowerCase(Locale.ROOT)) : Optional.empty();
  }

  /** §8.3: Kubernetes runs only {@code name@sha256:<64 hex>}, a raw digest names no repository. */
  static void requireNamedDigest(String imageRef) {
    int at = imageRef.lastIndexOf('@');
    if (at <= 0 || digestOf(imageRef).isEmpty()) {
      throw new ApiException(ErrorCode.IMAGE_REF_DIGEST_REQUIRED,
          "image_ref must be pinned as name@sha256:<64 hex> for the kubernetes executor");
    }
  }

  static ApiException disabled() {
    return new ApiException(ErrorCode.TRAINING_EXECUTOR_DISABLED,
        "training execution is disabled; set DATAPILOT_EXECUTOR to enable it");
  }

  /** The 202 answer of cancel. */
  public record Canceled(UUID runId, String status, UUID executionId) {}

  public Canceled cancel(ProjectScope project, String rawRunId, String actor) {
    UUID runId = lookup.require(project, rawRunId);
    Optional<Execution> execution = jdbi.inTransaction(h -> {
      Optional<Execution> found = store.findByRun(h, runId);
      String current = runs.currentStatus(h, runId).orElseThrow(() -> ApiException.notFound("run"));
      if (!current.equals(RunStatus.CANCELED.wire())) {
        Map<String, Object> details = found.<Map<String, Object>>map(e -> Map.of("execution_id",
            e.executionId().toString())).orElse(Map.of());
        lifecycle.move(h, runId, actor, RunStatus.CANCELED, Optional.empty(), details);
      }
      return found;
    });
    execution.filter(e -> e.endedAt() == null)
        .ifPresent(e -> executor.filter(x -> x.kind().equals(e.executor())).ifPresent(x -> x.stop(e)));
    return new Canceled(runId, RunStatus.CANCELED.wire(), execution.map(Execution::executionId).orElse(null));
  }

  public Execution.View execution(ProjectScope project, String rawRunId) {
    UUID runId = lookup.require(project, rawRunId);
    return jdbi.withHandle(h -> store.findByRun(h, runId)).map(Execution::view)
        .orElseThrow(() -> ApiException.notFound("execution"));
  }

  public Execution.BuildContext buildContext(ProjectScope project, String rawRunId) {
    UUID runId = lookup.require(project, rawRunId);
    return jdbi.withHandle(h -> {
      Execution e = store.findByRun(h, runId).orElseThrow(() -> ApiException.notFound("execution"));
      Optional<RegisteredImage> image = Optional.ofNullable(e.imageDigest()).flatMap(d -> ci.findImage(h, d));
      return new Execution.BuildContext(runId, e.imageRef(), e.imageDigest(),
          image.map(RegisteredImage::repo).orElse(null), image.map(RegisteredImage::commitSha).orElse(null),
          image.map(RegisteredImage::pipelineId).orElse(null), image.map(RegisteredImage::provider).orElse(null),
          image.map(RegisteredImage::receivedAt).orElse(null));
    });
  }
}
