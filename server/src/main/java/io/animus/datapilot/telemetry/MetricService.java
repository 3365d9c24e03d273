package io.animus.datapilot.telemetry;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.animus.datapilot.common.Clock;
import io.animus.datapilot.common.ProjectScope;
import io.animus.datapilot.common.Redactor;
import io.animus.datapilot.experiments.RunLookup;
import io.animus.datapilot.experiments.RunTouch;
import io.animus.datapilot.kernel.Json;
import io.animus.datapilot.kernel.Page;
import io.animus.datapilot.kernel.PageToken;
import io.animus.datapilot.storage.GroupCommit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.transaction.TransactionIsolationLevel;

/** Metric samples: ingest with first-write-wins dedupe, reads, and downsampled series. */
public final class MetricService implements AutoCloseable {
  public static final int MAX_BATCH_POINTS = 10_000;
  /** Writes of at most this many points join a group commit; larger ones write alone. */
  static final int GROUP_POINTS_UP_TO = 64;
  /** Requests per group commit at most. */
  private static final int MAX_GROUP = 64;
  /** A small write waits this long for its commit, then answers 503 (retries are duplicates). */
  private static final long GROUP_WAIT_SECONDS = 30;
  private static final int MAX_CACHED_SERIES = 200_000;
  private final Jdbi jdbi;
  private final Jdbi pointsDb;
  private final MetricStore store;
  private final RunLookup runs;
  private final RunTouch touch;
  private final Notifier notifier;
  private final Clock clock;
  private final Consumer<Integer> insertedCounter;
  private final Map<String, Integer> seriesIds = new ConcurrentHashMap<>();
  private final GroupCommit<Prepared, MetricStore.WriteResult> small;
  private final SegmentCompactor compactor;
  /** How often the compactor looks for series of small segments. */
  private static final long COMPACT_EVERY_SECONDS = 10;

  /**
   * {@code jdbi} is the metadata database (runs), {@code points} the points store's; they are the
   * same object unless {@code DATAPILOT_POINTS_DATABASE_URL} puts the points on a database of their own.
   */
  public MetricService(Jdbi jdbi, Jdbi points, MetricStore store, RunLookup runs, RunTouch touch, Notifier notifier,
                       Clock clock, Consumer<Integer> insertedCounter) {
    this.jdbi = jdbi;
    this.pointsDb = points;
    this.store = store;
    this.runs = runs;
    this.touch = touch;
    this.notifier = notifier;
    this.clock = clock;
    this.insertedCounter = insertedCounter;
    this.small = new GroupCommit<>("datapilot-metric-writer", 2, MAX_GROUP, this::writeGroup, this::writeAlone,
        GROUP_WAIT_SECONDS);
    this.compactor = new SegmentCompactor(points, store);
    compactor.start(COMPACT_EVERY_SECONDS);
  }

  /** How many points a write received and inserted (the rest were duplicates). */
  public record WriteCount(UUID runId, int received, int inserted) {}

  /**
   * A validated write (both {@code POST …/metrics} and {@code …/metrics:batch}): the parsed points
   * and the metadata recorded with all of them.
   */
  public record AppendMetrics(MetricBatch points, ObjectNode metadata) {
    public AppendMetrics {
      Objects.requireNonNull(points);
      Objects.requireNonNull(metadata);
      if (points.size() == 0) {
        throw new IllegalArgumentException("a metric write holds at least one point");
      }
    }
  }

  /** Stores a write; a point that named no time is recorded at the time of the write. */
  public WriteCount append(ProjectScope project, String rawRunId, String actor, AppendMetrics command) {
    long now = MetricBatch.micros(clock.now());
    UUID runId = runs.require(project, rawRunId);
    Prepared write = prepare(runId, actor, command.metadata(), command.points(), now);
    MetricStore.WriteResult result = command.points().size() <= GROUP_POINTS_UP_TO
        ? small.write(write) : writeAlone(write);
    insertedCounter.accept((int) result.insertedCount());
    return new WriteCount(runId, command.points().size(), (int) result.insertedCount());
  }

