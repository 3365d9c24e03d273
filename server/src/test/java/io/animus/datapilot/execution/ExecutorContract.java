package io.animus.datapilot.execution;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.animus.datapilot.kernel.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The behaviour every executor must have (docs/protocol.md §8.1, §8.5), run against each one: a job
 * runs and ends with its exit code, its output is kept, a stop ends it, a job that cannot start is
 * refused or reported as such, and a job is (or is not) found again by a new executor instance.
 * A backend without controllers (the Kubernetes mock) is played by its subclass through the hooks.
 */
@Timeout(240)
abstract class ExecutorContract {
  /** Ends on SIGTERM at once (a container's PID 1 ignores signals it has no handler for). */
  static final String LONG_JOB = "trap 'exit 143' TERM; echo started; sleep 300 & wait";
  @TempDir
  Path dataDir;
  private final List<Executor> opened = new ArrayList<>();

  /** A new instance of the executor under test, keeping its files under {@code dataDir}. */
  abstract Executor create(Path dataDir);

  /** The image jobs run ({@code /bin/sh} is in it); the local executor ignores it. */
  abstract String image();

  /** A job this backend cannot start: an unknown program or an image that cannot be pulled. */
  abstract Executor.Job unstartable(UUID runId);

  /** True when {@link #unstartable} is refused by {@code submit}, false when {@code inspect} reports it. */
  abstract boolean refusesUnstartableAtSubmit();

  /** True when a job keeps running after its executor instance is closed (containers, Jobs). */
  abstract boolean jobsOutliveTheExecutor();

  /** True when {@code forget} removes the ended job from the backend (a Kubernetes Job goes with its TTL). */
  abstract boolean forgetRemovesTheJob();

  /** The backend's controllers: the job's container is now running. */
  void started(Execution execution) {}

  /** The backend's controllers: the job wrote {@code output} and exited with {@code exitCode}. */
  void ended(Execution execution, String output, int exitCode) {}

  /** The backend's controllers: the job's image cannot be pulled. */
  void cannotStart(Execution execution) {}

  @AfterEach
  void closeExecutors() {
    opened.forEach(Executor::close);
  }

  Executor open() {
    Executor executor = create(dataDir);
    opened.add(executor);
    return executor;
  }

  Executor.Job job(UUID runId, String script) {
    return new Executor.Job(runId, image(), List.of("/bin/sh", "-c", script), Map.of("MODE", "contract",
        "TOKEN", "contract-token"), Json.object());
  }

  static Execution execution(Executor executor, Executor.Job job, Executor.Submitted submitted) {
    return new Execution(UUID.randomUUID(), job.runId(), executor.kind(), job.imageRef(), null, job.command(),
        job.resources(), List.copyOf(job.env().keySet()), submitted.processId(), submitted.jobName(),
        submitted.instanceId(), "http://localhost:1", "", Instant.now(), null, null, null, null, Instant.now(),
        "contract");
  }

  Execution submit(Executor executor, Executor.Job job) throws Executor.SubmitException {
    Executor.Submitted submitted = executor.submit(job);
    executor.nameFor(job.runId()).ifPresent(name -> assertThat(submitted.jobName()).isEqualTo(name));
    return execution(executor, job, submitted);
  }

  /** Inspects until the job is no longer waiting or running; every state before that is one of those two. */
  static Executor.JobState awaitEnd(Executor executor, Execution execution) throws InterruptedException {
    Executor.JobState state = executor.inspect(execution);
    while (state instanceof Executor.Waiting || state instanceof Executor.Running) {
      Thread.sleep(100);
      state = executor.inspect(execution);
    }
    return state;
  }

  static void awaitRunning(Executor executor, Execution execution) throws InterruptedException {
    Executor.JobState state = executor.inspect(execution);
    while (!(state instanceof Executor.Running)) {
      assertThat(state).isInstanceOf(Executor.Waiting.class);
      Thread.sleep(100);
      state = executor.inspect(execution);
    }
  }

