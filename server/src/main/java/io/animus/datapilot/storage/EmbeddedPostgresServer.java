package io.animus.datapilot.storage;

import io.animus.datapilot.config.ConfigException;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.FileOutputStream;
import java.io.IOException;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The zonky embedded PostgreSQL, whose data directory survives restarts, made to come back by itself.
 *
 * <p>zonky starts the postmaster with {@code pg_ctl start}, which detaches it (a new session whose
 * parent is init), so it outlives a killed server. At start a postmaster still serving our data
 * directory is therefore stopped first (when no live server holds zonky's {@code epg-lock}); while the
 * server runs, a supervisor thread starts it again, on the same port, whenever it dies.
 */
final class EmbeddedPostgresServer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(EmbeddedPostgresServer.class);
  private static final Duration STARTUP_WAIT = Duration.ofSeconds(60);
  private static final Duration CHECK_EVERY = Duration.ofSeconds(1);
  private final Path directory;
  private final EmbeddedPostgres postgres;
  private final int port;
  private final List<String> restartCommand;
  private volatile Postmaster postmaster;
  private volatile String status;
  private volatile boolean closing;
  private final Thread supervisor;
  private int restarts; // only the supervisor thread touches it

  private EmbeddedPostgresServer(Path directory, EmbeddedPostgres postgres) {
    this.directory = directory;
    this.postgres = postgres;
    this.port = postgres.getPort();
    this.postmaster = Postmaster.serving(directory).orElse(null);
    this.restartCommand = postmaster == null ? null : restartCommand(directory, postmaster.pid());
    if (restartCommand == null) {
      LOG.warn("embedded PostgreSQL started, but its postmaster cannot be found through {}: it is not supervised",
          directory.resolve("postmaster.pid"));
      supervisor = null;
      return;
    }
    LOG.info("embedded PostgreSQL (pid {}) listens on 127.0.0.1:{}", postmaster.pid(), port);
    supervisor = new Thread(this::supervise, "embedded-postgres-supervisor");
    supervisor.setDaemon(true);
    supervisor.start();
  }

  /** Starts it in {@code directory} on {@code port} (0: a free port), first stopping an orphaned one. */
  static EmbeddedPostgresServer start(Path directory, int port) {
    try {
      Files.createDirectories(directory.getParent());
      if (Files.isRegularFile(directory.resolve("postgresql.conf"))) {
        takeOver(directory); // before initdb nothing can run here, and initdb wants an empty directory
      }
      LOG.info("starting embedded PostgreSQL in {}", directory);
      EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder()
          .setDataDirectory(directory)
          .setCleanDataDirectory(false)
          .setRegisterShutdownHook(false)
          .setServerConfig("listen_addresses", "127.0.0.1")
          // The embedded server is the default storage, not a test fixture: zonky's defaults
          // (fsync off, synchronous_commit off) would lose acknowledged writes on a crash.
          .setServerConfig("fsync", "on")
          .setServerConfig("synchronous_commit", "on")
          .setServerConfig("full_page_writes", "on")
          .setPGStartupWait(STARTUP_WAIT);
      if (port > 0) {
        builder.setPort(port);
      }
      return new EmbeddedPostgresServer(directory, builder.start());
    } catch (IOException | IllegalStateException e) {
      throw new ConfigException("cannot start the embedded PostgreSQL under DATAPILOT_DATA_DIR ("
          + directory + "): " + e.getMessage()
          + (port > 0 ? " (is port " + port + " of DATAPILOT_EMBEDDED_DB_PORT free?)" : ""));
    }
  }

  /**
   * Makes the data directory ours: zonky's {@code epg-lock} (a file lock, released by the kernel when its
   * holder dies) tells a live server, which keeps its database, from a dead one, whose orphaned
   * postmaster is stopped and whose stale {@code postmaster.pid} is removed. The lock is released again
   * for zonky to take.
   */
  private static void takeOver(Path directory) throws IOException {
    Path lockFile = directory.resolve("epg-lock");
    try (FileOutputStream out = new FileOutputStream(lockFile.toFile());
         FileLock lock = tryLock(out)) {
      if (lock == null) {
        throw new ConfigException("the embedded PostgreSQL in " + directory + " belongs to another running "
            + "DataPilot server (it holds " + lockFile + "); stop it or use another DATAPILOT_DATA_DIR");
      }
      Optional<Postmaster> orphan = Postmaster.serving(directory);
      if (orphan.isPresent()) {
        Postmaster p = orphan.get();
        LOG.warn("found the embedded PostgreSQL of a previous server still running (pid {}, port {}, data "
            + "directory {}): its server ended without stopping it; stopping it (fast shutdown)",
            p.pid(), p.port(), directory);
        long started = System.nanoTime();
        if (!p.stop(Duration.ofSeconds(20), Duration.ofSeconds(10))) {
          throw new ConfigException("the orphaned embedded PostgreSQL (pid " + p.pid() + ") in " + directory
              + " does not stop; stop it by hand");
        }
        p.awaitReaped(Duration.ofSeconds(5));
        p.removeStalePidFile(directory);
        LOG.warn("stopped the orphaned embedded PostgreSQL (pid {}) in {} ms; starting it again (PostgreSQL "
            + "recovers from its write-ahead log if needed)", p.pid(), (System.nanoTime() - started) / 1_000_000);
      } else if (Files.exists(directory.resolve("postmaster.pid"))) {
        // Its pid is dead or now another process's; PostgreSQL refuses to start over a file whose pid
        // is alive, even when that process is not a postmaster.
        LOG.warn("removing the stale {} of a postmaster that is no longer running",
            directory.resolve("postmaster.pid"));
        Files.deleteIfExists(directory.resolve("postmaster.pid"));
      }
    }
  }

  private static FileLock tryLock(FileOutputStream out) throws IOException {
    try {
      return out.getChannel().tryLock();
    } catch (OverlappingFileLockException e) {
      return null; // held by this very JVM: another server started in the same process
    }
  }

  /** The postmaster's own arguments, for {@code pg_ctl start} with the same binary, port and settings. */
  private static List<String> restartCommand(Path directory, long pid) {
    try {
      byte[] raw = Files.readAllBytes(Path.of("/proc", Long.toString(pid), "cmdline"));
      String[] args = new String(raw, StandardCharsets.UTF_8).split("\0");
      if (args.length < 3 || !args[1].equals("-D")) {
        return null;
      }
      Path bin = Path.of(args[0]).getParent();
      List<String> command = new ArrayList<>();
      if (io.zonky.test.db.postgres.util.LinuxUtils.isUnshareAvailable()) {
        // as zonky does: PostgreSQL refuses to run as root, so as root it runs in a user namespace
        command.addAll(List.of("unshare", "-U"));
      }
      command.addAll(List.of(bin.resolve("pg_ctl").toString(), "-D", directory.toString(),
          "-o", String.join(" ", java.util.Arrays.asList(args).subList(3, args.length)),
          "-w", "-t", Long.toString(STARTUP_WAIT.toSeconds()), "start"));
      return Files.isExecutable(bin.resolve("pg_ctl")) ? command : null;
    } catch (IOException e) {
      return null;
    }
  }

  String jdbcUrl() {
    return postgres.getJdbcUrl("postgres", "postgres");
  }

  int port() {
    return port;
  }

  /** What happened to the postmaster, for readiness; empty while it has run without trouble. */
  Optional<String> status() {
    return Optional.ofNullable(status);
  }

  private void supervise() {
    while (!closing) {
      sleep(CHECK_EVERY);
      try {
        superviseOnce();
      } catch (RuntimeException e) {
        // the supervisor must outlive any surprise, or the next death goes unnoticed
        LOG.warn("embedded PostgreSQL supervisor: {}", e.toString());
      }
    }
  }

  private void superviseOnce() {
    Postmaster current = postmaster;
    if (closing || current.isAlive()) {
      return;
    }
    // A postmaster that is not our child leaves no exit status to read; PostgreSQL's own log
    // (on the server's standard error) says why it ended.
    Instant died = Instant.now();
    LOG.error("embedded PostgreSQL (pid {}) exited unexpectedly; restarting it on port {}", current.pid(), port);
    current.awaitReaped(Duration.ofSeconds(5));
    current.removeStalePidFile(directory);
    for (int attempt = 1; !closing; attempt++) {
      status = "embedded PostgreSQL restarting after it exited unexpectedly at " + died + " (pid "
          + current.pid() + ", attempt " + attempt + ")";
      Optional<Postmaster> started = restartOnce();
      if (started.isPresent()) {
        postmaster = started.get();
        restarts++;
        status = "embedded PostgreSQL restarted at " + Instant.now() + " after it exited unexpectedly at " + died
            + " (pid " + current.pid() + "; restarts since start: " + restarts + ")";
        LOG.warn("embedded PostgreSQL restarted (pid {}, port {}) {} ms after it exited", postmaster.pid(), port,
            Duration.between(died, Instant.now()).toMillis());
        break;
      }
      sleep(Duration.ofMillis(Math.min(5_000, 500L * attempt)));
    }
  }

  private Optional<Postmaster> restartOnce() {
    Optional<Postmaster> already = Postmaster.serving(directory);
    if (already.isPresent()) {
      return already; // an earlier attempt's postmaster finished starting after pg_ctl gave up
    }
    try {
      Process pgCtl = new ProcessBuilder(restartCommand).redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.INHERIT).start();
      if (!pgCtl.waitFor(STARTUP_WAIT.toSeconds() + 10, TimeUnit.SECONDS)) {
        pgCtl.destroyForcibly();
      } else if (pgCtl.exitValue() != 0) {
        LOG.warn("pg_ctl start exited with {}; retrying", pgCtl.exitValue());
      }
    } catch (IOException e) {
      LOG.warn("cannot run pg_ctl start: {}", e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return Postmaster.serving(directory);
  }

  private static void sleep(Duration d) {
    try {
      Thread.sleep(d.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void close() {
    closing = true;
    if (supervisor != null) {
      supervisor.interrupt();
      try {
        supervisor.join(TimeUnit.SECONDS.toMillis(STARTUP_WAIT.toSeconds() + 15));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    try {
      // pg_ctl stop -m fast on whichever postmaster serves the directory, the restarted one included
      postgres.close();
    } catch (IOException e) {
      LOG.warn("embedded PostgreSQL did not stop cleanly: {}", e.getMessage());
    }
  }
}
