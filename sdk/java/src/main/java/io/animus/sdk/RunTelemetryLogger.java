package io.animus.sdk;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;

/**
 * Live telemetry for one run, delivered by a background sender so that training never waits for the network.
 *
 * <p>The logging calls ({@link #logMetric}, {@link #logMetrics}, {@link #logEvent}, {@link #logStatus},
 * {@link #logProgress}, {@link #heartbeat}) validate their arguments on the caller's thread (an invalid point
 * throws {@link IllegalArgumentException} and is never sent), then append to a bounded lock-free queue and return
 * {@code true}; they return {@code false} at once, counted in {@link Stats#rejected()}, when the queue is full or
 * the logger is closed. They never perform I/O, take no lock and never throw because of the network: the queue is
 * a preallocated ring of primitive slots claimed with one compare-and-set, so {@link #logMetric} allocates
 * nothing.
 *
 * <p>The sender coalesces metric points into {@code metrics:batch} requests and events into {@code events:batch}
 * requests whose events carry a {@code client_event_id}, so a retried request never duplicates (the server ignores
 * a repeated (run, name, step) and a repeated {@code client_event_id}). Status 0 (no answer), 429 and 5xx are
 * retried with exponential backoff and jitter, honouring {@code Retry-After}; a 400 naming {@code details.index}
 * drops only that item and resends the rest; other 4xx drop the request. The last failure is kept in
 * {@link #lastError()}. When the server lacks a batch endpoint (404 {@code route_not_found}) the logger falls back
 * to the single-step endpoints of the published SDK. Up to {@link Builder#parallelRequests(int)} point batches
 * are in flight at once, each metric name always in the same one, so points of one name are sent in call order.
 * NaN and infinite values are sent as the literals {@code NaN}, {@code Infinity}, {@code -Infinity}.
 *
 * <pre>{@code
 * try (RunTelemetryLogger logger = RunTelemetryLogger.fromEnv()) {
 *   logger.logMetric(step, "loss", loss);
 * }
 * }</pre>
 */
public final class RunTelemetryLogger implements AutoCloseable {
  private static final int SERVER_MAX_POINTS = 10_000;
  private static final int MAX_EVENTS_PER_BATCH = 1_000;
  private static final int MAX_BODY_BYTES = 3 * 1024 * 1024;
  private static final Set<String> LEVELS = Set.of("debug", "info", "warn", "error");
  private static final DateTimeFormatter SECOND = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss")
      .withZone(ZoneOffset.UTC);
  private static final AtomicInteger THREADS = new AtomicInteger();

  /** Several metrics of one step with metadata, sent through the single-step endpoint. */
  private record Group(long step, Map<String, Double> metrics, Map<String, Object> metadata) {}

  /** A queued event. */
  private record Event(String clientEventId, String level, String message, Map<String, Object> metadata,
      long time) {}

  /**
   * Counters: items sent, rejected at the call (queue full or closed), dropped by the sender (refused by the
   * server, retries exhausted, or left over at close), retries, requests, and items still queued.
   */
  public record Stats(long pointsSent, long eventsSent, long rejected, long dropped, long retries, long requests,
      long queued) {}

  private final Transport http;
  private final Duration requestTimeout;
  private final String runId;
  private final String base;
  private final int capacity;
  private final int maxRetries;
  private final int batchPoints;
  private final int parallelRequests;
  private final long flushIntervalNanos;
  private final long retryBaseNanos;
  private final long retryMaxNanos;
  private final long heartbeatIntervalNanos;
  private final int wakeAt;

  /** Points, events and metric groups in call order; the sender is its only consumer. */
  private final TelemetryRing ring;
  /** Every slot below this index was sent or dropped (written by the sender only). */
  private volatile long settled;
  /** True while the sender is parked waiting for data; a producer that fills {@link #wakeAt} slots wakes it. */
  private final AtomicBoolean sleeping = new AtomicBoolean();
  private final AtomicLong eventSeq = new AtomicLong();
  private final String eventPrefix;
  private final AtomicBoolean heartbeatRequested = new AtomicBoolean();

  private final LongAdder rejected = new LongAdder();
  private final LongAdder dropped = new LongAdder();
  private final AtomicLong pointsSent = new AtomicLong();
  private final AtomicLong eventsSent = new AtomicLong();
  private final AtomicLong retries = new AtomicLong();
  private final AtomicLong requests = new AtomicLong();

  private volatile boolean closed;
  private volatile boolean stopping;
  private volatile boolean abort;
  private volatile boolean metricsBatch = true;
  private volatile boolean eventsBatch = true;
  private volatile AnimusApiException lastError;
  private final Thread sender;

