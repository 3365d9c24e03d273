package io.animus.datapilot.execution;

import io.animus.datapilot.ci.RegisteredImage;
import io.animus.datapilot.common.ProjectScope;
import io.animus.datapilot.kernel.ApiException;
import io.animus.datapilot.experiments.RunLookup;
import java.util.Optional;
import java.util.UUID;
import org.jdbi.v3.core.Jdbi;

/** The execution records of a run (docs/protocol.md §8.6): where it ran, and what it was built from. */
public final class ExecutionReads {
  private final Jdbi jdbi;
  private final ExecutionStore store;
  private final RunLookup lookup;
  private final RegisteredImages images;

  public ExecutionReads(Jdbi jdbi, ExecutionStore store, RunLookup lookup, RegisteredImages images) {
    this.jdbi = jdbi;
    this.store = store;
    this.lookup = lookup;
    this.images = images;
  }

  Execution.View execution(ProjectScope project, String rawRunId) {
    UUID runId = lookup.require(project, rawRunId);
    return jdbi.withHandle(h -> store.findByRun(h, runId)).map(Execution::view)
        .orElseThrow(() -> ApiException.notFound("execution"));
  }

  /** The execution joined with the CI registration of its digest, if any. */
  Execution.BuildContext buildContext(ProjectScope project, String rawRunId) {
    UUID runId = lookup.require(project, rawRunId);
    return jdbi.withHandle(h -> {
      Execution e = store.findByRun(h, runId).orElseThrow(() -> ApiException.notFound("execution"));
      Optional<RegisteredImage> image = Optional.ofNullable(e.imageDigest()).flatMap(d -> images.find(h, d));
      return new Execution.BuildContext(runId, e.imageRef(), e.imageDigest(),
          image.map(RegisteredImage::repo).orElse(null), image.map(RegisteredImage::commitSha).orElse(null),
          image.map(RegisteredImage::pipelineId).orElse(null), image.map(RegisteredImage::provider).orElse(null),
          image.map(RegisteredImage::receivedAt).orElse(null));
    });
  }
}