  @Test
  void aJobRunsToItsExitCodeAndItsOutputIsKept() throws Exception {
    Executor executor = open();
    Execution e = submit(executor, job(UUID.randomUUID(), "echo out; echo err >&2; exit 3"));
    started(e);
    ended(e, "out\nerr\n", 3);
    assertThat(awaitEnd(executor, e)).isEqualTo(new Executor.Exited(3));
    Path log = executor.log(e).orElseThrow();
    assertThat(Files.readAllLines(log)).containsExactlyInAnyOrder("out", "err");
    executor.forget(e);
  }

  @Test
  void aJobThatExitsCleanlyEndsWithZero() throws Exception {
    Executor executor = open();
    Execution e = submit(executor, job(UUID.randomUUID(), "echo \"mode=$MODE\""));
    started(e);
    ended(e, "mode=contract\n", 0);
    assertThat(awaitEnd(executor, e)).isEqualTo(new Executor.Exited(0));
    assertThat(Files.readAllLines(executor.log(e).orElseThrow())).containsExactly("mode=contract");
    executor.forget(e);
  }

  @Test
  void stopEndsARunningJob() throws Exception {
    Executor executor = open();
    Execution e = submit(executor, job(UUID.randomUUID(), LONG_JOB));
    started(e);
    awaitRunning(executor, e);
    executor.stop(e);
    Executor.JobState end = awaitEnd(executor, e);
    assertThat(end).isInstanceOfAny(Executor.Exited.class, Executor.Missing.class);
    if (end instanceof Executor.Exited exited) {
      assertThat(exited.exitCode()).isNotZero();
    }
    executor.forget(e);
  }

  @Test
  void aJobThatCannotStartIsRefusedOrReportedAsStartFailed() throws Exception {
    Executor executor = open();
    Executor.Job job = unstartable(UUID.randomUUID());
    if (refusesUnstartableAtSubmit()) {
      assertThatThrownBy(() -> executor.submit(job)).isInstanceOf(Executor.SubmitException.class)
          .hasMessageContaining(job.command() == null ? job.imageRef() : job.command().get(0));
      return;
    }
    Execution e = submit(executor, job);
    cannotStart(e);
    Executor.JobState end = awaitEnd(executor, e);
    assertThat(end).isInstanceOf(Executor.StartFailed.class);
    assertThat(((Executor.StartFailed) end).reason()).isNotBlank();
    executor.stop(e);
    executor.forget(e);
  }

  @Test
  void forgetDropsAnEndedJobOrLeavesItEnded() throws Exception {
    Executor executor = open();
    Execution e = submit(executor, job(UUID.randomUUID(), "exit 0"));
    started(e);
    ended(e, "", 0);
    assertThat(awaitEnd(executor, e)).isEqualTo(new Executor.Exited(0));
    executor.forget(e);
    Executor.JobState after = executor.inspect(e);
    if (forgetRemovesTheJob()) {
      while (!(after instanceof Executor.Missing)) {
        assertThat(after).isInstanceOf(Executor.Exited.class); // while the backend removes it
        Thread.sleep(100);
        after = executor.inspect(e);
      }
      assertThat(after).isEqualTo(new Executor.Missing("job_missing"));
    } else {
      assertThat(after).isEqualTo(new Executor.Exited(0));
    }
  }

  @Test
  void aNewExecutorInstanceFindsTheJobAgainOrReportsTheRestart() throws Exception {
    Executor first = open();
    Execution e = submit(first, job(UUID.randomUUID(), LONG_JOB));
    started(e);
    awaitRunning(first, e);
    first.close();
    opened.remove(first);
    Executor second = open();
    if (jobsOutliveTheExecutor()) {
      assertThat(second.inspect(e)).isEqualTo(new Executor.Running());
      second.stop(e);
      assertThat(awaitEnd(second, e)).isInstanceOfAny(Executor.Exited.class, Executor.Missing.class);
      second.forget(e);
    } else {
      assertThat(second.inspect(e)).isEqualTo(new Executor.Missing("executor_restarted"));
    }
  }
}
