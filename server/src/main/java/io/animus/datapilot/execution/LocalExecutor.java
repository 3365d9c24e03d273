package io.animus.datapilot.execution;

import io.animus.datapilot.config.ExecutorKind;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs each job as a host process group (docs/protocol.md §8.1 {@code local}): {@code setsid} makes the
 * job the leader of its own group, so that cancel can signal the whole tree. The job runs in
 * {@code <data dir>/runs/<run_id>/work} with the environment it is given ({@link JobEnvironment}: an
 * allowlisted part of the server's own, never all of it);
 * stdout and stderr go to {@code <data dir>/runs/<run_id>/job.log}.
 */
public final class LocalExecutor implements Executor {
  private static final Logger LOG = LoggerFactory.getLogger(LocalExecutor.class);
  static final long KILL_AFTER_SECONDS = 10;
  private final Path dataDir;
  private final String instanceId = UUID.randomUUID().toString();
  private final Map<UUID, Process> processes = new ConcurrentHashMap<>();
  private final ScheduledExecutorService killer = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "local-executor-killer");
    t.setDaemon(true);
    return t;
  });
  private final boolean setsid;

  /** {@code serverPath} is the server's own {@code PATH}, where {@code setsid} is looked for. */
  public LocalExecutor(Path dataDir, String serverPath) {
    this.dataDir = dataDir;
    this.setsid = onPath("setsid", serverPath).isPresent();
    if (!setsid) {
      LOG.warn("setsid not found on PATH: local jobs are stopped by process tree instead of process group");
    }
  }

  @Override
  public ExecutorKind kind() {
    return ExecutorKind.LOCAL;
  }

  @Override
  public Submitted submit(Job job) throws SubmitException {
    Path runDir = dataDir.resolve("runs").resolve(job.runId().toString());
    Path work = runDir.resolve("work");
    Path log = runDir.resolve("job.log");
    try {
      Files.createDirectories(work);
    } catch (IOException e) {
      throw new SubmitException("cannot create the working directory: " + e.getMessage());
    }
    String program = job.command().get(0);
    if (!program.contains("/") && onPath(program, job.env().get("PATH")).isEmpty()) {
      throw new SubmitException("command " + program + " not found on the job's PATH");
    }
    List<String> argv = new ArrayList<>();
    if (setsid) {
      argv.add("setsid");
    }
    argv.addAll(job.command());
    ProcessBuilder builder = new ProcessBuilder(argv)
        .directory(work.toFile())
        .redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
        .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
    builder.environment().clear();
    builder.environment().putAll(job.env());
    try {
      Process process = builder.start();
      processes.put(job.runId(), process);
      return new Submitted(process.pid(), null, instanceId);
    } catch (IOException | RuntimeException e) {
      throw new SubmitException("cannot start the process: " + e.getMessage());
    }
  }

  @Override
  public JobState inspect(Execution execution) {
    Process process = processes.get(execution.runId());
    if (process == null) {
      return new Missing(instanceId.equals(execution.instanceId()) ? "job_missing" : "executor_restarted");
    }
    return process.isAlive() ? new Running() : new Exited(process.exitValue());
  }

  @Override
  public void stop(Execution execution) {
    Process process = processes.get(execution.runId());
    if (process == null || !process.isAlive()) {
      return;
    }
    signal(process, "TERM");
    killer.schedule(() -> {
      if (process.isAlive() || (setsid && groupAlive(process.pid()))) {
        signal(process, "KILL");
      }
    }, KILL_AFTER_SECONDS, TimeUnit.SECONDS);
  }

  @Override
  public Optional<Path> log(Execution execution) {
    Path log = dataDir.resolve("runs").resolve(execution.runId().toString()).resolve("job.log");
    return Files.isRegularFile(log) ? Optional.of(log) : Optional.empty();
  }

  @Override
  public void forget(Execution execution) {
    processes.remove(execution.runId());
  }

  /** Stops every job of this instance at once; the next instance records them as {@code executor_restarted}. */
  @Override
  public void close() {
    killer.shutdownNow();
    processes.values().stream().filter(Process::isAlive).forEach(p -> signal(p, "KILL"));
  }

  private void signal(Process process, String signal) {
    if (!setsid) {
      process.descendants().forEach(d -> {
        if (signal.equals("KILL")) {
          d.destroyForcibly();
        } else {
          d.destroy();
        }
      });
      if (signal.equals("KILL")) {
        process.destroyForcibly();
      } else {
        process.destroy();
      }
      return;
    }
    try {
      Process kill = new ProcessBuilder("kill", "-" + signal, "--", "-" + process.pid())
          .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
      if (!kill.waitFor(5, TimeUnit.SECONDS)) {
        kill.destroyForcibly();
      }
    } catch (IOException e) {
      LOG.warn("cannot signal process group {}: {}", process.pid(), e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static boolean groupAlive(long pgid) {
    try {
      Process check = new ProcessBuilder("kill", "-0", "--", "-" + pgid)
          .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
      return check.waitFor(5, TimeUnit.SECONDS) && check.exitValue() == 0;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  private static Optional<Path> onPath(String program, String path) {
    if (path == null) {
      return Optional.empty();
    }
    for (String dir : path.split(File.pathSeparator)) {
      if (dir.isEmpty()) {
        continue;
      }
      Path candidate = Path.of(dir).resolve(program);
      if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
        return Optional.of(candidate);
      }
    }
    return Optional.empty();
  }
}
