package io.animus.datapilot.experiments;

import java.util.Collection;
import java.util.Map;
import java.util.UUID;
import org.jdbi.v3.core.Handle;

/**
 * What run lists read of the metric tables, which telemetry owns: declared here so that
 * experiments never depends on telemetry; telemetry implements it and {@code App} wires it in.
 */
public interface LatestMetrics {
  /** For each run, {name: value} of the highest-step sample of every metric; one read for the whole page. */
  Map<UUID, Map<String, Double>> latestByRun(Handle h, Collection<UUID> runIds);

  /**
   * An SQL expression of type float8 over a row of {@code runs}: the latest value of the metric
   * named by the parameter {@code :key}, null when the run has none. Run lists sort by it inside
   * their own query, so sorting by a metric costs no extra round trip.
   */
  String latestValueOfKey();
}
