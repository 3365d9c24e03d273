package io.animus.datapilot.experiments;

import io.animus.datapilot.common.Clock;
import io.animus.datapilot.common.ProjectScope;
import io.animus.datapilot.kernel.ApiException;
import io.animus.datapilot.kernel.Ids;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

/**
 * Archive, restore and delete of runs and experiments (docs/protocol.md §3.6): archiving hides, a
 * delete tombstones (the rows get {@code deleted_at}) and {@link #purgeRun}/{@link #purgeExperiment}
 * remove the rows once everything stored under them is gone.
 */
public final class RunRemovalService {
  private final Jdbi jdbi;
  private final RunStore runs;
  private final ExperimentStore experiments;
  private final RunService runService;
  private final ExperimentService experimentService;
  private final RunLookup lookup;
  private final Clock clock;

  public RunRemovalService(Jdbi jdbi, RunStore runs, ExperimentStore experiments, RunService runService,
                           ExperimentService experimentService, RunLookup lookup, Clock clock) {
    this.jdbi = jdbi;
    this.runs = runs;
    this.experiments = experiments;
    this.runService = runService;
    this.experimentService = experimentService;
    this.lookup = lookup;
    this.clock = clock;
  }

  /** What a delete tombstoned: the target, its project and the runs that went with it. */
  public record Tombstoned(UUID targetId, String projectId, List<UUID> runIds) {}

  /** Archives ({@code archive}) or restores a run; idempotent; the run as {@link RunService#get} shows it. */
  public Run archiveRun(ProjectScope project, String rawRunId, boolean archive) {
    Run run = runService.get(project, rawRunId);
    jdbi.useTransaction(h -> runs.mark(h, archive ? RunStore.Mark.ARCHIVE : RunStore.Mark.RESTORE, run.runId(),
        null, clock.now()));
    return runService.get(project, rawRunId);
  }

  /** Archives or restores an experiment; idempotent. */
  public Experiment archiveExperiment(ProjectScope project, String rawId, boolean archive) {
    Experiment experiment = experimentService.get(project, rawId);
    Instant at = archive ? clock.now() : null;
    if (!jdbi.inTransaction(h -> experiments.setArchived(h, experiment.experimentId(), at))) {
      throw ApiException.notFound("experiment");
    }
    return experimentService.get(project, rawId);
  }

  /** A run's effective status (404 when it is not visible). */
  public String statusOf(ProjectScope project, String rawRunId) {
    return runService.get(project, rawRunId).status();
  }

  /** The live runs of an experiment that may have an execution to cancel before it is deleted. */
  public List<UUID> liveRuns(ProjectScope project, String rawExperimentId) {
    Experiment experiment = experimentService.get(project, rawExperimentId);
    return jdbi.withHandle(h -> runs.removable(h, experiment.experimentId(), true, null));
  }

  /** Tombstones a run in the caller's transaction; empty when it is missing, deleted or in another project. */
  public Optional<Tombstoned> markRunDeleted(Handle h, ProjectScope project, String rawRunId) {
    Optional<Tombstoned> marked = Ids.parse(rawRunId)
        .flatMap(id -> runs.placement(h, id))
        .filter(p -> project.admits(p.projectId()))
        .flatMap(p -> runs.mark(h, RunStore.Mark.DELETE, p.runId(), null, clock.now()).stream().findFirst()
            .map(id -> new Tombstoned(id, p.projectId(), List.of(id))));
    marked.ifPresent(t -> lookup.forget(t.runIds()));
    return marked;
  }

  /** Tombstones an experiment and all its live runs in the caller's transaction. */
  public Optional<Tombstoned> markExperimentDeleted(Handle h, ProjectScope project, String rawId) {
    Instant now = clock.now();
    Optional<Tombstoned> marked = Ids.parse(rawId)
        .flatMap(id -> experiments.find(h, id))
        .filter(e -> project.admits(e.projectId()))
        .filter(e -> experiments.markDeleted(h, e.experimentId(), now))
        .map(e -> new Tombstoned(e.experimentId(), e.projectId(),
            runs.mark(h, RunStore.Mark.DELETE, null, e.experimentId(), now)));
    marked.ifPresent(t -> lookup.forget(t.runIds()));
    return marked;
  }

  /** Every run row of an experiment, deleted or not (the sweeper removes them all). */
  public List<UUID> runsOf(UUID experimentId) {
    return jdbi.withHandle(h -> runs.removable(h, experimentId, false, null));
  }

  /** Runs and experiments archived before the cutoff and not deleted (retention), a bounded batch of each. */
  public Archived archivedBefore(Instant cutoff) {
    return jdbi.withHandle(h -> new Archived(runs.removable(h, null, false, cutoff),
        experiments.archivedBefore(h, cutoff)));
  }

  public record Archived(List<UUID> runIds, List<UUID> experimentIds) {}

  /** Removes a run's own rows (its states, search values and the run); idempotent. */
  public void purgeRun(UUID runId) {
    jdbi.useTransaction(h -> runs.purge(h, runId));
  }

  /** Removes an experiment's row, once its runs are gone; idempotent. */
  public void purgeExperiment(UUID experimentId) {
    jdbi.useTransaction(h -> experiments.purge(h, experimentId));
  }
}
