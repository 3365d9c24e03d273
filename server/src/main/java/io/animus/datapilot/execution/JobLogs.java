package io.animus.datapilot.execution;

import io.animus.datapilot.artifacts.Artifact;
import io.animus.datapilot.common.BoundedInputStream;
import io.animus.datapilot.common.Clock;
import io.animus.datapilot.kernel.Ids;
import io.animus.datapilot.common.LogRedactor;
import io.animus.datapilot.common.RedactingInputStream;
import io.animus.datapilot.config.Config;
import io.animus.datapilot.kernel.Json;
import io.animus.datapilot.storage.BlobStore;
import io.animus.datapilot.telemetry.EventService;
import io.animus.datapilot.telemetry.RunEvent;
import java.io.IOException;
import java.io.InputStream;
import java.io.RandomAccessFile;
import java.nio.channels.Channels;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps an ended job's log (docs/protocol.md §8.6): the last 100 MiB as a {@code log} artifact named
 * {@code job-log}, and the last 50 lines as run events, both with credentials redacted by the same
 * {@link LogRedactor}. Every executor's log reaches the artifact through {@link #capture} only.
 */
public final class JobLogs {
  private static final Logger LOG = LoggerFactory.getLogger(JobLogs.class);
  static final long MAX_BYTES = 100L << 20;
  static final int TAIL_LINES = 50;
  private static final int TAIL_BYTES = 256 << 10;
  private static final int MAX_LINE_CHARS = 4000;
  private static final int CUT_CONTEXT = 64 << 10;
  private final Jdbi jdbi;
  private final BlobStore blobs;
  private final JobLogSink artifacts;
  private final EventService events;
  private final ExecutionStore executions;
  private final Clock clock;
  private final LogRedactor rules;

  public JobLogs(Jdbi jdbi, BlobStore blobs, JobLogSink artifacts, EventService events,
                 ExecutionStore executions, Clock clock, LogRedactor rules) {
    this.rules = rules;
    this.jdbi = jdbi;
    this.blobs = blobs;
    this.artifacts = artifacts;
    this.events = events;
    this.executions = executions;
    this.clock = clock;
  }

  /**
   * The server's own secrets, which a job may have been given by mistake (a passed-through variable) and
   * must not reach a viewer: the CI and run-token secrets, the admin token and the database password.
   */
  public static LogRedactor rulesFor(Config config) {
    List<String> secrets = new ArrayList<>();
    config.trust().ciWebhookSecret().ifPresent(secrets::add);
    config.trust().runTokenSecret().ifPresent(secrets::add);
    config.auth().adminToken().ifPresent(secrets::add);
    config.database().password().ifPresent(secrets::add);
    return new LogRedactor(secrets);
  }

  /** Stores the log once; without a log file only the capture is recorded. */
  public void capture(Execution execution, java.util.Optional<Path> logFile) {
    UUID runId = execution.runId();
    Artifact artifact = null;
    List<String> tail = List.of();
    if (logFile.isPresent()) {
      try {
        artifact = store(execution, logFile.get());
        tail = tail(logFile.get(), rules);
      } catch (IOException | RuntimeException e) {
        LOG.warn("run {}: the job log could not be kept: {}", runId, e.getMessage());
      }
    }
    Artifact stored = artifact;
    List<String> lines = tail;
    Instant now = clock.now();
    try {
      jdbi.useTransaction(h -> {
        if (stored != null) {
          artifacts.insert(h, stored);
        }
        if (!lines.isEmpty()) {
          List<RunEvent.New> news = new ArrayList<>();
          for (String line : lines) {
            news.add(new RunEvent.New(now, ExecutionService.SYSTEM, "info", line,
                Json.object().put("source", "job_log"), null));
          }
          events.insert(h, runId, news);
        }
        executions.markLogCaptured(h, execution.executionId(), now);
      });
    } catch (RuntimeException e) {
      if (stored != null) {
        blobs.deleteQuietly(BlobStore.Area.ARTIFACTS, stored.objectKey());
      }
      throw e;
    }
  }

  private Artifact store(Execution execution, Path file) throws IOException {
    UUID artifactId = Ids.newId();
    String key = jdbi.withHandle(h -> artifacts.objectKey(h, execution.runId(), "log", artifactId, "job.log"))
        .orElseThrow(() -> new IOException("run is gone"));
    long size = Files.size(file);
    long offset = Math.max(0, size - MAX_BYTES);
    // Read a little before a cut so that a credential cut in half there is still recognised and replaced.
    long from = Math.max(0, offset - CUT_CONTEXT);
    BlobStore.Written written;
    try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "r")) {
      raf.seek(from);
      InputStream in = Channels.newInputStream(raf.getChannel());
      // size and sha256 are those of the redacted bytes: the blob store measures what it is given
      written = blobs.put(BlobStore.Area.ARTIFACTS, key,
          new RedactingInputStream(new BoundedInputStream(in, size - from), rules, offset - from));
    }
    var metadata = offset > 0 ? Json.object().put("truncated", true) : Json.object();
    return new Artifact(artifactId, execution.runId(), "log", "job-log", "job.log", "text/plain; charset=utf-8",
        key, written.sha256(), written.sizeBytes(), metadata, clock.now(), ExecutionService.SYSTEM);
  }

  /** The last non-blank lines, each redacted and shortened. */
  static List<String> tail(Path file, LogRedactor rules) throws IOException {
    long size = Files.size(file);
    int length = (int) Math.min(size, TAIL_BYTES);
    byte[] bytes = new byte[length];
    try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "r")) {
      raf.seek(size - length);
      raf.readFully(bytes);
    }
    try (InputStream redacted = new RedactingInputStream(new java.io.ByteArrayInputStream(bytes), rules)) {
      bytes = redacted.readAllBytes();
    }
    String text = new String(bytes, StandardCharsets.UTF_8);
    List<String> lines = new ArrayList<>(List.of(text.split("\r?\n", -1)));
    if (size > length && !lines.isEmpty()) {
      lines.remove(0); // cut in the middle
    }
    List<String> kept = new ArrayList<>();
    for (int i = lines.size() - 1; i >= 0 && kept.size() < TAIL_LINES; i--) {
      String line = lines.get(i).strip();
      if (!line.isEmpty()) {
        if (line.length() > MAX_LINE_CHARS) {
          line = line.substring(0, MAX_LINE_CHARS) + "…";
        }
        kept.add(0, line);
      }
    }
    return kept;
  }
}
