package io.animus.datapilot.experiments;

import java.util.Collection;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.jdbi.v3.core.Handle;

/**
 * What run lists read of the metric points, which telemetry owns: declared here so that
 * experiments never depends on telemetry; telemetry implements it and {@code App} wires it in.
 * The points may live in a database of their own (docs/points-store.md), so every method may read
 * there instead of through the run list's handle.
 */
public interface LatestMetrics {
  /**
   * For each run, {name: value} of the highest-step point of every metric; one read for the whole
   * page. {@code metadata} is the run list's handle, used when the points share its database.
   */
  Map<UUID, Map<String, Double>> latestByRun(Handle metadata, Collection<UUID> runIds);

  /**
   * An SQL expression of type float8 over a row of {@code runs} aliased {@code r}: the latest value of the metric
   * named by the parameter {@code :key}, null when the run has none. Run lists sort by it inside
   * their own query, so sorting by a metric costs no extra round trip. Empty when the points live
   * in another database: then run lists sort by {@link #valuesOf}.
   */
  Optional<String> latestValueOfKey();

  /** The latest value of metric {@code key} of every run that has one, whatever its project (run search). */
  Map<UUID, Double> valuesOfName(String key);

  /** The latest value of metric {@code key} of each of these runs that has one. */
  Map<UUID, Double> valuesOf(String key, Collection<UUID> runIds);
}
