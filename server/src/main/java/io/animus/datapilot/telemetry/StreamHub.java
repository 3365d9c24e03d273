package io.animus.datapilot.telemetry;

import com.fasterxml.jackson.databind.JsonNode;
import io.animus.datapilot.kernel.Json;
import io.animus.datapilot.storage.Database;
import io.animus.datapilot.storage.Notifications;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArraySet;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.jdbi.v3.core.Jdbi;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Listens on the {@link Notifier} channel with one dedicated PostgreSQL session and fans each
 * committed change out to the live streams of its run on this replica. Reads needed to build
 * frames (event rows, large metric writes) are made once per change, not once per watcher.
 *
 * <p>Streams hold no thread: their writes run on {@link Workers}, a few shared writer threads and
 * one timer thread (pings, metrics coalescing), whatever the number of open streams.
 */
public final class StreamHub implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(StreamHub.class);
  /** How long a stop waits for open streams to end before it drops what is left. */
  private static final long STOP_WAIT_NANOS = 2_000_000_000L;

  /**
   * The threads every stream shares: writers, one timer, and the readers that make a stream's
   * database reads (opening, backlog pages), so that at most {@link #READERS} pooled connections
   * serve streams at any moment and ordinary requests keep the rest, however many streams open at once.
   */
  public record Workers(ExecutorService writers, ScheduledExecutorService timer, ExecutorService reads) {}

  static final int READERS = 2;

  private final Workers workers;
  private final Database database;
  private final Jdbi jdbi;
  private final Jdbi points;
  private final EventStore events;
  private final MetricStore metrics;
  private final Map<UUID, Set<StreamSubscriber>> byRun = new ConcurrentHashMap<>();
  private volatile boolean running = true;
  private volatile boolean listening;
  private final Thread thread;

  /** {@code points}: the points store's database (the metadata one unless configured apart). */
  public StreamHub(Database database, Jdbi points, EventStore events, MetricStore metrics) {
    this.database = database;
    this.jdbi = database.jdbi();
    this.points = points;
    this.events = events;
    this.metrics = metrics;
    this.thread = new Thread(this::listenLoop, "datapilot-stream-listener");
    this.thread.setDaemon(true);
    ScheduledThreadPoolExecutor timer = new ScheduledThreadPoolExecutor(1, daemon("datapilot-stream-timer"));
    timer.setRemoveOnCancelPolicy(true); // a closed stream's ping leaves the queue at once
    int writers = Math.max(2, Runtime.getRuntime().availableProcessors());
    this.workers = new Workers(Executors.newFixedThreadPool(writers, daemon("datapilot-stream-writer")), timer,
        Executors.newFixedThreadPool(READERS, daemon("datapilot-stream-reader")));
  }

  private static ThreadFactory daemon(String name) {
    AtomicInteger n = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, name + "-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }

  public Workers workers() {
    return workers;
  }

  /** Open streams on this replica. */
  public int size() {
    return byRun.values().stream().mapToInt(Set::size).sum();
  }

  public void start() {
    thread.start();
    long deadline = System.nanoTime() + 10_000_000_000L;
    while (!listening && System.nanoTime() < deadline) {
      Thread.onSpinWait();
      try {
        Thread.sleep(5);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  public void subscribe(StreamSubscriber subscriber) {
    byRun.computeIfAbsent(subscriber.runId(), k -> new CopyOnWriteArraySet<>()).add(subscriber);
    // A stream opened while the server stops (a browser reconnecting at once) must end too, or the
    // HTTP server's graceful stop waits for it until its timeout. Checked after adding, so either
    // close() sees this subscriber or this sees close()'s flag.
    if (!running) {
      subscriber.close();
    }
  }

  public void unsubscribe(StreamSubscriber subscriber) {
    byRun.computeIfPresent(subscriber.runId(), (k, set) -> {
      set.remove(subscriber);
      return set.isEmpty() ? null : set;
    });
  }

  private void listenLoop() {
    while (running) {
      try (Connection connection = database.openDedicatedConnection()) {
        Notifications.listen(connection, Notifier.CHANNEL);
        listening = true;
        PGConnection pg = connection.unwrap(PGConnection.class);
        while (running) {
          PGNotification[] batch = pg.getNotifications(500);
          if (batch != null) {
            for (PGNotification n : batch) {
              dispatchSafely(n.getParameter());
            }
          }
        }
      } catch (SQLException e) {
        listening = false;
        if (running) {
          LOG.warn("live-stream listener lost its database session; reconnecting: {}", e.getMessage());
          sleepQuietly(1000);
        }
      }
    }
  }

  private void dispatchSafely(String payload) {
    try {
      dispatch(Json.mapper().readTree(payload));
    } catch (Exception e) {
      LOG.error("could not fan out a live-stream change", e);
    }
  }

  private void dispatch(JsonNode msg) {
    UUID runId = UUID.fromString(msg.path("r").asText());
    Set<StreamSubscriber> subscribers = byRun.get(runId);
    if (subscribers == null || subscribers.isEmpty()) {
      return;
    }
    switch (msg.path("k").asText()) {
      case "s" -> {
        String frame = SseFrames.frame("status", null, Json.writeString(msg.get("s")));
        subscribers.forEach(s -> s.offer(frame, 0));
      }
      case "e" -> {
        long from = msg.path("a").asLong();
        long to = msg.path("b").asLong();
        for (RunEvent event : jdbi.withHandle(h -> events.listBetween(h, runId, from, to, 10_000))) {
          String frame = SseFrames.frame("event", event.eventId(), Json.writeString(event));
          subscribers.forEach(s -> s.offer(frame, event.eventId()));
        }
      }
      case "m" -> {
        // serialized once; every watcher's metrics frame joins these fragments
        StringBuilder fragment = new StringBuilder();
        for (Map<String, Object> sample : samplesOf(msg)) {
          fragment.append(fragment.length() > 0 ? "," : "").append(Json.writeString(sample));
        }
        String samples = fragment.toString();
        subscribers.forEach(s -> s.offerSamples(samples));
      }
      default -> LOG.warn("unknown live-stream change kind {}", msg.path("k").asText());
    }
  }

  private List<Map<String, Object>> samplesOf(JsonNode msg) {
    List<Map<String, Object>> out = new ArrayList<>();
    if (msg.has("x")) {
      for (JsonNode x : msg.get("x")) {
        out.add(sample(x.get(0).asText(), x.get(1).asLong(), x.get(2), x.get(3).asText()));
      }
      return out;
    }
    long writeId = msg.path("w").asLong();
    UUID runId = UUID.fromString(msg.path("r").asText());
    points.useHandle(h -> {
      List<Integer> ids = new ArrayList<>();
      msg.get("g").forEach(g -> ids.add(g.get(0).asInt()));
      Map<Integer, String> names = PointReadStore.seriesNames(h, runId, ids);
      for (JsonNode g : msg.get("g")) {
        for (MetricStore.Inserted p : PointReadStore.writeRange(h, runId, g.get(0).asInt(), g.get(1).asLong(), g.get(2).asLong(),
            writeId)) {
          out.add(sample(names.get(p.seriesId()), p.step(), Json.mapper().valueToTree(p.value()),
              Json.formatInstant(p.recordedAt())));
        }
      }
    });
    return out;
  }

  private static Map<String, Object> sample(String name, long step, JsonNode value, String recordedAt) {
    Map<String, Object> sample = new java.util.LinkedHashMap<>();
    sample.put("name", name);
    sample.put("step", step);
    sample.put("value", value);
    sample.put("recorded_at", recordedAt);
    return sample;
  }

  public static long nowSeconds() {
    return Instant.now().getEpochSecond();
  }

  private static void sleepQuietly(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * Stops listening and ends every open stream (so the HTTP server's graceful stop has none to wait
   * for); a stream that has not ended after a short wait is ended without its last frames.
   */
  @Override
  public void close() {
    running = false;
    byRun.values().forEach(set -> set.forEach(StreamSubscriber::close));
    thread.interrupt();
    long deadline = System.nanoTime() + STOP_WAIT_NANOS;
    while (!byRun.isEmpty() && System.nanoTime() < deadline) {
      sleepQuietly(10);
    }
    byRun.values().forEach(set -> set.forEach(StreamSubscriber::finish));
    workers.writers().shutdownNow();
    workers.timer().shutdownNow();
    workers.reads().shutdownNow();
    try {
      thread.join(2000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
