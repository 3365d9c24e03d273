package io.animus.datapilot.telemetry;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.animus.datapilot.kernel.Json;
import io.animus.datapilot.storage.Notifications;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.jdbi.v3.core.Handle;

/**
 * Publishes telemetry changes with PostgreSQL NOTIFY inside the writing transaction, so every
 * replica's {@link StreamHub} hears them exactly when they commit. Payloads stay far below
 * PostgreSQL's 8000-byte limit: small metric writes carry their samples, large ones name step
 * ranges that the hub reads back.
 */
public final class Notifier {
  public static final String CHANNEL = "datapilot_stream";
  static final int RANGES_PER_MESSAGE = 120;

  public void status(Handle h, UUID runId, Object state) {
    ObjectNode msg = Json.object().put("k", "s").put("r", runId.toString());
    msg.set("s", Json.mapper().valueToTree(state));
    send(h, msg);
  }

  public void events(Handle h, UUID runId, long fromId, long toId) {
    send(h, Json.object().put("k", "e").put("r", runId.toString()).put("a", fromId).put("b", toId));
  }

  /** One write of a group commit, for {@link #metricsOfGroup}. */
  public record Write(UUID runId, MetricStore.WriteResult result, Map<Integer, String> names) {}

  /** The notifications of a group commit's writes, in one round trip. */
  public void metricsOfGroup(Handle h, List<Write> writes) {
    List<String> payloads = new java.util.ArrayList<>();
    for (Write w : writes) {
      metricPayloads(w.runId(), w.result(), w.names(), payloads);
    }
    Notifications.sendAll(h, CHANNEL, payloads);
  }

  private static void metricPayloads(UUID runId, MetricStore.WriteResult write, Map<Integer, String> names,
                                     List<String> out) {
    if (write.insertedCount() == 0) {
      return;
    }
    if (!write.points().isEmpty()) {
      ObjectNode msg = Json.object().put("k", "m").put("r", runId.toString()).put("w", write.writeId());
      ArrayNode samples = msg.putArray("x");
      for (MetricStore.Inserted p : write.points()) {
        samples.addArray().add(names.get(p.seriesId())).add(p.step()).add(p.value())
            .add(Json.formatInstant(p.recordedAt()));
      }
      out.add(Json.writeString(msg));
      return;
    }
    List<MetricStore.SeriesRange> all = write.ranges();
    for (int from = 0; from < all.size(); from += RANGES_PER_MESSAGE) {
      ObjectNode msg = Json.object().put("k", "m").put("r", runId.toString()).put("w", write.writeId());
      ArrayNode groups = msg.putArray("g");
      for (MetricStore.SeriesRange r : all.subList(from, Math.min(all.size(), from + RANGES_PER_MESSAGE))) {
        groups.addArray().add(r.seriesId()).add(r.fromStep()).add(r.toStep());
      }
      out.add(Json.writeString(msg));
    }
  }

  private static void send(Handle h, ObjectNode msg) {
    Notifications.send(h, CHANNEL, Json.writeString(msg));
  }
}
