package io.animus.datapilot.execution;

import io.animus.datapilot.common.Clock;
import io.animus.datapilot.experiments.RunStatus;
import io.animus.datapilot.kernel.ApiException;
import io.animus.datapilot.kernel.ErrorCode;
import io.animus.datapilot.experiments.RunStatusService;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hands a recorded execution to its executor once the request's transaction committed (docs/protocol.md
 * §8.2 last step) and records the outcome: where the job is and the run {@code running}, or the run
 * {@code failed} with {@code submit_failed}.
 */
public final class JobSubmission {
  private static final Logger LOG = LoggerFactory.getLogger(JobSubmission.class);
  private final Jdbi jdbi;
  private final ExecutionStore store;
  private final Executor backend;
  private final RunGateway runs;
  private final RunStatusService lifecycle;
  private final Clock clock;

  public JobSubmission(Jdbi jdbi, ExecutionStore store, Executor backend, RunGateway runs,
                       RunStatusService lifecycle, Clock clock) {
    this.jdbi = jdbi;
    this.store = store;
    this.backend = backend;
    this.runs = runs;
    this.lifecycle = lifecycle;
    this.clock = clock;
  }

  ExecutionService.Executed submit(Execution execution, Executor.Job job) {
    Executor.Submitted submitted;
    try {
      submitted = backend.submit(job);
    } catch (Executor.SubmitException e) {
      LOG.warn("run {}: submit failed: {}", execution.runId(), e.getMessage());
      failed(execution);
      throw new ApiException(ErrorCode.TRAINING_SUBMIT_FAILED, "the training job could not be started",
          Map.of("run_id", execution.runId().toString()));
    }
    try {
      jdbi.useTransaction(h -> store.markSubmitted(h, execution.executionId(), submitted.processId(),
          submitted.jobName(), submitted.instanceId(), clock.now()));
    } catch (RuntimeException e) {
      backend.stop(execution);
      throw e;
    }
    return new ExecutionService.Executed(execution.runId(), execution.executionId(), running(execution, submitted),
        execution.datapilotUrl());
  }

  private void failed(Execution execution) {
    jdbi.useTransaction(h -> {
      store.markEnded(h, execution.executionId(), clock.now(), null, "submit_failed");
      lifecycle.move(h, execution.runId(), ExecutionService.SYSTEM, RunStatus.FAILED, Optional.empty(),
          Map.of("reason", "submit_failed"), Optional.of("submit_failed"));
    });
  }

  /** Moves the run to {@code running}; the status it has when that is no longer possible. */
  private String running(Execution execution, Executor.Submitted submitted) {
    try {
      Map<String, Object> details = new LinkedHashMap<>();
      if (submitted.processId() != null) {
        details.put("process_id", submitted.processId());
      }
      jdbi.useTransaction(h -> lifecycle.move(h, execution.runId(), ExecutionService.SYSTEM, RunStatus.RUNNING,
          Optional.empty(), details));
      return RunStatus.RUNNING.wire();
    } catch (RuntimeException e) {
      // The job may already have ended (the reconciler got there first), or the write failed.
      return jdbi.withHandle(h -> runs.currentStatus(h, execution.runId())).orElse(RunStatus.PENDING.wire());
    }
  }
}