  private RunTelemetryLogger(Builder b) {
    if (b.runId == null || b.runId.isBlank()) {
      throw new IllegalArgumentException("runId must be a non-empty string (RUN_ID)");
    }
    if (b.maxQueue < 1 || b.maxQueue > 1 << 30) {
      throw new IllegalArgumentException("maxQueue must be between 1 and 2^30");
    }
    if (b.maxRetries < 0) {
      throw new IllegalArgumentException("maxRetries must be >= 0");
    }
    if (b.parallelRequests < 1 || b.parallelRequests > 8) {
      throw new IllegalArgumentException("parallelRequests must be between 1 and 8");
    }
    if (b.batchMaxPoints < 1) {
      throw new IllegalArgumentException("batchMaxPoints must be at least 1");
    }
    requirePositive(b.flushInterval, "flushInterval");
    requirePositive(b.retryBase, "retryBase");
    requirePositive(b.retryMax, "retryMax");
    if (b.heartbeatInterval != null) {
      requirePositive(b.heartbeatInterval, "heartbeatInterval");
    }
    this.http = new Transport(b.gatewayUrl == null ? Transport.DEFAULT_GATEWAY_URL : b.gatewayUrl, b.authToken,
        b.timeout);
    this.requestTimeout = b.timeout;
    this.runId = b.runId.strip();
    this.base = "/api/experiments/experiment-runs/" + Transport.segment(runId);
    this.capacity = b.maxQueue;
    this.ring = new TelemetryRing(capacity);
    this.maxRetries = b.maxRetries;
    this.batchPoints = Math.min(b.batchMaxPoints, SERVER_MAX_POINTS);
    this.parallelRequests = b.parallelRequests;
    this.flushIntervalNanos = b.flushInterval.toNanos();
    this.retryBaseNanos = b.retryBase.toNanos();
    this.retryMaxNanos = b.retryMax.toNanos();
    this.heartbeatIntervalNanos = b.heartbeatInterval == null ? 0 : b.heartbeatInterval.toNanos();
    this.wakeAt = Math.max(1, Math.min(batchPoints, capacity / 2));
    this.eventPrefix = Transport.newRequestId().substring(0, 16);
    this.sender = new Thread(this::runSender, "animus-telemetry-" + THREADS.incrementAndGet());
    sender.setDaemon(true);
    sender.start();
  }

  private static void requirePositive(Duration d, String name) {
    if (d == null || d.isNegative() || d.isZero()) {
      throw new IllegalArgumentException(name + " must be positive");
    }
  }

  /** A builder with no defaults taken from the environment. */
  public static Builder builder() {
    return new Builder();
  }

  /** A builder pre-filled from {@code DATAPILOT_URL} (then {@code ANIMUS_GATEWAY_URL}), {@code RUN_ID} and {@code TOKEN} (then {@code ANIMUS_AUTH_TOKEN}). */
  public static Builder builderFromEnv(Map<String, String> env) {
    Builder b = new Builder();
    b.gatewayUrl = Env.first(env, "DATAPILOT_URL", "ANIMUS_GATEWAY_URL");
    b.runId = Env.first(env, "RUN_ID");
    b.authToken = Env.first(env, "TOKEN", "ANIMUS_AUTH_TOKEN");
    return b;
  }

  /** The logger a training container uses, configured from the process environment (see {@link #builderFromEnv}). */
  public static RunTelemetryLogger fromEnv() {
    return builderFromEnv(System.getenv()).build();
  }

  /** {@link #fromEnv()} reading the given variables. */
  public static RunTelemetryLogger fromEnv(Map<String, String> env) {
    return builderFromEnv(env).build();
  }

  /** The run this logger writes to. */
  public String runId() {
    return runId;
  }

  /** True once {@link #close()} started. */
  public boolean isClosed() {
    return closed;
  }

  /** The most recent failure seen by the sender, or null. */
  public AnimusApiException lastError() {
    return lastError;
  }

  /** A snapshot of the counters. */
  public Stats stats() {
    return new Stats(pointsSent.get(), eventsSent.get(), rejected.sum(), dropped.sum(), retries.get(),
        requests.get(), Math.max(0, ring.claimed() - settled));
  }

  // -- logging calls (never block) ---------------------------------------------------------------------

  /** Queues one metric point ({@code step >= 0}, name 1–255 characters, any double). False when full or closed. */
  public boolean logMetric(long step, String name, double value) {
    if (step < 0) {
      throw new IllegalArgumentException("step must be >= 0");
    }
    String n = metricName(name);
    long at = claim(1);
    if (at < 0) {
      return false;
    }
    ring.put(at, n, step, Double.doubleToRawLongBits(value), System.currentTimeMillis());
    wakeIfFull(at + 1);
    return true;
  }

  /** Queues several metrics of one step, all or none. False when they do not fit or the logger is closed. */
  public boolean logMetrics(long step, Map<String, ? extends Number> values) {
    return logMetrics(step, values, null);
  }

