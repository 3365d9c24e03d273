package io.animus.datapilot.execution;

import io.animus.datapilot.common.ProjectScope;
import io.animus.datapilot.experiments.RunStatus;
import io.animus.datapilot.kernel.ApiException;
import io.animus.datapilot.experiments.RunStatusService;
import io.animus.datapilot.experiments.RunLookup;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.jdbi.v3.core.Jdbi;

/**
 * Cancel (docs/protocol.md §8.5): the run becomes {@code canceled} at once; a job that has not ended is
 * stopped by its executor when the configured one is of the kind that started it. The reconciler
 * then records the job's end and keeps its log.
 */
public final class RunCancel {
  private final Jdbi jdbi;
  private final ExecutionStore store;
  private final RunGateway runs;
  private final RunStatusService lifecycle;
  private final RunLookup lookup;
  private final Optional<Executor> executor;

  public RunCancel(Jdbi jdbi, ExecutionStore store, RunGateway runs, RunStatusService lifecycle, RunLookup lookup,
                   Optional<Executor> executor) {
    this.jdbi = jdbi;
    this.store = store;
    this.runs = runs;
    this.lifecycle = lifecycle;
    this.lookup = lookup;
    this.executor = executor;
  }

  ExecutionService.Canceled cancel(ProjectScope project, String rawRunId, String actor) {
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
        .ifPresent(e -> executor.filter(x -> x.kind() == e.executor()).ifPresent(x -> x.stop(e)));
    return new ExecutionService.Canceled(runId, RunStatus.CANCELED.wire(),
        execution.map(Execution::executionId).orElse(null));
  }

  /** Removes a deleted run's execution record; idempotent. */
  void purge(UUID runId) {
    jdbi.useTransaction(h -> store.purgeRun(h, runId));
  }
}
