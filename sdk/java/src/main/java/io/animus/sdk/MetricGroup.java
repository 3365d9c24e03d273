package io.animus.sdk;

import java.util.Map;

/**
 * Several metrics of one step with metadata, queued in one slot and sent through the single-step endpoint.
 *
 * @param step the step
 * @param metrics name to value, in call order
 * @param metadata attached to every sample
 */
record MetricGroup(long step, Map<String, Double> metrics, Map<String, Object> metadata) {}
