package io.animus.datapilot.execution;

import io.animus.datapilot.common.Clock;
import io.animus.datapilot.experiments.RunStatus;
import io.animus.datapilot.kernel.ApiException;
import io.animus.datapilot.experiments.RunStatusService;
import io.animus.datapilot.storage.AdvisoryLock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Follows every execution whose job has not ended to a terminal state (docs/protocol.md §8.5). One
 * pass per interval, on one replica at a time: a pass runs only while its session holds a
 * PostgreSQL advisory lock.
 */
public final class ExecutionReconciler implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ExecutionReconciler.class);
  /** The advisory lock key: the ASCII of "dpexec" as a number. */
  static final long LOCK_KEY = 0x647065786563L;
  private final Jdbi jdbi;
  private final AdvisoryLock lock;
  private final ExecutionStore store;
  private final RunGateway runs;
  private final RunStatusService lifecycle;
  private final Executor executor;
  private final JobLogs logs;
  private final Duration startTimeout;
  private final Duration interval;
  private final Clock clock;
  private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "execution-reconciler");
    t.setDaemon(true);
    return t;
  });

  public ExecutionReconciler(Jdbi jdbi, ExecutionStore store, RunGateway runs, RunStatusService lifecycle,
                             Executor executor, JobLogs logs, Duration startTimeout, Duration interval, Clock clock) {
    this.jdbi = jdbi;
    this.lock = new AdvisoryLock(jdbi, LOCK_KEY);
    this.store = store;
    this.runs = runs;
    this.lifecycle = lifecycle;
    this.executor = executor;
    this.logs = logs;
    this.startTimeout = startTimeout;
    this.interval = interval;
    this.clock = clock;
  }

  public void start() {
    long millis = Math.max(50, interval.toMillis());
    scheduler.scheduleWithFixedDelay(this::passQuietly, millis, millis, TimeUnit.MILLISECONDS);
  }

  private void passQuietly() {
    try {
      pass();
    } catch (RuntimeException e) {
      LOG.warn("execution reconciliation failed: {}", e.toString());
    }
  }

  /** One pass; false when another replica holds the lock. */
  public boolean pass() {
    return lock.runExclusively(() -> {
      List<Execution> open = jdbi.withHandle(store::listUnfinished);
      for (Execution e : open) {
        if (e.executor() != executor.kind()) {
          continue;
        }
        try {
          reconcile(e);
        } catch (RuntimeException ex) {
          LOG.warn("run {}: reconciliation failed: {}", e.runId(), ex.toString());
        }
      }
    });
  }

  private void reconcile(Execution e) {
    if (e.endedAt() != null) {
      if (e.logCapturedAt() == null) {
        logs.capture(e, executor.log(e));
      }
      executor.forget(e);
      return;
    }
    Instant now = clock.now();
    if (e.submittedAt() == null) {
      if (e.createdAt().plus(startTimeout).isBefore(now)) {
        end(e, null, "start_timeout");
      }
      return;
    }
    Executor.JobState state = executor.inspect(e);
    if (state instanceof Executor.Running) {
      String current = jdbi.withHandle(h -> runs.currentStatus(h, e.runId())).orElse("");
      if (current.equals(RunStatus.PENDING.wire())) {
        try {
          jdbi.useTransaction(h -> lifecycle.move(h, e.runId(), ExecutionService.SYSTEM, RunStatus.RUNNING,
              Optional.empty(), Map.of()));
        } catch (ApiException ignored) {
          // another writer moved it first
        }
      }
    } else if (state instanceof Executor.Exited exited) {
      end(e, exited.exitCode(), exited.exitCode() == 0 ? null : "exit_code");
    } else if (state instanceof Executor.Missing missing) {
      end(e, null, missing.reason());
    } else if (state instanceof Executor.StartFailed failed) {
      executor.stop(e);
      end(e, null, "job_start_failed", failed.reason());
    } else if (state instanceof Executor.Waiting waiting && e.submittedAt().plus(startTimeout).isBefore(now)) {
      executor.stop(e);
      end(e, null, "start_timeout", waiting.reason());
    }
  }

  /** Keeps the log, then records the end and, unless the run is already terminal, its final status. */
  private void end(Execution e, Integer exitCode, String reason) {
    end(e, exitCode, reason, null);
  }

  /**
   * {@code reason} is the protocol's code (§8.5: {@code exit_code}, {@code job_start_failed},
   * {@code start_timeout}, {@code job_missing}, ...); {@code message}, when known, is the backend's
   * readable explanation (a pod's waiting message, a pull error) and goes into the state's details.
   */
  private void end(Execution e, Integer exitCode, String reason, String message) {
    if (e.logCapturedAt() == null) {
      logs.capture(e, executor.log(e));
    }
    Instant now = clock.now();
    jdbi.useTransaction(h -> {
      if (!store.markEnded(h, e.executionId(), now, exitCode, reason)) {
        return;
      }
      String current = runs.currentStatus(h, e.runId()).orElse("");
      boolean terminal = RunStatus.find(current).map(RunStatus::terminal).orElse(true);
      if (terminal) {
        return;
      }
      if (reason == null) {
        lifecycle.move(h, e.runId(), ExecutionService.SYSTEM, RunStatus.SUCCEEDED, Optional.empty(),
            Map.of("exit_code", exitCode));
      } else {
        Map<String, Object> details = exitCode == null ? Map.of("reason", reason)
            : Map.of("reason", reason, "exit_code", exitCode);
        Optional<String> text = Optional.ofNullable(message).filter(m -> !m.isBlank());
        lifecycle.move(h, e.runId(), ExecutionService.SYSTEM, RunStatus.FAILED, text, details,
            Optional.of(exitCode == null ? reason : "exit_code " + exitCode));
      }
    });
    executor.forget(e);
  }

  @Override
  public void close() {
    scheduler.shutdownNow();
    try {
      scheduler.awaitTermination(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
