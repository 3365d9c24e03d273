package io.animus.datapilot.telemetry;

import java.time.Instant;

/** One validated metric point of a request, before it is stored; {@code recordedAt} null when it named no time. */
public record MetricPoint(String name, long step, double value, Instant recordedAt) {}
