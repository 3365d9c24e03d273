package io.animus.datapilot.ops;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/** The Prometheus registry and the series docs/protocol.md §9 names. */
public final class HttpMetrics {
  public static final String[] RUN_STATUSES = {"pending", "running", "succeeded", "failed", "canceled"};
  private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final Map<String, AtomicLong> runsByStatus = new ConcurrentHashMap<>();
  private final AtomicInteger sseConnections = new AtomicInteger();
  private final Counter samplesInserted;

  public HttpMetrics() {
    samplesInserted = Counter.builder("datapilot.metric.samples.inserted")
        .description("metric samples stored").register(registry);
    for (String status : RUN_STATUSES) {
      AtomicLong value = new AtomicLong();
      runsByStatus.put(status, value);
      Gauge.builder("datapilot.runs", value, AtomicLong::get).tag("status", status)
          .description("runs by effective status").register(registry);
    }
    Gauge.builder("datapilot.sse.connections", sseConnections, AtomicInteger::get)
        .description("open live-stream connections").register(registry);
  }

  public void record(String method, String route, int status, long nanos) {
    registry.counter("datapilot.http.requests", "method", method, "route", route, "status",
        Integer.toString(status)).increment();
    Timer.builder("datapilot.http.request.duration").tag("method", method).tag("route", route)
        .register(registry).record(nanos, TimeUnit.NANOSECONDS);
  }

  public Counter samplesInserted() {
    return samplesInserted;
  }

  public AtomicInteger sseConnections() {
    return sseConnections;
  }

  /** Counts a live stream refused by a cap ({@code server} or {@code principal}). */
  public void sseRefused(String limit) {
    registry.counter("datapilot.sse.refused", "limit", limit).increment();
  }

  /** Sets the run gauges from a fresh count (taken when /metrics is scraped). */
  public void setRunCounts(Map<String, Long> counts) {
    runsByStatus.forEach((status, value) -> value.set(counts.getOrDefault(status, 0L)));
  }

  public String scrape() {
    return registry.scrape();
  }
}
