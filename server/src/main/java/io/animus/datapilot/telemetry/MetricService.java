package io.animus.datapilot.telemetry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.animus.datapilot.common.Clock;
import io.animus.datapilot.common.ProjectScope;
import io.animus.datapilot.common.Redactor;
import io.animus.datapilot.kernel.ApiException;
import io.animus.datapilot.kernel.ErrorCode;
import io.animus.datapilot.kernel.Json;
import io.animus.datapilot.http.JsonBody;
import io.animus.datapilot.kernel.Page;
import io.animus.datapilot.kernel.PageToken;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
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
  private final Notifier notifier;
  private final Clock clock;
  private final Consumer<Integer> insertedCounter;
  private final Map<String, Integer> seriesIds = new ConcurrentHashMap<>();

  public MetricService(Jdbi jdbi, MetricStore store, RunLookup runs, Notifier notifier, Clock clock,
                       Consumer<Integer> insertedCounter) {
    this.jdbi = jdbi;
    this.store = store;
    this.runs = runs;
    this.notifier = notifier;
    this.clock = clock;
    this.insertedCounter = insertedCounter;
  }

  /** How many points a write received and inserted (the rest were duplicates). */
  public record WriteCount(UUID runId, int received, int inserted) {}

  /** The published SDK's shape: one step, many names, optional metadata for all of them. */
  public WriteCount appendStep(ProjectScope project, String rawRunId, String actor, JsonNode step, JsonNode metrics,
                               ObjectNode metadata) {
    long stepValue = MetricInput.step(step, null);
    if (!(metrics instanceof ObjectNode object) || object.isEmpty()) {
      throw new ApiException(ErrorCode.METRICS_REQUIRED, "metrics must be a non-empty object of name: number");
    }
    long now = MetricBatch.micros(clock.now());
    MetricBatch points = new MetricBatch(object.size());
    for (Map.Entry<String, JsonNode> e : object.properties()) {
      String name = MetricInput.name(e.getKey(), null);
      points.add(name, stepValue, MetricInput.value(e.getValue(), name, null), now);
    }
    UUID runId = runs.require(project, rawRunId);
    return write(runId, actor, metadata, points);
  }

  private static final Set<String> BATCH_FIELDS = Set.of("points");

  /**
   * A {@code metrics:batch} body: the common valid shape is read in one streaming pass; anything
   * else takes the general path below, which answers every error as the protocol says.
   */
  public WriteCount appendBatch(ProjectScope project, String rawRunId, String actor, byte[] body) {
    Instant now = clock.now();
    MetricBatch batch = FastBatchParser.parse(body, MetricBatch.micros(now));
    if (batch == null) {
      batch = readPoints(JsonBody.of(body, BATCH_FIELDS).raw().get("points"), now);
    }
    UUID runId = runs.require(project, rawRunId);
    return write(runId, actor, Json.object(), batch);
  }

  /**
   * The general reading of a batch's {@code points} (our SDKs' shape): one bad point rejects the
   * request, naming its index.
   */
  static MetricBatch readPoints(JsonNode pointsNode, Instant now) {
    if (pointsNode == null || !pointsNode.isArray()) {
      throw new ApiException(ErrorCode.INVALID_JSON, "field \"points\" must be an array");
    }
    if (pointsNode.isEmpty()) {
      throw new ApiException(ErrorCode.METRICS_REQUIRED, "points must hold at least one point");
    }
    if (pointsNode.size() > MAX_BATCH_POINTS) {
      throw new ApiException(ErrorCode.TOO_MANY_ITEMS, "a batch holds at most " + MAX_BATCH_POINTS + " points",
          Map.of("max_items", MAX_BATCH_POINTS));
    }
    MetricBatch points = new MetricBatch(pointsNode.size());
    for (int i = 0; i < pointsNode.size(); i++) {
      MetricPoint p = point(pointsNode.get(i), i, now);
      points.add(p.name(), p.step(), p.value(), MetricBatch.micros(p.recordedAt()));
    }
    return points;
  }

  private static final Set<String> POINT_FIELDS = Set.of("step", "name", "value", "timestamp");

  private static MetricPoint point(JsonNode node, int index, Instant now) {
    if (!(node instanceof ObjectNode p)) {
      throw MetricInput.error(ErrorCode.INVALID_JSON, "each point must be an object", index);
    }
    p.fieldNames().forEachRemaining(f -> {
      if (!POINT_FIELDS.contains(f)) {
        throw MetricInput.error(ErrorCode.INVALID_JSON, "unknown field \"" + f + "\"", index);
      }
    });
    JsonNode nameNode = p.get("name");
    if (nameNode != null && !nameNode.isNull() && !nameNode.isTextual()) {
      throw MetricInput.error(ErrorCode.INVALID_METRIC_NAME, "name must be a string", index);
    }
    String name = MetricInput.name(nameNode == null || nameNode.isNull() ? null : nameNode.textValue(), index);
    long step = MetricInput.step(p.get("step"), index);
    double value = MetricInput.value(p.get("value"), name, index);
    Instant at = now;
    JsonNode ts = p.get("timestamp");
    if (ts != null && !ts.isNull()) {
      if (!ts.isTextual()) {
        throw MetricInput.error(ErrorCode.INVALID_TIMESTAMP, "timestamp must be an RFC 3339 string", index);
      }
      try {
        at = io.animus.datapilot.kernel.Times.parse("timestamp", ts.textValue());
      } catch (ApiException e) {
        throw MetricInput.error(ErrorCode.INVALID_TIMESTAMP, e.getMessage(), index);
      }
    }
    return new MetricPoint(name, step, value, at);
  }

  private WriteCount write(UUID runId, String actor, ObjectNode metadata, MetricBatch points) {
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
    long[] times = points.micros();
    MetricStore.WriteResult result = jdbi.inTransaction(h -> {
      MetricStore.WriteResult r = store.insert(h, runId, actor, metadataJson, series, steps, values, times,
          clock.now());
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

  /** A downsampled series (PROTOCOL.md §4.1). */
  public record Series(UUID runId, String name, long totalPoints, boolean downsampled, List<Bucket> buckets) {}

  public Series series(ProjectScope project, String rawRunId, String name, int maxPoints) {
    UUID runId = runs.require(project, rawRunId);
    // One snapshot for the block summaries and the samples, so totals and buckets agree.
    return jdbi.inTransaction(TransactionIsolationLevel.REPEATABLE_READ, h -> {
      Optional<Integer> seriesId = store.findSeries(h, runId, name);
      if (seriesId.isEmpty()) {
        return new Series(runId, name, 0, false, List.of());
      }
      List<Bucket> blocks = store.blocks(h, seriesId.get());
      long total = blocks.stream().mapToLong(Bucket::count).sum();
      long largestBlock = blocks.stream().mapToLong(Bucket::count).max().orElse(0);
      if (total > maxPoints && Downsampler.blocksAreFineEnough(total, maxPoints, largestBlock)) {
        Downsampler.Assembler assembler = new Downsampler.Assembler(total, maxPoints);
        blocks.forEach(assembler::add);
        return new Series(runId, name, total, true, assembler.finish());
      }
      int buckets = (int) Math.min(total, maxPoints);
      return new Series(runId, name, total, total > maxPoints,
          store.bucketsFromSamples(h, seriesId.get(), total, buckets));
    });
  }
}
