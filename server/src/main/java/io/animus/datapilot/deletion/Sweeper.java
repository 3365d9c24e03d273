package io.animus.datapilot.deletion;

import io.animus.datapilot.artifacts.ArtifactRemoval;
import io.animus.datapilot.audit.AuditLog;
import io.animus.datapilot.audit.AuditStore;
import io.animus.datapilot.ci.CiService;
import io.animus.datapilot.common.Clock;
import io.animus.datapilot.common.ProjectScope;
import io.animus.datapilot.datasets.DatasetRemovalService;
import io.animus.datapilot.execution.ExecutionService;
import io.animus.datapilot.experiments.RunRemovalService;
import io.animus.datapilot.kernel.ApiException;
import io.animus.datapilot.storage.AdvisoryLock;
import io.animus.datapilot.telemetry.EventService;
import io.animus.datapilot.telemetry.MetricService;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Carries out pending deletions (docs/protocol.md §3.6) on one replica at a time (an advisory lock),
 * every few seconds and right after a new one. A run goes blobs first, then rows: execution record,
 * artifacts, points (on the points database), events, CI contexts, the run; an experiment all its runs
 * then itself; a dataset its versions' blobs and rows then itself. Every step is safe to repeat, so a
 * crash anywhere only means the next pass does it again; the deletion is marked done last. Each pass
 * also applies retention ({@code DATAPILOT_RETENTION_ARCHIVED_DAYS}).
 */
public final class Sweeper implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Sweeper.class);
  /** The advisory-lock key of the sweeper ("dpsweepr"). */
  static final long LOCK_KEY = 0x6470737765657072L;
  static final String RETENTION_SUBJECT = "system:retention";
  private final Jdbi jdbi;
  private final DeletionStore store;
  private final DeletionService deletions;
  private final Steps steps;
  private final AuditLog audit;
  private final Clock clock;
  private final int retentionDays;
  private final Duration stepPause;
  private final AdvisoryLock lock;
  private final ScheduledExecutorService timer;

  /** The features' purge steps. */
  public record Steps(RunRemovalService runs, DatasetRemovalService datasets, ArtifactRemoval artifacts,
                      MetricService metrics, EventService events, CiService ci, ExecutionService execution) {}

  /** {@code stepPause} waits between steps (zero in production; crash tests make the sweep observable). */
  public Sweeper(Jdbi jdbi, DeletionStore store, DeletionService deletions, Steps steps, AuditLog audit, Clock clock,
                 int retentionDays, Duration stepPause) {
    this.jdbi = jdbi;
    this.store = store;
    this.deletions = deletions;
    this.steps = steps;
    this.audit = audit;
    this.clock = clock;
    this.retentionDays = retentionDays;
    this.stepPause = stepPause;
    this.lock = new AdvisoryLock(jdbi, LOCK_KEY);
    this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "datapilot-sweeper");
      t.setDaemon(true);
      return t;
    });
    deletions.onRequested(this::wake);
  }

  public void start(long periodSeconds) {
    timer.scheduleWithFixedDelay(this::passQuietly, 0, periodSeconds, TimeUnit.SECONDS);
  }

  /** Runs a pass soon (after a new deletion). */
  public void wake() {
    try {
      timer.execute(this::passQuietly);
    } catch (java.util.concurrent.RejectedExecutionException e) {
      // closing
    }
  }

  private void passQuietly() {
    try {
      lock.runExclusively(this::pass);
    } catch (RuntimeException e) {
      LOG.warn("deletion sweep failed; the next pass retries: {}", e.getMessage());
    }
  }

  /** Applies retention, then carries out every pending deletion. */
  void pass() {
    if (retentionDays > 0) {
      retention(clock.now().minus(Duration.ofDays(retentionDays)));
    }
    List<Deletion> pending;
    while (!(pending = jdbi.withHandle(h -> store.pending(h, 20))).isEmpty()) {
      for (Deletion d : pending) {
        sweep(d);
        jdbi.useTransaction(h -> store.markDone(h, d.deletionId(), clock.now()));
      }
    }
  }

  private void sweep(Deletion d) {
    switch (d.kind()) {
      case "run" -> purgeRun(d.targetId());
      case "experiment" -> {
        for (UUID run : steps.runs().runsOf(d.targetId())) {
          purgeRun(run);
        }
        steps.runs().purgeExperiment(d.targetId());
      }
      case "dataset" -> steps.datasets().purgeDataset(d.targetId(), this::pause);
      case "dataset_version" -> steps.datasets().purgeVersion(d.targetId(), this::pause);
      default -> throw new IllegalStateException("unknown deletion kind " + d.kind());
    }
  }

  private void purgeRun(UUID runId) {
    steps.execution().purgeRun(runId);
    pause();
    steps.artifacts().purgeRun(runId, this::pause);
    pause();
    steps.metrics().purgeRun(runId);
    pause();
    steps.events().purgeRun(runId);
    pause();
    steps.ci().purgeRun(runId);
    pause();
    steps.runs().purgeRun(runId);
  }

  private void pause() {
    if (!stepPause.isZero()) {
      try {
        Thread.sleep(stepPause.toMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("sweeper interrupted", e);
      }
    }
  }

  private void retention(Instant cutoff) {
    ProjectScope any = new ProjectScope(ProjectScope.DEFAULT, false);
    RunRemovalService.Archived archived = steps.runs().archivedBefore(cutoff);
    for (UUID id : archived.experimentIds()) {
      retain("experiment", id, () -> deletions.deleteExperiment(any, id.toString(), RETENTION_SUBJECT));
    }
    for (UUID id : archived.runIds()) {
      retain("run", id, () -> deletions.deleteRun(any, id.toString(), RETENTION_SUBJECT));
    }
    for (UUID id : steps.datasets().archivedBefore(cutoff)) {
      retain("dataset", id, () -> deletions.deleteDataset(any, id.toString(), true, RETENTION_SUBJECT));
    }
  }

  private void retain(String kind, UUID id, java.util.function.Supplier<Deletion> delete) {
    try {
      Deletion d = delete.get();
      audit.append(new AuditStore.Entry("retention-" + d.deletionId(), RETENTION_SUBJECT, "DELETE",
          kind + "/" + id, 202, "accepted", d.projectId(), Map.of("deletion_id", d.deletionId().toString(),
              "kind", kind, "target_id", id.toString(), "retention_days", retentionDays)));
    } catch (ApiException e) {
      LOG.debug("retention skipped {} {}: {}", kind, id, e.getMessage());
    }
  }

  @Override
  public void close() {
    timer.shutdownNow();
    try {
      timer.awaitTermination(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
