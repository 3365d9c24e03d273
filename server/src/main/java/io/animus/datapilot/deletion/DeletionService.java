package io.animus.datapilot.deletion;

import io.animus.datapilot.common.Clock;
import io.animus.datapilot.common.ProjectScope;
import io.animus.datapilot.datasets.DatasetRemovalService;
import io.animus.datapilot.execution.ExecutionService;
import io.animus.datapilot.experiments.RunRemovalService;
import io.animus.datapilot.kernel.ApiException;
import io.animus.datapilot.kernel.Ids;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Function;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

/**
 * DELETE of runs, experiments, datasets and dataset versions (docs/protocol.md §3.6): the target's
 * tombstone and a pending deletion commit in one transaction, then the {@link Sweeper} removes the rest.
 */
public final class DeletionService {
  private final Jdbi jdbi;
  private final DeletionStore store;
  private final RunRemovalService runs;
  private final DatasetRemovalService datasets;
  private final ExecutionService execution;
  private final Clock clock;
  private Runnable wake = () -> { };

  public DeletionService(Jdbi jdbi, DeletionStore store, RunRemovalService runs, DatasetRemovalService datasets,
                         ExecutionService execution, Clock clock) {
    this.jdbi = jdbi;
    this.store = store;
    this.runs = runs;
    this.datasets = datasets;
    this.execution = execution;
    this.clock = clock;
  }

  /** What the sweeper does right after a new deletion. */
  void onRequested(Runnable wake) {
    this.wake = wake;
  }

  public Deletion deleteRun(ProjectScope project, String rawId, String actor) {
    cancelQuietly(project, List.of(rawId), actor);
    return request("run", actor, h -> runs.markRunDeleted(h, project, rawId)
        .map(t -> new Target(t.targetId(), t.projectId())));
  }

  public Deletion deleteExperiment(ProjectScope project, String rawId, String actor) {
    Ids.parse(rawId).ifPresent(id -> {
      try {
        cancelQuietly(project, runs.liveRuns(project, rawId).stream().map(UUID::toString).toList(), actor);
      } catch (ApiException e) {
        // not found: answered by the tombstone below
      }
    });
    return request("experiment", actor, h -> runs.markExperimentDeleted(h, project, rawId)
        .map(t -> new Target(t.targetId(), t.projectId())));
  }

  public Deletion deleteDataset(ProjectScope project, String rawId, boolean force, String actor) {
    return request("dataset", actor, h -> datasets.markDatasetDeleted(h, project, rawId, force)
        .map(t -> new Target(t.targetId(), t.projectId())));
  }

  public Deletion deleteVersion(ProjectScope project, String rawId, boolean force, String actor) {
    return request("dataset_version", actor, h -> datasets.markVersionDeleted(h, project, rawId, force)
        .map(t -> new Target(t.targetId(), t.projectId())));
  }

  public Deletion get(ProjectScope project, String rawId) {
    return Ids.parse(rawId).flatMap(id -> jdbi.withHandle(h -> store.find(h, id)))
        .filter(d -> project.admits(d.projectId()))
        .orElseThrow(() -> ApiException.notFound("deletion"));
  }

  /** The answer's body: {@code deletion_id, kind, target_id, state, requested_at, done_at?}. */
  public static Map<String, Object> view(Deletion d) {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("deletion_id", d.deletionId().toString());
    out.put("kind", d.kind());
    out.put("target_id", d.targetId().toString());
    out.put("state", d.state());
    out.put("requested_at", d.requestedAt().toString());
    if (d.doneAt() != null) {
      out.put("done_at", d.doneAt().toString());
    }
    return out;
  }

  private record Target(UUID id, String projectId) {}

  private Deletion request(String kind, String actor, Function<Handle, Optional<Target>> tombstone) {
    Deletion deletion = jdbi.inTransaction(h -> {
      Target target = tombstone.apply(h).orElseThrow(() -> ApiException.notFound(kind.replace('_', ' ')));
      Deletion d = new Deletion(Ids.newId(), kind, target.id(), target.projectId(), "pending", clock.now(), actor,
          null);
      store.insert(h, d);
      return d;
    });
    wake.run();
    return deletion;
  }

  /** Cancels live runs' executions before they are deleted (docs/protocol.md §8.5); a refusal is no obstacle. */
  private void cancelQuietly(ProjectScope project, List<String> rawRunIds, String actor) {
    for (String raw : rawRunIds) {
      try {
        String status = runs.statusOf(project, raw);
        if (status.equals("pending") || status.equals("running")) {
          execution.cancel(project, raw, actor);
        }
      } catch (ApiException e) {
        // missing (404 below), or ended meanwhile
      }
    }
  }
}