  /** A validated write with its series resolved, ready for a transaction. */
  private record Prepared(UUID runId, String actor, String metadataJson, int[] series, long[] steps,
                          double[] values, long[] times, Map<Integer, String> namesById) {}

  private Prepared prepare(UUID runId, String actor, ObjectNode metadata, MetricBatch points, long nowMicros) {
    String metadataJson = Json.writeString(Redactor.redact(metadata));
    Map<String, Integer> ids = seriesFor(runId, points.names());
    int[] idOfName = new int[points.names().size()];
    Map<Integer, String> namesById = new java.util.HashMap<>();
    for (int i = 0; i < idOfName.length; i++) {
      String name = points.names().get(i);
      idOfName[i] = ids.get(name);
      namesById.put(idOfName[i], name);
    }
    return new Prepared(runId, actor, metadataJson, points.seriesIds(idOfName), points.steps(), points.values(),
        points.micros(nowMicros), namesById);
  }

  private MetricStore.WriteResult writeAlone(Prepared w) {
    return writeGroup(List.of(w)).get(0);
  }

  /**
   * Writes in one transaction: one commit, one run-row touch per run. With the points on a
   * database of their own, the points commit first; then the run rows are touched and the live
   * streams told in a transaction of the metadata database (a crash in between loses a live frame
   * and a last_seen_at, never a point).
   */
  private List<MetricStore.WriteResult> writeGroup(List<Prepared> group) {
    if (pointsDb == jdbi) {
      return jdbi.inTransaction(h -> {
        List<MetricStore.WriteResult> out = insertAll(h, group);
        afterPoints(h, group, out);
        return out;
      });
    }
    List<MetricStore.WriteResult> out = pointsDb.inTransaction(h -> insertAll(h, group));
    jdbi.useTransaction(h -> afterPoints(h, group, out));
    return out;
  }

  private List<MetricStore.WriteResult> insertAll(Handle h, List<Prepared> group) {
    List<MetricStore.WriteResult> out = new ArrayList<>(group.size());
    for (Prepared w : group) {
      // a small write leaves its rollups to the compactor (docs/adr/0034)
      out.add(store.insert(h, w.runId(), w.actor(), w.metadataJson(), w.series(), w.steps(), w.values(),
          w.times(), w.steps().length <= GROUP_POINTS_UP_TO));
    }
    return out;
  }

  private void afterPoints(Handle metadata, List<Prepared> group, List<MetricStore.WriteResult> results) {
    java.util.Set<UUID> touched = new java.util.TreeSet<>();
    List<Notifier.Write> writes = new ArrayList<>(group.size());
    for (int i = 0; i < group.size(); i++) {
      writes.add(new Notifier.Write(group.get(i).runId(), results.get(i), group.get(i).namesById()));
      touched.add(group.get(i).runId());
    }
    // one round trip for the whole group's live-stream notifications
    notifier.metricsOfGroup(metadata, writes);
    for (UUID runId : touched) {
      touch.markSeen(metadata, runId, clock.now());
    }
  }

  /** Stops the small-write writers after what is queued, and the compactor. */
  @Override
  public void close() {
    small.close();
    compactor.close();
  }

  private Map<String, Integer> seriesFor(UUID runId, List<String> names) {
    Map<String, Integer> ids = new java.util.HashMap<>();
    List<String> missing = new ArrayList<>();
    for (String name : names) {
      Integer id = seriesIds.get(runId + "\u0000" + name);
      if (id == null) {
        missing.add(name);
      } else {
        ids.put(name, id);
      }
    }
    if (!missing.isEmpty()) {
      Map<String, Integer> created = pointsDb.inTransaction(h -> store.ensureSeries(h, runId, missing));
      if (seriesIds.size() > MAX_CACHED_SERIES) {
        seriesIds.clear();
      }
      created.forEach((name, id) -> seriesIds.put(runId + "\u0000" + name, id));
      ids.putAll(created);
    }
    return ids;
  }

