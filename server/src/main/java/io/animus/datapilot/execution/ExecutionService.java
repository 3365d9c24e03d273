package io.animus.datapilot.execution;

import io.animus.datapilot.common.ProjectScope;
import io.animus.datapilot.kernel.ApiException;
import io.animus.datapilot.kernel.ErrorCode;
import java.util.Optional;
import java.util.UUID;

/**
 * Training execution's use cases (docs/protocol.md §8), each in its own piece: {@link ExecutionLaunch}
 * ({@code runs:execute}; absent while execution is disabled), {@link RunCancel} and
 * {@link ExecutionReads}. This class only routes to them.
 */
public final class ExecutionService {
  /** The actor of the states and events the server writes itself. */
  static final String SYSTEM = "system";
  private final Optional<ExecutionLaunch> launch;
  private final RunCancel cancel;
  private final ExecutionReads reads;

  public ExecutionService(Optional<ExecutionLaunch> launch, RunCancel cancel, ExecutionReads reads) {
    this.launch = launch;
    this.cancel = cancel;
    this.reads = reads;
  }

  /** True when a request must name its command: the local executor without DATAPILOT_LOCAL_COMMAND. */
  public boolean commandRequired() {
    return launch.map(ExecutionLaunch::commandRequired).orElse(false);
  }

  public boolean enabled() {
    return launch.isPresent();
  }

  /** The 201 answer of {@code runs:execute}. */
  public record Executed(UUID runId, UUID executionId, String status, String datapilotUrl) {}

  public Executed execute(ProjectScope project, String actor, ExecuteRequest request) {
    return launch.orElseThrow(ExecutionService::disabled).execute(project, actor, request);
  }

  static ApiException disabled() {
    return new ApiException(ErrorCode.TRAINING_EXECUTOR_DISABLED,
        "training execution is disabled; set DATAPILOT_EXECUTOR to enable it");
  }

  /** The 202 answer of cancel. */
  public record Canceled(UUID runId, String status, UUID executionId) {}

  public Canceled cancel(ProjectScope project, String rawRunId, String actor) {
    return cancel.cancel(project, rawRunId, actor);
  }

  public Execution.View execution(ProjectScope project, String rawRunId) {
    return reads.execution(project, rawRunId);
  }

  public Execution.BuildContext buildContext(ProjectScope project, String rawRunId) {
    return reads.buildContext(project, rawRunId);
  }

  /** Removes a deleted run's execution record (docs/protocol.md §3.6); idempotent. */
  public void purgeRun(java.util.UUID runId) {
    cancel.purge(runId);
  }
}