  /**
   * Queues several metrics of one step with optional {@code metadata} (attached to every sample; such groups go
   * through the single-step endpoint). All or none.
   */
  public boolean logMetrics(long step, Map<String, ? extends Number> values, Map<String, ?> metadata) {
    if (step < 0) {
      throw new IllegalArgumentException("step must be >= 0");
    }
    if (values == null || values.isEmpty()) {
      throw new IllegalArgumentException("metrics must be a non-empty map of name -> number");
    }
    Map<String, Double> clean = new LinkedHashMap<>();
    for (Map.Entry<String, ? extends Number> e : values.entrySet()) {
      if (e.getValue() == null) {
        throw new IllegalArgumentException("metric value of " + e.getKey() + " must be a number");
      }
      clean.putIfAbsent(metricName(e.getKey()), e.getValue().doubleValue());
    }
    if (metadata != null && !metadata.isEmpty()) {
      return offer(new Group(step, clean, new LinkedHashMap<>(metadata)));
    }
    long at = claim(clean.size());
    if (at < 0) {
      return false;
    }
    long now = System.currentTimeMillis();
    long i = at;
    for (Map.Entry<String, Double> e : clean.entrySet()) {
      ring.put(i++, e.getKey(), step, Double.doubleToRawLongBits(e.getValue()), now);
    }
    wakeIfFull(i);
    return true;
  }

  /** Queues an event at {@code level} ({@code debug}, {@code info}, {@code warn}/{@code warning}, {@code error}). */
  public boolean logEvent(String level, String message) {
    return logEvent(level, message, null);
  }

  /** Queues an event with metadata (may be null). */
  public boolean logEvent(String level, String message, Map<String, ?> metadata) {
    String l = level == null ? "" : level.strip().toLowerCase(Locale.ROOT);
    if ("warning".equals(l)) {
      l = "warn";
    }
    if (!LEVELS.contains(l)) {
      throw new IllegalArgumentException("level must be one of debug, info, warn, error");
    }
    if (message == null || message.isBlank()) {
      throw new IllegalArgumentException("message must be a non-empty string");
    }
    return queueEvent(l, message, metadata == null ? new LinkedHashMap<>() : new LinkedHashMap<>(metadata));
  }

  /** Queues an event reporting the worker's own status ({@code metadata.status}); the run status is unchanged. */
  public boolean logStatus(String status) {
    return logStatus(status, null, null);
  }

  /** {@link #logStatus(String)} with a message and metadata (either may be null). */
  public boolean logStatus(String status, String message, Map<String, ?> metadata) {
    if (status == null || status.isBlank()) {
      throw new IllegalArgumentException("status must be a non-empty string");
    }
    Map<String, Object> meta = metadata == null ? new LinkedHashMap<>() : new LinkedHashMap<>(metadata);
    meta.put("status", status.strip());
    return queueEvent("info", message == null || message.isBlank() ? "status: " + status.strip() : message, meta);
  }

  /** Queues a progress event ({@code progress_step}). */
  public boolean logProgress(long step) {
    return logProgress(step, null, null, null);
  }

  /**
   * Queues a progress event: {@code progress_step}, {@code progress_total_steps} (positive, may be null) and
   * {@code progress_percent} (a finite fraction {@code >= 0}, may be null).
   */
  public boolean logProgress(long step, Long totalSteps, Double percent, String message) {
    if (step < 0) {
      throw new IllegalArgumentException("step must be >= 0");
    }
    Map<String, Object> meta = new LinkedHashMap<>();
    meta.put("progress_step", step);
    if (totalSteps != null) {
      if (totalSteps < 1) {
        throw new IllegalArgumentException("totalSteps must be a positive integer");
      }
      meta.put("progress_total_steps", totalSteps);
    }
    if (percent != null) {
      if (!Double.isFinite(percent) || percent < 0) {
        throw new IllegalArgumentException("percent must be a finite number >= 0");
      }
      meta.put("progress_percent", percent);
    }
    return queueEvent("info", message == null || message.isBlank() ? "progress" : message, meta);
  }

  /** Asks the sender to post a heartbeat soon. False when the logger is closed. */
  public boolean heartbeat() {
    if (closed) {
      return false;
    }
    heartbeatRequested.set(true);
    LockSupport.unpark(sender);
    return true;
  }

  private boolean queueEvent(String level, String message, Map<String, Object> metadata) {
    return offer(new Event(eventPrefix + "-" + eventSeq.incrementAndGet(), level, message, metadata,
        System.currentTimeMillis()));
  }

  /** Queues an event or a metric group in one slot. */
  private boolean offer(Object item) {
    long at = claim(1);
    if (at < 0) {
      return false;
    }
    ring.put(at, item);
    wakeIfFull(at + 1);
    return true;
  }

  /** Claims {@code n} slots, or counts them rejected (full or closed) and answers -1. */
  private long claim(int n) {
    long at = closed ? -1 : ring.claim(n);
    if (at < 0) {
      rejected.add(n);
    }
    return at;
  }

  /**
   * Wakes a parked sender once {@link #wakeAt} slots wait before {@code end}. Without a fence between the slot's
   * release store and this read, a wake-up can be missed in a rare race; the sender then sleeps at most the flush
   * interval, which delays data but never loses it.
   */
  private void wakeIfFull(long end) {
    if (sleeping.get() && end - ring.consumed() >= wakeAt && sleeping.compareAndSet(true, false)) {
      LockSupport.unpark(sender);
    }
  }

