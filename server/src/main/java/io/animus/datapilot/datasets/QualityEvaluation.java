package io.animus.datapilot.datasets;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.UUID;

/** One appended quality evaluation of a version against its rule (docs/protocol.md §6.4). */
public record QualityEvaluation(UUID evaluationId, UUID datasetVersionId, String ruleId, String status,
                                ObjectNode summary, Instant evaluatedAt, String evaluatedBy) {}
