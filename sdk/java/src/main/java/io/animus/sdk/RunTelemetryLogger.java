package io.animus.sdk;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

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
  /**
   * Counters: items sent, rejected at the call (queue full or closed), dropped by the sender (refused by the
   * server, retries exhausted, or left over at close), retries, requests, and items still queued.
   *
   * @param pointsSent metric points the server accepted
   * @param eventsSent events the server accepted
   * @param rejected items refused at the call
   * @param dropped items the sender gave up on
   * @param retries requests sent again
   * @param requests requests sent, retries included
   * @param queued items waiting for the sender
   */
  public record Stats(long pointsSent, long eventsSent, long rejected, long dropped, long retries, long requests,
      long queued) {}

  private final String runId;
  private final LongSupplier clock;
  /** Points, events and metric groups in call order; the sender is its only consumer. */
  private final TelemetryRing ring;
  private final TelemetryCounters counters = new TelemetryCounters();
  private final TelemetrySender sender;
  private final AtomicLong eventSeq = new AtomicLong();
  private final String eventPrefix;
  private volatile boolean closed;

  private RunTelemetryLogger(TelemetrySettings settings, Transport http) {
    this.runId = settings.runId();
    this.clock = settings.clock();
    this.ring = new TelemetryRing(settings.capacity());
    this.eventPrefix = Transport.newRequestId().substring(0, 16);
    this.sender = new TelemetrySender(settings, http, ring, counters);
    sender.start();
  }

  /** A builder with no defaults taken from the environment. */
  public static Builder builder() {
    return new Builder(Map.of());
  }

  /** A builder pre-filled from {@code DATAPILOT_URL} (then {@code ANIMUS_GATEWAY_URL}), {@code RUN_ID} and {@code TOKEN} (then {@code ANIMUS_AUTH_TOKEN}). */
  public static Builder builderFromEnv(Map<String, String> env) {
    return new Builder(env).fromJobEnv().runId(Env.first(env, "RUN_ID"));
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
    return counters.lastError;
  }

  /** A snapshot of the counters. */
  public Stats stats() {
    return counters.snapshot(sender.queued());
  }

  // -- logging calls (never block) ---------------------------------------------------------------------

  /** Queues one metric point ({@code step >= 0}, name 1–255 characters, any double). False when full or closed. */
  public boolean logMetric(long step, String name, double value) {
    TelemetryInput.step(step);
    String n = TelemetryInput.metricName(name);
    long at = claim(1);
    if (at < 0) {
      return false;
    }
    ring.put(at, n, step, Double.doubleToRawLongBits(value), clock.getAsLong());
    sender.wakeIfFull(at + 1);
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
    TelemetryInput.step(step);
    Map<String, Double> clean = TelemetryInput.metrics(values);
    if (metadata != null && !metadata.isEmpty()) {
      return offer(new MetricGroup(step, clean, TelemetryInput.metadata(metadata)));
    }
    long at = claim(clean.size());
    if (at < 0) {
      return false;
    }
    long now = clock.getAsLong();
    long i = at;
    for (Map.Entry<String, Double> e : clean.entrySet()) {
      ring.put(i++, e.getKey(), step, Double.doubleToRawLongBits(e.getValue()), now);
    }
    sender.wakeIfFull(i);
    return true;
  }

  /** Queues an event at {@code level} ({@code debug}, {@code info}, {@code warn}/{@code warning}, {@code error}). */
  public boolean logEvent(String level, String message) {
    return logEvent(level, message, null);
  }

  /** Queues an event with metadata (may be null). */
  public boolean logEvent(String level, String message, Map<String, ?> metadata) {
    String l = TelemetryInput.level(level);
    return queueEvent(l, TelemetryInput.message(message), TelemetryInput.metadata(metadata));
  }

  /** Queues an event reporting the worker's own status ({@code metadata.status}); the run status is unchanged. */
  public boolean logStatus(String status) {
    return logStatus(status, null, null);
  }

  /** {@link #logStatus(String)} with a message and metadata (either may be null). */
  public boolean logStatus(String status, String message, Map<String, ?> metadata) {
    String s = TelemetryInput.status(status);
    Map<String, Object> meta = TelemetryInput.metadata(metadata);
    meta.put("status", s);
    return queueEvent("info", message == null || message.isBlank() ? "status: " + s : message, meta);
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
    Map<String, Object> meta = TelemetryInput.progress(step, totalSteps, percent);
    return queueEvent("info", message == null || message.isBlank() ? "progress" : message, meta);
  }

  /** Asks the sender to post a heartbeat soon. False when the logger is closed. */
  public boolean heartbeat() {
    if (closed) {
      return false;
    }
    sender.requestHeartbeat();
    return true;
  }

  private boolean queueEvent(String level, String message, Map<String, Object> metadata) {
    return offer(new QueuedEvent(eventPrefix + "-" + eventSeq.incrementAndGet(), level, message, metadata,
        clock.getAsLong()));
  }

  /** Queues an event or a metric group in one slot. */
  private boolean offer(Object item) {
    long at = claim(1);
    if (at < 0) {
      return false;
    }
    ring.put(at, item);
    sender.wakeIfFull(at + 1);
    return true;
  }

  /** Claims {@code n} slots, or counts them rejected (full or closed) and answers -1. */
  private long claim(int n) {
    long at = closed ? -1 : ring.claim(n);
    if (at < 0) {
      counters.rejected.add(n);
    }
    return at;
  }

  // -- flush / close -----------------------------------------------------------------------------------

  /** Waits until everything queued so far was sent or dropped; true when that happened within {@code timeout}. */
  public boolean flush(Duration timeout) {
    return sender.flush(timeout);
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
    closed = true;
    return sender.close(timeout);
  }

  /** True while the sender thread runs (for tests). */
  boolean senderAlive() {
    return sender.isAlive();
  }

  /**
   * Builds a {@link RunTelemetryLogger}; the connection settings (gateway URL, token, project, timeout) are those of
   * every client builder. Defaults: gateway http://localhost:8080, per-request timeout 5 s, queue of 65,536 items,
   * 10 retries, 5,000 points per batch, 2 batches in flight, flush interval 200 ms, backoff 200 ms doubling up to
   * 5 s, no automatic heartbeat.
   */
  public static final class Builder extends ClientBuilder<Builder> {
    private String runId;
    private int maxQueue = 65_536;
    private int maxRetries = 10;
    private int batchMaxPoints = 5_000;
    private int parallelRequests = 2;
    private Duration flushInterval = Duration.ofMillis(200);
    private Duration retryBase = Duration.ofMillis(200);
    private Duration retryMax = Duration.ofSeconds(5);
    private Duration heartbeatInterval;
    private LongSupplier clock = System::currentTimeMillis;
    private RetryingPoster.Sleeper sleeper = RetryingPoster.Sleeper.PARK;

    private Builder(Map<String, String> env) {
      super(env);
      timeout(Duration.ofSeconds(5));
    }

    @Override
    Builder self() {
      return this;
    }

    /** The run to write to ({@code RUN_ID}). */
    public Builder runId(String runId) {
      this.runId = runId;
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

    /** The clock stamped on points and events, epoch milliseconds (tests). */
    Builder clock(LongSupplier clock) {
      this.clock = clock;
      return this;
    }

    /** The wait between attempts (tests record it instead of sleeping). */
    Builder sleeper(RetryingPoster.Sleeper sleeper) {
      this.sleeper = sleeper;
      return this;
    }

    /** Starts the logger and its sender thread; throws IllegalArgumentException for invalid settings. */
    public RunTelemetryLogger build() {
      TelemetrySettings settings = new TelemetrySettings(runId, maxQueue, maxRetries, batchMaxPoints,
          parallelRequests, TelemetrySettings.positive(flushInterval, "flushInterval"),
          TelemetrySettings.positive(retryBase, "retryBase"), TelemetrySettings.positive(retryMax, "retryMax"),
          heartbeatInterval == null ? 0 : TelemetrySettings.positive(heartbeatInterval, "heartbeatInterval"),
          clock, sleeper);
      return new RunTelemetryLogger(settings, transport());
    }
  }
}
