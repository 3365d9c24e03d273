package io.animus.datapilot.telemetry;

import io.animus.datapilot.experiments.LatestMetrics;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

/**
 * Run lists' reads of the points store: through the run list's own handle when the points share
 * its database, else on the points database ({@code DATAPILOT_POINTS_DATABASE_URL}).
 */
public final class LatestPoints implements LatestMetrics {
  private final MetricStore store;
  private final Jdbi points;
  private final boolean shared;

  /** {@code shared}: the points live in the metadata database. */
  public LatestPoints(MetricStore store, Jdbi points, boolean shared) {
    this.store = store;
    this.points = points;
    this.shared = shared;
  }

  @Override
  public Map<UUID, Map<String, Double>> latestByRun(Handle metadata, Collection<UUID> runIds) {
    if (runIds.isEmpty()) {
      return new HashMap<>();
    }
    return shared ? store.latestByRun(metadata, runIds) : points.withHandle(h -> store.latestByRun(h, runIds));
  }

  @Override
  public Optional<String> latestValueOfKey() {
    return shared ? Optional.of(store.latestValueOfKey()) : Optional.empty();
  }

  @Override
  public Map<UUID, Double> valuesOfName(String key) {
    return points.withHandle(h -> store.valuesOfName(h, key));
  }

  @Override
  public Map<UUID, Double> valuesOf(String key, Collection<UUID> runIds) {
    if (runIds.isEmpty()) {
      return new HashMap<>();
    }
    return points.withHandle(h -> store.valuesOf(h, key, runIds));
  }
}
