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
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.transaction.TransactionIsolationLevel;

/** Metric samples: ingest with first-write-wins dedupe, reads, and downsampled series. */
public final class MetricService {
  public static final int MAX_BATCH_POINTS = 10_000;
  private static final int MAX_CACHED_SERIES = 200_000;
  private final Jdbi jdbi;
  private final MetricStore store;
  private final RunLookup runs;
  private final RunTouch touch;
  private final Notifier notifier;
  private final Clock clock;
  private final Consumer<Integer> insertedCounter;
  private final Map<String, Integer> seriesIds = new ConcurrentHashMap<>();

  public MetricService(Jdbi jdbi, MetricStore store, RunLookup runs, RunTouch touch, Notifier notifier,
                       Clock clock, Consumer<Integer> insertedCounter) {
    this.jdbi = jdbi;
    this.store = store;
    this.runs = runs;
    this.touch = touch;
    this.notifier = notifier;
    this.clock = clock;
    this.insertedCounter = insertedCounter;
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
    return write(runId, actor, command.metadata(), command.points(), now);
  }

  private WriteCount write(UUID runId, String actor, ObjectNode metadata, MetricBatch points, long nowMicros) {
    String metadataJson = Json.writeString(Redactor.redact(metadata));
    Map<String, Integer> ids = seriesFor(runId, points.names());
    int[] idOfName = new int[points.names().size()];
    Map<Integer, String> namesById = new java.util.HashMap<>();
    for (int i = 0; i < idOfName.length; i++) {
      String name = points.names().get(i);
      idOfName[i] = ids.get(name);
      namesById.put(idOfName[i], name);
    }
    int[] series = points.seriesIds(idOfName);
    long[] steps = points.steps();
    double[] values = points.values();
    long[] times = points.micros(nowMicros);
    MetricStore.WriteResult result = jdbi.inTransaction(h -> {
      MetricStore.WriteResult r = store.insert(h, runId, actor, metadataJson, series, steps, values, times);
      touch.markSeen(h, runId, clock.now());
      notifier.metrics(h, runId, r, namesById);
      return r;
    });
    insertedCounter.accept((int) result.insertedCount());
    return new WriteCount(runId, points.size(), (int) result.insertedCount());
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
      Map<String, Integer> created = jdbi.inTransaction(h -> store.ensureSeries(h, runId, missing));
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
      List<MetricSample> rows = jdbi.withHandle(h -> store.latestPerName(h, runId,
          cursor.map(c -> c.text(0)).orElse(null), limit + 1));
      return Page.fromOverfetch(rows, limit, fingerprint, s -> List.of(s.name()));
    }
    Long before = cursor.map(c -> c.number(0)).orElse(null);
    List<MetricSample> newestFirst = jdbi.withHandle(h -> store.samplesBefore(h, runId, filter, before, limit + 1));
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
    return jdbi.inTransaction(TransactionIsolationLevel.REPEATABLE_READ, h -> {
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
          long largest = store.largestRollup(h, runId, seriesId, level);
          if (largest > 0 && Downsampler.blocksAreFineEnough(total, maxPoints, largest)) {
            Downsampler.Assembler assembler = new Downsampler.Assembler(total, maxPoints);
            store.rollups(h, runId, seriesId, level).forEach(assembler::add);
            return new Series(runId, name, total, true, assembler.finish());
          }
        }
      }
      SegmentCodec.Points points = store.allPoints(h, runId, seriesId);
      long stored = points.size();
      Downsampler.Assembler exact = new Downsampler.Assembler(stored, (int) Math.min(stored, maxPoints));
      for (int i = 0; i < points.size(); i++) {
        exact.add(Bucket.of(points.steps()[i], points.values()[i]));
      }
      return new Series(runId, name, stored, stored > maxPoints, exact.finish());
    });
  }
}
