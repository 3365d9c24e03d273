package io.animus.datapilot.telemetry;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.animus.datapilot.common.Hashing;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.UUID;

/**
 * A stored sample as answered. Non-finite values are written as the strings "NaN",
 * "Infinity" and "-Infinity" (Jackson's default for doubles).
 */
public record MetricSample(String sampleId, UUID runId, Instant recordedAt, String recordedBy, long step, String name,
                           double value, ObjectNode metadata) {

  /** Samples are keyed by (run, name, step); their id is derived from that key, so it is stable. */
  public static String idOf(UUID runId, String name, long step) {
    var sha = Hashing.sha256();
    sha.update(runId.toString().getBytes(StandardCharsets.UTF_8));
    sha.update((byte) 0);
    sha.update(name.getBytes(StandardCharsets.UTF_8));
    sha.update((byte) 0);
    sha.update(ByteBuffer.allocate(8).putLong(step).array());
    ByteBuffer bytes = ByteBuffer.wrap(sha.digest());
    long high = (bytes.getLong() & ~0xF000L) | 0x4000L;
    long low = (bytes.getLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L;
    return new UUID(high, low).toString();
  }
}
