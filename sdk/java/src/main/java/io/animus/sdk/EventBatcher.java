package io.animus.sdk;

import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Sends queued events as {@code events:batch} requests (sender thread only): each event carries its
 * {@code client_event_id} so a resent batch never duplicates, a body over the limit is split in halves, a 400
 * naming {@code details.index} drops that event and resends the rest, and without a batch route (404
 * {@code route_not_found}) every event goes alone through the single-event endpoint.
 */
final class EventBatcher {
  /** Events taken per round at most. */
  static final int MAX_EVENTS_PER_BATCH = 1_000;

  private final RetryingPoster poster;
  private final TelemetryCounters counters;
  private boolean batchRoute = true;

  EventBatcher(RetryingPoster poster, TelemetryCounters counters) {
    this.poster = poster;
    this.counters = counters;
  }

  /** Sends {@code batch} (a list this call may change), counting each event sent or dropped. */
  void send(List<QueuedEvent> batch) {
    while (!batch.isEmpty()) {
      if (!batchRoute) {
        sendSingly(batch);
        return;
      }
      List<Map<String, Object>> wire = new ArrayList<>(batch.size());
      for (QueuedEvent e : batch) {
        wire.add(wire(e, true));
      }
      byte[] bytes = Json.canonicalBytes(Map.of("events", wire));
      if (bytes.length > MetricLanes.MAX_BODY_BYTES && batch.size() > 1) {
        int half = batch.size() / 2;
        send(new ArrayList<>(batch.subList(0, half)));
        batch = new ArrayList<>(batch.subList(half, batch.size()));
        continue;
      }
      Verdict verdict = poster.post("/events:batch", bytes, batch.size());
      if (verdict instanceof Verdict.Accepted) {
        counters.eventsSent.addAndGet(batch.size());
        return;
      }
      if (verdict instanceof Verdict.RouteMissing) {
        batchRoute = false;
      } else if (verdict instanceof Verdict.RejectedItem item) {
        counters.failed(item.error());
        counters.drop(1);
        batch.remove(item.index());
      } else {
        counters.failed(verdict.error());
        counters.drop(batch.size());
        return;
      }
    }
  }

  private void sendSingly(List<QueuedEvent> batch) {
    for (QueuedEvent e : batch) {
      Verdict verdict = poster.post("/events", Json.canonicalBytes(wire(e, false)), 1);
      if (verdict instanceof Verdict.Accepted) {
        counters.eventsSent.incrementAndGet();
      } else {
        counters.failed(verdict.error());
        counters.drop(1);
      }
    }
  }

  /** The event's JSON object (keys are sorted when written). */
  static Map<String, Object> wire(QueuedEvent e, boolean withClientId) {
    Map<String, Object> n = new LinkedHashMap<>();
    if (withClientId) {
      n.put("client_event_id", e.clientEventId());
    }
    n.put("level", e.level());
    n.put("message", e.message());
    if (!e.metadata().isEmpty()) {
      n.put("metadata", e.metadata());
    }
    n.put("occurred_at", DateTimeFormatter.ISO_INSTANT.format(Instant.ofEpochMilli(e.time())));
    return n;
  }
}
