package io.animus.datapilot.execution;

import java.time.Instant;
import java.util.UUID;

/** Issues the run token a job reports with (docs/protocol.md §2.3, §8.4); implemented over the auth feature. */
@FunctionalInterface
public interface JobTokens {
  String issue(UUID runId, UUID datasetVersionId, Instant issuedAt);
}
