package io.animus.datapilot.storage;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The postmaster that serves one data directory, as its {@code postmaster.pid} and {@code /proc} show it.
 * {@link #serving} only answers a process that is alive, is a {@code postgres} executable and works in
 * that very data directory (its {@code postmaster.pid} names the directory and the process's working
 * directory is it), so a stale file whose pid was reused by another process is never mistaken for ours.
 */
final class Postmaster {
  private static final Logger LOG = LoggerFactory.getLogger(Postmaster.class);
  private final long pid;
  private final int port;
  private final ProcessHandle handle;

  private Postmaster(long pid, int port, ProcessHandle handle) {
    this.pid = pid;
    this.port = port;
    this.handle = handle;
  }

  /** The live postmaster of {@code dataDir}, if its {@code postmaster.pid} names one that checks out. */
  static Optional<Postmaster> serving(Path dataDir) {
    Path pidFile = dataDir.resolve("postmaster.pid");
    List<String> lines;
    try {
      lines = Files.readAllLines(pidFile, StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      return Optional.empty();
    } catch (IOException e) {
      LOG.warn("cannot read {}: {}", pidFile, e.getMessage());
      return Optional.empty();
    }
    if (lines.size() < 4) {
      return Optional.empty(); // being written by a starting postmaster, or truncated: not a running one
    }
    long pid;
    int port;
    try {
      pid = Long.parseLong(lines.get(0).trim());
      port = Integer.parseInt(lines.get(3).trim());
    } catch (NumberFormatException e) {
      return Optional.empty();
    }
    if (pid <= 1 || pid == ProcessHandle.current().pid()) {
      return Optional.empty();
    }
    Path ours = realPath(dataDir);
    if (ours == null || !ours.equals(realPath(Path.of(lines.get(1).trim())))) {
      return Optional.empty();
    }
    Path proc = Path.of("/proc", Long.toString(pid));
    if (!isRunning(proc) || !isPostgres(proc) || !ours.equals(realPath(proc.resolve("cwd")))) {
      return Optional.empty();
    }
    return ProcessHandle.of(pid).map(handle -> new Postmaster(pid, port, handle));
  }

  long pid() {
    return pid;
  }

  int port() {
    return port;
  }

  /** Alive and not a zombie (a killed postmaster whose parent has not reaped it yet is gone for us). */
  boolean isAlive() {
    return handle.isAlive() && isRunning(Path.of("/proc", Long.toString(pid)));
  }

  /**
   * Waits until its process entry is gone (reaped): until then PostgreSQL takes the pid in
   * {@code postmaster.pid} for a live postmaster and refuses to start.
   */
  void awaitReaped(Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (Files.exists(Path.of("/proc", Long.toString(pid))) && System.nanoTime() < deadline) {
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  /**
   * After it is dead: removes {@code postmaster.pid} if it still names it. PostgreSQL removes such a
   * file itself unless the pid still exists, which an unreaped zombie does (a server running as a
   * container's pid 1 reaps nothing it did not start), and then it would refuse to start for good.
   */
  void removeStalePidFile(Path dataDir) {
    Path pidFile = dataDir.resolve("postmaster.pid");
    try {
      List<String> lines = Files.readAllLines(pidFile, StandardCharsets.UTF_8);
      if (!isAlive() && !lines.isEmpty() && lines.get(0).trim().equals(Long.toString(pid))) {
        Files.deleteIfExists(pidFile);
      }
    } catch (IOException e) {
      // gone already, or unreadable: PostgreSQL's own check decides
    }
  }

  /**
   * Stops it the way an operator would: SIGINT (fast shutdown: open transactions roll back, a
   * checkpoint is written), then SIGQUIT (immediate shutdown, crash recovery at the next start), then
   * SIGKILL as the last resort. True when it is gone.
   */
  boolean stop(Duration fast, Duration immediate) {
    if (signalAndWait("INT", fast) || signalAndWait("QUIT", immediate)) {
      return true;
    }
    LOG.warn("postmaster {} ignored SIGINT and SIGQUIT; sending SIGKILL", pid);
    return signalAndWait("KILL", Duration.ofSeconds(5));
  }

  private boolean signalAndWait(String signal, Duration wait) {
    if (!isAlive()) {
      return true;
    }
    try {
      // ProcessHandle can only send SIGTERM (smart shutdown, which waits for every client) or
      // SIGKILL; the kill(1) command sends the others.
      Process kill = new ProcessBuilder("kill", "-s", signal, Long.toString(pid))
          .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
      kill.waitFor(5, TimeUnit.SECONDS);
    } catch (IOException e) {
      LOG.warn("cannot run kill -s {} {}: {}", signal, pid, e.getMessage());
      if (signal.equals("KILL")) {
        handle.destroyForcibly();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return !isAlive();
    }
    long deadline = System.nanoTime() + wait.toNanos();
    while (System.nanoTime() < deadline) {
      if (!isAlive()) {
        return true;
      }
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    return !isAlive();
  }

  private static boolean isRunning(Path proc) {
    try {
      String stat = Files.readString(proc.resolve("stat"), StandardCharsets.UTF_8);
      // "<pid> (<comm>) <state> ...": the command may hold spaces and parentheses, the state follows the last ')'
      int close = stat.lastIndexOf(')');
      char state = close > 0 && close + 2 < stat.length() ? stat.charAt(close + 2) : 'X';
      return state != 'Z' && state != 'X' && state != 'x';
    } catch (IOException e) {
      return false;
    }
  }

  private static boolean isPostgres(Path proc) {
    try {
      Path exe = Files.readSymbolicLink(proc.resolve("exe"));
      return exe.getFileName() != null && exe.getFileName().toString().startsWith("postgres");
    } catch (IOException | UnsupportedOperationException e) {
      // exe is unreadable for another user's process: then it is not ours to stop either
      return false;
    }
  }

  private static Path realPath(Path path) {
    try {
      return path.toRealPath();
    } catch (IOException e) {
      return null;
    }
  }
}
