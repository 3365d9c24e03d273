package io.animus.datapilot.execution;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.animus.datapilot.common.Clock;
import io.animus.datapilot.common.Hashing;
import io.animus.datapilot.common.ProjectScope;
import io.animus.datapilot.experiments.RunStatus;
import io.animus.datapilot.kernel.ApiException;
import io.animus.datapilot.kernel.Ids;
import io.animus.datapilot.kernel.Json;
import io.animus.datapilot.telemetry.EventService;
import io.animus.datapilot.telemetry.RunEvent;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

/**
 * {@code runs:execute} (docs/protocol.md §8.2): the checks, then one transaction for the run, its
 * execution, its first state and event and its token, then the submission to the executor.
 */
public final class ExecutionLaunch {
  private final Jdbi jdbi;
  private final ExecutionStore store;
  private final Executor backend;
  private final ExecuteChecks checks;
  private final RunGateway runs;
  private final EventService events;
  private final JobEnvironment environment;
  private final JobSubmission submission;
  private final Clock clock;

  public ExecutionLaunch(Jdbi jdbi, ExecutionStore store, Executor backend, ExecuteChecks checks, RunGateway runs,
                         EventService events, JobEnvironment environment, JobSubmission submission, Clock clock) {
    this.jdbi = jdbi;
    this.store = store;
    this.backend = backend;
    this.checks = checks;
    this.runs = runs;
    this.events = events;
    this.environment = environment;
    this.submission = submission;
    this.clock = clock;
  }

  boolean commandRequired() {
    return checks.commandRequired();
  }

  private record Prepared(Execution execution, Executor.Job job) {}

  ExecutionService.Executed execute(ProjectScope project, String actor, ExecuteRequest request) {
    ExecuteChecks.Precheck pre = checks.precheck(request);
    Prepared prepared = jdbi.inTransaction(h -> prepare(h, actor, request, checks.check(h, project, request, pre)));
    return submission.submit(prepared.execution(), prepared.job());
  }

  private Prepared prepare(Handle h, String actor, ExecuteRequest request, ExecuteChecks.Checked checked) {
    Instant now = clock.now();
    UUID runId = Ids.newId();
    UUID versionId = checked.versionId();
    ObjectNode details = Json.object().put("executor", backend.kind().wire()).put("image_ref", request.imageRef());
    checked.digest().ifPresent(d -> details.put("image_digest", d));
    backend.nameFor(runId).ifPresent(name -> details.put("job_name", name));
    details.put("dataset_version_id", versionId.toString()).put("actor", actor);
    if (!runs.insertPending(h, new RunGateway.PendingRun(runId, checked.experimentId(), versionId, checked.gitRepo(),
        checked.gitCommit(), request.gitRef().orElse(null), request.params(), now, details))) {
      throw ApiException.notFound("experiment");
    }
    JobEnvironment.Granted granted = environment.grant(runId, versionId, now, request.env());
    Execution execution = new Execution(Ids.newId(), runId, backend.kind(), checked.image().ref(),
        checked.digest().orElse(null), checked.command(), request.resources(),
        new ArrayList<>(granted.env().keySet()), null, null, null, granted.datapilotUrl(),
        Hashing.sha256Hex(granted.token()), null, null, null, null, null, now, actor);
    store.insert(h, execution);
    events.insert(h, runId, List.of(new RunEvent.New(now, actor, "info", "run pending",
        Json.object().put("run_status", RunStatus.PENDING.wire()), null)));
    return new Prepared(execution, new Executor.Job(runId, execution.imageRef(), checked.command(), granted.env(),
        execution.resources()));
  }
}