  private static String metricName(String name) {
    if (name == null) {
      throw new IllegalArgumentException("metric name must be a string of 1 to 255 characters");
    }
    int len = name.length();
    if (len > 0 && len <= 255 && !Character.isWhitespace(name.charAt(0))
        && !Character.isWhitespace(name.charAt(len - 1))) {
      return name;
    }
    String s = name.strip();
    if (s.isEmpty() || s.length() > 255) {
      throw new IllegalArgumentException("metric name must be a string of 1 to 255 characters");
    }
    return s;
  }

  // -- flush / close -----------------------------------------------------------------------------------

  /** Waits until everything queued so far was sent or dropped; true when that happened within {@code timeout}. */
  public boolean flush(Duration timeout) {
    long deadline = System.nanoTime() + Math.max(0, timeout.toNanos());
    long target = ring.claimed();
    while (true) {
      if (settled >= target) {
        return true;
      }
      if (!sender.isAlive() || System.nanoTime() - deadline >= 0) {
        return false;
      }
      LockSupport.unpark(sender);
      LockSupport.parkNanos(1_000_000);
    }
  }

  /** {@link #close(Duration)} with a 5 second timeout. */
  @Override
  public void close() {
    close(Duration.ofSeconds(5));
  }

  /**
   * Stops accepting data, waits up to {@code timeout} for delivery, then stops the sender (interrupting a request
   * in flight). Returns within about {@code timeout}; true when nothing was left undelivered.
   */
  public boolean close(Duration timeout) {
    long deadline = System.nanoTime() + Math.max(0, timeout.toNanos());
    closed = true;
    boolean drained = flush(timeout);
    stopping = true;
    abort = true;
    LockSupport.unpark(sender);
    if (sender.isAlive() && !drained) {
      sender.interrupt();
    }
    try {
      long left = Math.max(50_000_000L, deadline - System.nanoTime());
      sender.join(Math.max(1, left / 1_000_000));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (!sender.isAlive()) {
      // Slots the sender never took (claimed by a call that raced with close) are dropped.
      long left = ring.claimed() - settled;
      if (left > 0) {
        dropped.add(left);
        settled = ring.claimed();
      }
    }
    return drained;
  }

  // -- sender thread -----------------------------------------------------------------------------------

  private void runSender() {
    long nextHeartbeat = heartbeatIntervalNanos > 0 ? System.nanoTime() : Long.MAX_VALUE;
    while (!stopping) {
      if (!hasData() && !heartbeatRequested.get()) {
        sleeping.set(true);
        if (!hasData() && !heartbeatRequested.get() && !stopping) {
          long wait = heartbeatIntervalNanos == 0 ? flushIntervalNanos
              : Math.min(flushIntervalNanos, Math.max(1, nextHeartbeat - System.nanoTime()));
          LockSupport.parkNanos(this, wait);
        }
        sleeping.set(false);
      }
      if (Thread.interrupted() && abort) {
        break;
      }
      try {
        while (hasData() && !abort) {
          sendRound();
          if (heartbeatRequested.get() || heartbeatIntervalNanos > 0 && System.nanoTime() - nextHeartbeat >= 0) {
            break; // a due heartbeat goes out between rounds even while data keeps coming
          }
        }
        if (heartbeatIntervalNanos > 0 && System.nanoTime() - nextHeartbeat >= 0 && !abort) {
          heartbeatRequested.set(true);
          nextHeartbeat = System.nanoTime() + heartbeatIntervalNanos;
        }
        if (heartbeatRequested.getAndSet(false) && !abort) {
          byte[] empty = {'{', '}'};
          Transport.Response r = post("/heartbeat", empty, empty.length);
          if (r != null && r.status() >= 300) {
            lastError = Transport.apiError(r);
          }
        }
      } catch (RuntimeException e) {
        lastError = new AnimusApiException(0, "client_error", null,
            Json.MAPPER.getNodeFactory().textNode(String.valueOf(e)));
      }
    }
    if (helpers != null) {
      helpers.shutdownNow();
    }
  }

  private boolean hasData() {
    return ring.ref(ring.consumed()) != null;
  }

  /** A name's JSON bytes and the lane its points travel in (sender thread only). */
  private record NameInfo(byte[] encoded, int lane) {}

  private final Map<String, NameInfo> names = new HashMap<>();
  private int nextLane;
  private Lane[] lanes;
  private final List<Event> bEvents = new ArrayList<>();

  /**
   * Takes the published slots (up to one batch of points per lane, one batch of events, or one metric group) out
   * of the ring, frees them, sends them, and marks them settled. Points leave before a group queued after them.
   * Lanes holding points are sent at the same time, one request each; a metric name always travels in the same
   * lane and the next round starts when every lane was answered, so the points of one name stay in order.
   */
  private void sendRound() {
    if (lanes == null) {
      lanes = new Lane[parallelRequests];
      for (int i = 0; i < lanes.length; i++) {
        lanes[i] = new Lane();
      }
    }
    for (Lane lane : lanes) {
      lane.size = 0;
      lane.bytes = 0;
    }
    if (names.size() >= 100_000) {
      // Only between rounds: a name must not change lanes while points of it are in a lane.
      names.clear();
    }
    bEvents.clear();
    Group group = null;
    long pos = ring.consumed();
    boolean anyPoints = false;
    while (bEvents.size() < MAX_EVENTS_PER_BATCH) {
      Object ref = ring.ref(pos);
      if (ref == null) {
        break;
      }
      if (ref instanceof String name) {
        NameInfo info = nameInfo(name);
        Lane lane = lanes[info.lane()];
        if (lane.size == batchPoints
            || lane.size > 0 && lane.bytes + info.encoded().length + POINT_OVERHEAD > MAX_BODY_BYTES) {
          break;
        }
        lane.add(name, info.encoded(), ring.step(pos), ring.value(pos), ring.time(pos));
        anyPoints = true;
      } else if (ref instanceof Event e) {
        bEvents.add(e);
      } else {
        if (anyPoints) {
          break;
        }
        group = (Group) ref;
        ring.clear(pos++);
        break;
      }
      ring.clear(pos++);
    }
    ring.release(pos);
    try {
      if (anyPoints) {
        sendLanes();
      }
      if (group != null) {
        sendSingle(group.step(), group.metrics(), group.metadata());
      }
      if (!bEvents.isEmpty()) {
        sendEvents(new ArrayList<>(bEvents));
      }
    } finally {
      settled = pos; // even after an unexpected error, so that flush and close never wait for these slots
    }
  }

  /** Sends every lane that holds points: the first on this thread, the others on helper threads. */
  private void sendLanes() {
    if (!metricsBatch) {
      sendLeftSingly();
      return;
    }
    List<Lane> others = new ArrayList<>();
    Lane mine = null;
    for (Lane lane : lanes) {
      if (lane.size == 0) {
        continue;
      }
      if (mine == null) {
        mine = lane;
      } else {
        others.add(lane);
      }
    }
    CountDownLatch done = new CountDownLatch(others.size());
    for (Lane lane : others) {
      helpers().execute(() -> {
        lane.runner = Thread.currentThread();
        try {
          lane.send();
        } finally {
          lane.runner = null;
          done.countDown();
        }
      });
    }
    mine.send();
    awaitHelpers(done, others);
    sendLeftSingly();
  }

  /**
   * Sends the points the lanes kept because the server has no batch route through the single-step endpoint: one
   * request per step, all lanes merged (a name's steps keep their order).
   */
  private void sendLeftSingly() {
    Map<Long, Map<String, Double>> byStep = new LinkedHashMap<>();
    int left = 0;
    for (Lane lane : lanes) {
      for (int i = 0; i < lane.size; i++) {
        byStep.computeIfAbsent(lane.steps[i], k -> new LinkedHashMap<>()).putIfAbsent(lane.names[i],
            lane.values[i]);
      }
      left += lane.size;
      lane.size = 0;
    }
    int grouped = 0;
    for (Map.Entry<Long, Map<String, Double>> e : byStep.entrySet()) {
      grouped += e.getValue().size();
      sendSingle(e.getKey(), e.getValue(), null);
    }
    // Same-step same-name repeats were merged (the server keeps the first write anyway).
    pointsSent.addAndGet(left - grouped);
  }

  /**
   * Waits until the helpers' requests were answered or given up. When the sender is interrupted (close), it cuts
   * their requests too and still waits, so that their points are counted before the round is settled.
   */
  private static void awaitHelpers(CountDownLatch done, List<Lane> others) {
    boolean interrupted = false;
    while (true) {
      try {
        done.await();
        break;
      } catch (InterruptedException e) {
        interrupted = true;
        for (Lane lane : others) {
          Thread t = lane.runner;
          if (t != null) {
            t.interrupt();
          }
        }
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }

  private ExecutorService helpers;

  private ExecutorService helpers() {
    if (helpers == null) {
      String name = sender.getName() + "-lane";
      helpers = Executors.newFixedThreadPool(parallelRequests - 1, r -> {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
      });
    }
    return helpers;
  }

  /** Upper bound of a point's bytes in a batch body besides its name. */
  private static final int POINT_OVERHEAD = 128;

  private void drop(long n) {
    dropped.add(n);
  }

  /** One request's worth of points, copied out of the ring so that its slots are free while it is in flight. */
  private final class Lane {
    private final String[] names = new String[batchPoints];
    private final byte[][] encoded = new byte[batchPoints][];
    private final long[] steps = new long[batchPoints];
    private final double[] values = new double[batchPoints];
    private final long[] times = new long[batchPoints];
    private final Body body = new Body();
    private long isoSecond = Long.MIN_VALUE;
    private byte[] isoPrefix = new byte[0];
    /** The helper thread sending this lane, while it does. */
    volatile Thread runner;
    int size;
    long bytes;

    void add(String name, byte[] nameBytes, long step, double value, long time) {
      names[size] = name;
      encoded[size] = nameBytes;
      steps[size] = step;
      values[size] = value;
      times[size] = time;
      size++;
      bytes += nameBytes.length + POINT_OVERHEAD;
    }

    /**
     * Sends the lane as {@code metrics:batch} requests. Leaves its points in place (for {@link #sendLeftSingly})
     * when the server has no batch route; otherwise the lane is empty afterwards.
     */
    void send() {
      while (size > 0 && metricsBatch) {
        write();
        int verdict = verdict(post("/metrics:batch", body.bytes(), body.size()), size);
        if (verdict == SENT) {
          pointsSent.addAndGet(size);
          size = 0;
        } else if (verdict == FALL_BACK) {
          metricsBatch = false;
        } else if (verdict == DROP_ALL) {
          drop(size);
          size = 0;
        } else {
          drop(1);
          remove(verdict);
        }
      }
    }

    private void remove(int i) {
      int tail = size - i - 1;
      System.arraycopy(names, i + 1, names, i, tail);
      System.arraycopy(encoded, i + 1, encoded, i, tail);
      System.arraycopy(steps, i + 1, steps, i, tail);
      System.arraycopy(values, i + 1, values, i, tail);
      System.arraycopy(times, i + 1, times, i, tail);
      size--;
    }

    /**
     * Writes {@code {"points":[{"name":..,"step":..,"timestamp":..,"value":..},..]}}: keys in the SDK's sorted
     * order, names escaped once per logger, no object tree per point.
     */
    private void write() {
      Body b = body;
      b.reset();
      b.writeBytes(POINTS_OPEN);
      for (int i = 0; i < size; i++) {
        if (i > 0) {
          b.write(',');
        }
        b.writeBytes(NAME);
        b.writeBytes(encoded[i]);
        b.writeBytes(STEP);
        b.number(steps[i]);
        b.writeBytes(TIMESTAMP);
        long millis = times[i];
        long sec = Math.floorDiv(millis, 1000);
        if (sec != isoSecond) {
          isoSecond = sec;
          isoPrefix = ascii(SECOND.format(Instant.ofEpochSecond(sec)));
        }
        b.writeBytes(isoPrefix);
        int ms = (int) Math.floorMod(millis, 1000);
        b.write('.');
        b.write('0' + ms / 100);
        b.twoDigits(ms % 100);
        b.writeBytes(VALUE);
        double v = values[i];
        if (Double.isNaN(v)) {
          b.ascii("NaN");
        } else if (Double.isInfinite(v)) {
          b.ascii(v > 0 ? "Infinity" : "-Infinity");
        } else if (v == (long) v && Math.abs(v) < 1e15 && (v != 0 || 1 / v > 0)) {
          b.number((long) v);
        } else {
          b.ascii(Double.toString(v));
        }
        b.write('}');
      }
      b.write(']');
      b.write('}');
    }
  }

  private void sendSingle(long step, Map<String, Double> values, Map<String, Object> metadata) {
    Map<String, Object> payload = new LinkedHashMap<>();
    payload.put("metrics", values);
    payload.put("step", step);
    if (metadata != null && !metadata.isEmpty()) {
      payload.put("metadata", metadata);
    }
    Transport.Response resp = post("/metrics", Json.canonicalBytes(payload));
    if (resp != null && resp.status() < 300) {
      pointsSent.addAndGet(values.size());
    } else {
      if (resp != null) {
        lastError = Transport.apiError(resp);
      }
      drop(values.size());
    }
  }

  private void sendEvents(List<Event> batch) {
    while (!batch.isEmpty()) {
      if (!eventsBatch) {
        for (Event e : batch) {
          Transport.Response resp = post("/events", Json.canonicalBytes(eventWire(e, false)));
          if (resp != null && resp.status() < 300) {
            eventsSent.incrementAndGet();
          } else {
            if (resp != null) {
              lastError = Transport.apiError(resp);
            }
            drop(1);
          }
        }
        return;
      }
      List<ObjectNode> wire = new ArrayList<>(batch.size());
      for (Event e : batch) {
        wire.add(eventWire(e, true));
      }
      byte[] bytes = Json.canonicalBytes(Map.of("events", wire));
      if (bytes.length > MAX_BODY_BYTES && batch.size() > 1) {
        int half = batch.size() / 2;
        sendEvents(new ArrayList<>(batch.subList(0, half)));
        batch = new ArrayList<>(batch.subList(half, batch.size()));
        continue;
      }
      int verdict = verdict(post("/events:batch", bytes), batch.size());
      if (verdict == SENT) {
        eventsSent.addAndGet(batch.size());
        return;
      }
      if (verdict == FALL_BACK) {
        eventsBatch = false;
      } else if (verdict == DROP_ALL) {
        drop(batch.size());
        return;
      } else {
        drop(1);
        batch.remove(verdict);
      }
    }
  }

  private static final int SENT = -1;
  private static final int FALL_BACK = -2;
  private static final int DROP_ALL = -3;

  /**
   * What becomes of a batch of {@code size} items after its answer ({@code resp} null: none came): {@link #SENT};
   * {@link #FALL_BACK} to the single-step endpoint (404 {@code route_not_found}); {@link #DROP_ALL}; or, for a 400
   * naming {@code details.index}, that index (drop it, resend the rest). Keeps any other error in lastError.
   */
  private int verdict(Transport.Response resp, int size) {
    if (resp == null) {
      return DROP_ALL;
    }
    if (resp.status() < 300) {
      return SENT;
    }
    AnimusApiException error = Transport.apiError(resp);
    if (resp.status() == 404 && "route_not_found".equals(error.code())) {
      return FALL_BACK;
    }
    lastError = error;
    int bad = badIndex(error, size);
    return resp.status() == 400 && bad >= 0 ? bad : DROP_ALL;
  }

  private static ObjectNode eventWire(Event e, boolean withClientId) {
    ObjectNode n = Json.MAPPER.createObjectNode();
    if (withClientId) {
      n.put("client_event_id", e.clientEventId());
    }
    n.put("level", e.level());
    n.put("message", e.message());
    if (!e.metadata().isEmpty()) {
      n.set("metadata", Json.MAPPER.valueToTree(e.metadata()));
    }
    n.put("occurred_at", DateTimeFormatter.ISO_INSTANT.format(Instant.ofEpochMilli(e.time())));
    return n;
  }

  private static int badIndex(AnimusApiException error, int size) {
    JsonNode index = error.body() == null ? null : error.body().path("details").path("index");
    if (index != null && index.isIntegralNumber() && index.asInt() >= 0 && index.asInt() < size) {
      return index.asInt();
    }
    return -1;
  }

  // -- the metrics:batch body, written straight from the batch arrays -----------------------------------

  /** A reusable, unsynchronized body buffer whose bytes are sent without a copy. */
  private static final class Body {
    private byte[] buf = new byte[1 << 16];
    private int count;

    byte[] bytes() {
      return buf;
    }

    int size() {
      return count;
    }

    void reset() {
      count = 0;
    }

    private void room(int n) {
      if (count + n > buf.length) {
        buf = Arrays.copyOf(buf, Math.max(buf.length * 2, count + n));
      }
    }

    void write(int b) {
      room(1);
      buf[count++] = (byte) b;
    }

    void writeBytes(byte[] b) {
      room(b.length);
      System.arraycopy(b, 0, buf, count, b.length);
      count += b.length;
    }

    void ascii(String s) {
      int n = s.length();
      room(n);
      for (int i = 0; i < n; i++) {
        buf[count++] = (byte) s.charAt(i);
      }
    }

    /** Writes {@code v} in decimal. */
    void number(long v) {
      if (v == Long.MIN_VALUE) {
        ascii(Long.toString(v));
        return;
      }
      room(20);
      if (v < 0) {
        buf[count++] = '-';
        v = -v;
      }
      int digits = 1;
      for (long x = v; x >= 10; x /= 10) {
        digits++;
      }
      for (int i = count + digits - 1; i >= count; i--) {
        buf[i] = (byte) ('0' + v % 10);
        v /= 10;
      }
      count += digits;
    }

    void twoDigits(int v) {
      room(2);
      buf[count++] = (byte) ('0' + v / 10);
      buf[count++] = (byte) ('0' + v % 10);
    }
  }

  private static final byte[] POINTS_OPEN = ascii("{\"points\":[");
  private static final byte[] NAME = ascii("{\"name\":\"");
  private static final byte[] STEP = ascii("\",\"step\":");
  private static final byte[] TIMESTAMP = ascii(",\"timestamp\":\"");
  private static final byte[] VALUE = ascii("Z\",\"value\":");

  private static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }

  /** The name's JSON string body (non-ASCII and control characters as {@code \\uXXXX}) and lane, cached. */
  private NameInfo nameInfo(String name) {
    NameInfo cached = names.get(name);
    if (cached != null) {
      return cached;
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream(name.length() + 8);
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      if (c == '"' || c == '\\') {
        out.write('\\');
        out.write(c);
      } else if (c < 0x20 || c > 0x7e) {
        String hex = Integer.toHexString(c);
        out.writeBytes(ascii("\\u" + "0".repeat(4 - hex.length()) + hex));
      } else {
        out.write(c);
      }
    }
    // Lanes are dealt round-robin to names in order of first appearance, so a few names spread evenly.
    NameInfo info = new NameInfo(out.toByteArray(), nextLane);
    nextLane = (nextLane + 1) % parallelRequests;
    names.put(name, info);
    return info;
  }

  /** POSTs with retries on status 0, 429 and 5xx; null when the attempts ran out without any answer. */
  private Transport.Response post(String suffix, byte[] body) {
    return post(suffix, body, body.length);
  }

  /** {@link #post(String, byte[])} of the first {@code length} bytes of {@code body}. */
  private Transport.Response post(String suffix, byte[] body, int length) {
    int attempt = 0;
    while (true) {
      if (abort) {
        return null;
      }
      requests.incrementAndGet();
      Transport.Response resp = null;
      try {
        resp = http.exchange("POST", base + suffix, null, HttpRequest.BodyPublishers.ofByteArray(body, 0, length),
            "application/json", null, requestTimeout);
      } catch (AnimusApiException e) {
        lastError = e;
      }
      if (resp != null && resp.status() != 429 && resp.status() < 500) {
        return resp;
      }
      if (resp != null) {
        lastError = Transport.apiError(resp);
      }
      if (attempt >= maxRetries || abort) {
        return resp;
      }
      long delay = backoffNanos(attempt, retryBaseNanos, retryMaxNanos, ThreadLocalRandom.current().nextDouble());
      if (resp != null) {
        String retryAfter = resp.headers().firstValue("Retry-After").orElse("").strip();
        if (!retryAfter.isEmpty() && retryAfter.chars().allMatch(Character::isDigit) && retryAfter.length() < 6) {
          delay = Math.min(Math.max(delay, Long.parseLong(retryAfter) * 1_000_000_000L), 30_000_000_000L);
        }
      }
      attempt++;
      retries.incrementAndGet();
      long until = System.nanoTime() + delay;
      while (!abort && System.nanoTime() - until < 0) {
        LockSupport.parkNanos(this, until - System.nanoTime());
      }
      if (abort) {
        return resp;
      }
    }
  }

  /**
   * The wait before retry number {@code attempt + 1}: {@code min(max, base * 2^attempt)} scaled by a jitter factor
   * in [0.5, 1) derived from {@code random} in [0, 1).
   */
  static long backoffNanos(int attempt, long baseNanos, long maxNanos, double random) {
    double raw = baseNanos * Math.pow(2, Math.min(attempt, 30));
    double capped = Math.min(maxNanos, raw);
    return (long) (capped * (0.5 + random / 2));
  }

  /**
   * Builds a {@link RunTelemetryLogger}. Defaults: gateway http://localhost:8080, per-request timeout 5 s, queue
   * of 65,536 items, 10 retries, 5,000 points per batch, 2 batches in flight, flush interval 200 ms, backoff 200 ms
   * doubling up to 5 s, no automatic heartbeat.
   */
  public static final class Builder {
    private String gatewayUrl;
    private String runId;
    private String authToken;
    private Duration timeout = Duration.ofSeconds(5);
    private int maxQueue = 65_536;
    private int maxRetries = 10;
    private int batchMaxPoints = 5_000;
    private int parallelRequests = 2;
    private Duration flushInterval = Duration.ofMillis(200);
    private Duration retryBase = Duration.ofMillis(200);
    private Duration retryMax = Duration.ofSeconds(5);
    private Duration heartbeatInterval;

    private Builder() {}

    /** The gateway base URL ({@code DATAPILOT_URL} in jobs). */
    public Builder gatewayUrl(String url) {
      this.gatewayUrl = url;
      return this;
    }

    /** The run to write to ({@code RUN_ID}). */
    public Builder runId(String runId) {
      this.runId = runId;
      return this;
    }

    /** The bearer token ({@code TOKEN}, a run token, in jobs). */
    public Builder authToken(String token) {
      this.authToken = token;
      return this;
    }

    /** The per-request timeout. */
    public Builder timeout(Duration timeout) {
      this.timeout = timeout;
      return this;
    }

    /**
     * Queue capacity in items waiting for the sender (a point, an event, or a metric group with metadata each take
     * one); the sender holds at most one more batch in flight besides them.
     */
    public Builder maxQueue(int maxQueue) {
      this.maxQueue = maxQueue;
      return this;
    }

    /** Retries per request on status 0, 429 and 5xx. */
    public Builder maxRetries(int maxRetries) {
      this.maxRetries = maxRetries;
      return this;
    }

    /** Points per {@code metrics:batch} request (at most 10,000). */
    public Builder batchMaxPoints(int n) {
      this.batchMaxPoints = n;
      return this;
    }

    /**
     * How many {@code metrics:batch} requests may be in flight at once (1–8, default 2). Each metric name always
     * travels in the same one of them, so the points of a name still arrive in call order.
     */
    public Builder parallelRequests(int n) {
      this.parallelRequests = n;
      return this;
    }

    /** How long the sender waits for more data before sending what it has. */
    public Builder flushInterval(Duration d) {
      this.flushInterval = d;
      return this;
    }

    /** First retry delay; doubled per attempt up to {@link #retryMax(Duration)}, with jitter. */
    public Builder retryBase(Duration d) {
      this.retryBase = d;
      return this;
    }

    /** Longest retry delay (a {@code Retry-After} may ask for up to 30 s). */
    public Builder retryMax(Duration d) {
      this.retryMax = d;
      return this;
    }

    /** Posts a heartbeat this often (null: only on {@link RunTelemetryLogger#heartbeat()}). */
    public Builder heartbeatInterval(Duration d) {
      this.heartbeatInterval = d;
      return this;
    }

    /** Starts the logger and its sender thread; throws IllegalArgumentException for invalid settings. */
    public RunTelemetryLogger build() {
      return new RunTelemetryLogger(this);
    }
  }
}
