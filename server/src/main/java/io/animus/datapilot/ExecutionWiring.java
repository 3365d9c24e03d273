package io.animus.datapilot;

import io.animus.datapilot.artifacts.ArtifactService;
import io.animus.datapilot.auth.RunTokens;
import io.animus.datapilot.ci.CiStore;
import io.animus.datapilot.common.Clock;
import io.animus.datapilot.config.Config;
import io.animus.datapilot.datasets.QualityGate;
import io.animus.datapilot.execution.ExecuteChecks;
import io.animus.datapilot.execution.ExecutionLaunch;
import io.animus.datapilot.execution.ExecutionReads;
import io.animus.datapilot.execution.ExecutionReconciler;
import io.animus.datapilot.execution.ExecutionService;
import io.animus.datapilot.execution.ExecutionStore;
import io.animus.datapilot.execution.Executor;
import io.animus.datapilot.execution.ExecutorFactory;
import io.animus.datapilot.execution.JobEnvironment;
import io.animus.datapilot.execution.JobLogSink;
import io.animus.datapilot.execution.JobLogs;
import io.animus.datapilot.execution.JobSubmission;
import io.animus.datapilot.execution.JobTokens;
import io.animus.datapilot.execution.RegisteredImages;
import io.animus.datapilot.execution.RunCancel;
import io.animus.datapilot.execution.RunGateway;
import io.animus.datapilot.experiments.Experiment;
import io.animus.datapilot.experiments.ExperimentStore;
import io.animus.datapilot.experiments.Run;
import io.animus.datapilot.experiments.RunStatus;
import io.animus.datapilot.experiments.RunNames;
import io.animus.datapilot.experiments.RunStatusChange;
import io.animus.datapilot.experiments.RunStore;
import io.animus.datapilot.kernel.Ids;
import io.animus.datapilot.kernel.Json;
import io.animus.datapilot.storage.BlobStore;
import io.animus.datapilot.telemetry.EventService;
import io.animus.datapilot.experiments.RunStatusService;
import io.animus.datapilot.experiments.RunLookup;
import io.animus.datapilot.datasets.DatasetVersionLookup;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Supplier;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

/**
 * {@link App}'s wiring of training execution, by hand: the executor {@code DATAPILOT_EXECUTOR}
 * names, the pieces of the use cases, and the narrow interfaces execution declares
 * ({@link RunGateway}, {@link RegisteredImages}, {@link JobTokens}, {@link JobLogSink}) implemented
 * over the other features' stores, so that execution itself holds none of them.
 */
final class ExecutionWiring {
  private ExecutionWiring() {}

  /** What App keeps: the service its routes use, the executor and the reconciler it starts and closes. */
  record Wired(ExecutionService service, Optional<Executor> executor, Optional<ExecutionReconciler> reconciler) {}

  static Wired wire(Config config, Jdbi jdbi, Clock clock, BlobStore blobs, RunStore runStore,
                    ExperimentStore experimentStore, QualityGate qualityGate, DatasetVersionLookup datasetVersions,
                    ArtifactService artifacts, EventService events, RunStatusService lifecycle, RunLookup lookup,
                    RunTokens runTokens, Supplier<String> url) {
    Config.Execution execution = config.execution();
    Map<String, String> serverEnv = System.getenv();
    Optional<Executor> executor = ExecutorFactory.create(config, serverEnv);
    ExecutionStore store = new ExecutionStore();
    RunGateway runs = runs(runStore, experimentStore, datasetVersions);
    CiStore ci = new CiStore();
    RegisteredImages images = ci::findImage;
    JobEnvironment environment = new JobEnvironment(ExecutorFactory.inheritedEnv(config, serverEnv), url,
        tokens(runTokens, config.trust().runTokenMaxTtl()));
    Optional<ExecutionLaunch> launch = executor.map(e -> new ExecutionLaunch(jdbi, store, e,
        new ExecuteChecks(e, execution.localCommand(), runs, qualityGate, images), runs, events, environment,
        new JobSubmission(jdbi, store, e, runs, lifecycle, clock), clock));
    ExecutionService service = new ExecutionService(launch,
        new RunCancel(jdbi, store, runs, lifecycle, lookup, executor), new ExecutionReads(jdbi, store, lookup, images));
    JobLogs logs = new JobLogs(jdbi, blobs, jobLogs(artifacts), events, store, clock,
        JobLogs.rulesFor(config));
    Optional<ExecutionReconciler> reconciler = executor.map(e -> new ExecutionReconciler(jdbi, store, runs,
        lifecycle, e, logs, execution.jobStartTimeout(), execution.syncInterval(), clock));
    return new Wired(service, executor, reconciler);
  }

  /** Runs and their experiments, through the experiments feature's stores. */
  static RunGateway runs(RunStore runStore, ExperimentStore experiments, DatasetVersionLookup datasetVersions) {
    return new RunGateway() {
      @Override
      public Optional<String> experimentProject(Handle h, UUID experimentId) {
        return experiments.find(h, experimentId).map(Experiment::projectId);
      }

      @Override
      public Optional<String> datasetVersionProject(Handle h, UUID versionId) {
        return datasetVersions.projectOf(h, versionId);
      }

      @Override
      public boolean insertPending(Handle h, PendingRun p) {
        String pending = RunStatus.PENDING.wire();
        Run run = Run.created(p.runId(), null, p.experimentId(), p.datasetVersionId(), pending, p.at(), null,
            new Run.Git(p.gitRepo(), p.gitCommit(), p.gitRef()), p.params(), Json.object(), Json.object(), null,
            "experiments/" + p.experimentId() + "/runs/" + p.runId(), p.at());
        return RunNames.insert(runStore, h, run,
            new RunStatusChange(Ids.newId(), p.runId(), pending, p.at(), p.details()), null, null).isPresent();
      }

      @Override
      public Optional<String> currentStatus(Handle h, UUID runId) {
        return runStore.currentStatus(h, runId);
      }
    };
  }

  /** Run tokens (auth) valid for the configured lifetime. */
  static JobTokens tokens(RunTokens runTokens, Duration ttl) {
    return (UUID runId, UUID versionId, Instant at) -> runTokens.issue(new RunTokens.Claims(runId.toString(),
        versionId.toString(), at.getEpochSecond(), at.getEpochSecond() + ttl.toSeconds()));
  }

  /** Job logs as artifacts of their run, through the artifacts feature's Service and key rule. */
  static JobLogSink jobLogs(ArtifactService artifacts) {
    return new JobLogSink() {
      @Override
      public Optional<String> objectKey(Handle h, UUID runId, String kind, UUID artifactId, String fileName) {
        return artifacts.newObjectKey(runId, kind, artifactId, fileName);
      }

      @Override
      public void insert(Handle h, io.animus.datapilot.artifacts.Artifact artifact) {
        artifacts.record(h, artifact);
      }
    };
  }
}