  /** Without a name: the latest sample of each metric; with one: its newest samples, ascending. */
  public Page<MetricSample> list(ProjectScope project, String rawRunId, Optional<String> name, int limit,
                                 Optional<String> pageToken) {
    UUID runId = runs.require(project, rawRunId);
    String filter = name.map(String::trim).filter(n -> !n.isEmpty()).orElse(null);
    String fingerprint = PageToken.fingerprint("metrics", runId.toString(), filter);
    Optional<PageToken.Cursor> cursor = PageToken.decode(pageToken, fingerprint, 1);
    if (filter == null) {
      List<MetricSample> rows = pointsDb.withHandle(h -> store.latestPerName(h, runId,
          cursor.map(c -> c.text(0)).orElse(null), limit + 1));
      return Page.fromOverfetch(rows, limit, fingerprint, s -> List.of(s.name()));
    }
    Long before = cursor.map(c -> c.number(0)).orElse(null);
    List<MetricSample> newestFirst = pointsDb.withHandle(
        h -> store.samplesBefore(h, runId, filter, before, limit + 1));
    Page<MetricSample> page = Page.fromOverfetch(newestFirst, limit, fingerprint,
        s -> List.of(Long.toString(s.step())));
    List<MetricSample> ascending = new ArrayList<>(page.items());
    java.util.Collections.reverse(ascending);
    return new Page<>(ascending, page.nextPageToken());
  }

  /** A downsampled series (docs/protocol.md §4.1). */
  public record Series(UUID runId, String name, long totalPoints, boolean downsampled, List<Bucket> buckets) {}

  public Series series(ProjectScope project, String rawRunId, String name, int maxPoints) {
    UUID runId = runs.require(project, rawRunId);
    // One snapshot for the series row, the rollups and the segments, so totals and buckets agree.
    return pointsDb.inTransaction(TransactionIsolationLevel.REPEATABLE_READ, h -> {
      Optional<MetricStore.SeriesInfo> info = store.findSeries(h, runId, name);
      if (info.isEmpty() || info.get().pointCount() == 0) {
        return new Series(runId, name, 0, false, List.of());
      }
      int seriesId = info.get().seriesId();
      long total = info.get().pointCount();
      if (total > maxPoints) {
        // the coarsest rollup level whose buckets are all small next to a chart bucket
        for (int k = Rollups.LEVELS.length - 1; k >= 0; k--) {
          int level = Rollups.LEVELS[k];
          long largest = PointReadStore.largestRollup(h, runId, seriesId, level);
          if (largest > 0 && Downsampler.blocksAreFineEnough(total, maxPoints, largest)) {
            Downsampler.Assembler assembler = new Downsampler.Assembler(total, maxPoints);
            PointReadStore.rollups(h, runId, seriesId, level).forEach(assembler::add);
            Long unrolled = info.get().unrolledFrom();
            if (unrolled != null) {
              // the newest points, not in the rollups yet: after every rollup row, in step order
              SegmentCodec.Points tail = PointReadStore.pointsFrom(h, runId, seriesId, unrolled);
              for (int i = 0; i < tail.size(); i++) {
                assembler.add(Bucket.of(tail.steps()[i], tail.values()[i]));
              }
            }
            return new Series(runId, name, total, true, assembler.finish());
          }
        }
      }
      SegmentCodec.Points points = PointReadStore.allPoints(h, runId, seriesId);
      long stored = points.size();
      Downsampler.Assembler exact = new Downsampler.Assembler(stored, (int) Math.min(stored, maxPoints));
      for (int i = 0; i < points.size(); i++) {
        exact.add(Bucket.of(points.steps()[i], points.values()[i]));
      }
      return new Series(runId, name, stored, stored > maxPoints, exact.finish());
    });
  }

  /** Removes every point of a deleted run, in one transaction on the points database (docs/protocol.md §3.6). */
  public void purgeRun(UUID runId) {
    pointsDb.useTransaction(h -> store.purgeRun(h, runId));
  }
}
