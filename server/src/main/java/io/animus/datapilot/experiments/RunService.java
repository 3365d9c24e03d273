package io.animus.datapilot.experiments;

import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.animus.datapilot.common.Clock;
import io.animus.datapilot.kernel.Ids;
import io.animus.datapilot.common.ProjectScope;
import io.animus.datapilot.datasets.DatasetVersionLookup;
import io.animus.datapilot.datasets.QualityGate;
import io.animus.datapilot.kernel.ApiException;
import io.animus.datapilot.kernel.ErrorCode;
import io.animus.datapilot.kernel.Json;
import io.animus.datapilot.kernel.Page;
import io.animus.datapilot.kernel.PageToken;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

/** Run use cases: create, get, state history, and curation (rename, notes, tags, summary metrics, params). */
public final class RunService {
  private final Jdbi jdbi;
  private final RunStore runs;
  private final ExperimentStore experiments;
  private final Clock clock;
  private final Duration staleAfter;
  private final QualityGate qualityGate;
  private final DatasetVersionLookup datasetVersions;

  /** {@code qualityGate} and {@code datasetVersions} are the datasets feature's: runs read those tables only through them. */
  public RunService(Jdbi jdbi, RunStore runs, ExperimentStore experiments, Clock clock, Duration staleAfter,
                    QualityGate qualityGate, DatasetVersionLookup datasetVersions) {
    this.jdbi = jdbi;
    this.runs = runs;
    this.experiments = experiments;
    this.clock = clock;
    this.staleAfter = staleAfter;
    this.qualityGate = qualityGate;
    this.datasetVersions = datasetVersions;
  }

  /** A validated create-run request (docs/protocol.md §3.2). */
  public record CreateRun(RunStatus status, Optional<String> datasetVersionId, Optional<Instant> startedAt,
                          Optional<Instant> endedAt, Optional<String> gitRepo, Optional<String> gitCommit,
                          Optional<String> gitRef, ObjectNode params, ObjectNode metrics,
                          Optional<String> artifactsPrefix, Optional<String> name, ObjectNode tags,
                          Optional<String> notes) {}

  /** A validated PATCH (docs/protocol.md §3.4): each part absent when not to change. */
  public record PatchRun(Optional<String> name, Optional<String> notes, Optional<ObjectNode> tags,
                         Optional<ObjectNode> metrics) {}

  public Run create(ProjectScope project, String actor, String rawExperimentId, CreateRun request) {
    Instant now = clock.now();
    Instant startedAt = request.startedAt().orElse(now);
    request.endedAt().ifPresent(ended -> {
      if (ended.isBefore(startedAt)) {
        throw new ApiException(ErrorCode.ENDED_BEFORE_STARTED, "ended_at is before started_at");
      }
    });
    UUID runId = Ids.newId();
    UUID experimentId = Ids.parse(rawExperimentId).orElseThrow(() -> ApiException.notFound("experiment"));
    String projectFilter = project.explicit() ? project.projectId() : null;
    return jdbi.inTransaction(h -> {
      // With a dataset version the experiment is read first (its project decides which versions it
      // may use); otherwise the insert itself checks the experiment, saving a round trip.
      UUID datasetVersion = null;
      if (request.datasetVersionId().isPresent()) {
        Experiment experiment = experiments.find(h, experimentId).filter(e -> project.admits(e.projectId()))
            .orElseThrow(() -> ApiException.notFound("experiment"));
        datasetVersion = checkDatasetVersion(h, experiment, request.datasetVersionId().get());
      }
      ObjectNode details = Json.object().put("actor", actor);
      Run run = Run.created(runId, request.name().map(RunFields::name).orElse(null), experimentId, datasetVersion,
          request.status().wire(), startedAt, request.endedAt().orElse(null),
          new Run.Git(request.gitRepo().orElse(null), request.gitCommit().orElse(null), request.gitRef().orElse(null)),
          request.params(), request.metrics(), RunFields.tags(request.tags()),
          request.notes().map(RunFields::notes).filter(n -> !n.isEmpty()).orElse(null),
          request.artifactsPrefix().orElse(null), now);
      RunStatusChange first = new RunStatusChange(Ids.newId(), runId, request.status().wire(), now, details);
      Run stored = RunNames.insert(runs, h, run, first, request.status().terminal() ? now : null, projectFilter)
          .orElseThrow(() -> ApiException.notFound("experiment"));
      Run answered = request.status().terminal() && stored.endedAt() == null ? stored.withEndedAt(now) : stored;
      return withStaleness(answered, now);
    });
  }

  private UUID checkDatasetVersion(Handle h, Experiment experiment, String raw) {
    UUID id = Ids.parse(raw)
        .filter(v -> datasetVersions.projectOf(h, v).filter(experiment.projectId()::equals).isPresent())
        .orElseThrow(() -> ApiException.notFound("dataset version"));
    qualityGate.require(h, id);
    return id;
  }

  public Run get(ProjectScope project, String rawRunId) {
    return withStaleness(findVisible(project, rawRunId), clock.now());
  }

  public List<RunStatusChange> states(ProjectScope project, String rawRunId) {
    Run run = findVisible(project, rawRunId);
    return jdbi.withHandle(h -> runs.states(h, run.runId()));
  }

  private Run findVisible(ProjectScope project, String rawRunId) {
    return Ids.parse(rawRunId)
        .flatMap(id -> jdbi.withHandle(h -> runs.find(h, id)))
        .filter(r -> project.admits(r.projectId()))
        .orElseThrow(() -> ApiException.notFound("run"));
  }

  /** Renames a run, edits its notes, sets or removes tags and summary metrics; every part optional. */
  public Run patch(ProjectScope project, String rawRunId, PatchRun request) {
    if (request.name().isEmpty() && request.notes().isEmpty() && request.tags().isEmpty()
        && request.metrics().isEmpty()) {
      throw new ApiException(ErrorCode.INVALID_JSON, "nothing to change: give name, notes, tags or metrics");
    }
    Optional<String> name = request.name().map(RunFields::name);
    Optional<String> notes = request.notes().map(RunFields::notes);
    return jdbi.inTransaction(h -> {
      Run run = lockVisible(h, project, rawRunId);
      String newName = name.orElse(run.name());
      if (!newName.equals(run.name())) {
        runs.nameHolder(h, run.experimentId(), newName).ifPresent(holder -> {
          throw RunNames.taken(newName, holder);
        });
      }
      var curation = new RunStore.Curation(newName, notes.orElse(run.notes()),
          request.tags().map(t -> RunFields.mergeTags(run.tags(), t, true)).orElse(run.tags()),
          request.metrics().map(m -> RunFields.mergeMetrics(run.metrics(), m)).orElse(run.metrics()));
      runs.updateCuration(h, run.runId(), curation);
      return withStaleness(runs.find(h, run.runId()).orElseThrow(), clock.now());
    });
  }

  /** Adds params to a run; a param already set keeps its value (an equal one is accepted, another is 409). */
  public Run addParams(ProjectScope project, String rawRunId, ObjectNode added) {
    return jdbi.inTransaction(h -> {
      Run run = lockVisible(h, project, rawRunId);
      ObjectNode merged = RunFields.addParams(run.params(), added);
      if (!merged.equals(run.params())) {
        runs.updateParams(h, run.runId(), merged);
      }
      return withStaleness(runs.find(h, run.runId()).orElseThrow(), clock.now());
    });
  }

  private Run lockVisible(Handle h, ProjectScope project, String rawRunId) {
    return Ids.parse(rawRunId).flatMap(id -> runs.lock(h, id))
        .filter(r -> project.admits(r.projectId()))
        .orElseThrow(() -> ApiException.notFound("run"));
  }

  /** Sets {@code stale}, the one field derived at read time (a running run not seen for a while). */
  private Run withStaleness(Run run, Instant now) {
    return withStaleness(run, now, staleAfter);
  }

  static Run withStaleness(Run run, Instant now, Duration staleAfter) {
    // A run is "seen" at creation at the latest, even when it was created with an old started_at.
    Instant seen = run.lastSeenAt() != null ? run.lastSeenAt() : run.createdAt();
    return run.withStale(RunStatus.RUNNING.wire().equals(run.status()) && seen.plus(staleAfter).isBefore(now));
  }
}
