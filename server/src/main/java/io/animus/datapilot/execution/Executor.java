package io.animus.datapilot.execution;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.animus.datapilot.config.ExecutorKind;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/** Starts, inspects and stops training jobs on one backend (docs/protocol.md §8.1). */
public interface Executor extends AutoCloseable {
  /** Which backend this is; what a request needs for it follows from the kind's capabilities. */
  ExecutorKind kind();

  /**
   * What to start: the command (null: the image's own, for container executors), the job's complete
   * environment and the request's {@code resources}.
   */
  record Job(UUID runId, String imageRef, List<String> command, Map<String, String> env, ObjectNode resources) {}

  /** The reference a job is started from and its digest, if known (docs/protocol.md §8.3). */
  record Image(String ref, String digest) {}

  /**
   * Resolves a request's image reference (§8.3). The default records it as given, with the digest of
   * a pinned reference; an executor may answer with an {@code ApiException} ({@code image_ref_*}).
   */
  default Image resolveImage(String imageRef) {
    return new Image(imageRef, new ImageRef(imageRef).digest().orElse(null));
  }

  /** Where the started job can be found again. */
  record Submitted(Long processId, String jobName, String instanceId) {}

  /** Why a job could not be started; the message is safe to log, never shown to clients. */
  final class SubmitException extends Exception {
    private static final long serialVersionUID = 1L;

    public SubmitException(String message) {
      super(message);
    }
  }

  /** What the backend says about a job. */
  sealed interface JobState permits Waiting, Running, Exited, StartFailed, Missing {}

  /**
   * The backend accepted the job but it is not running yet (image pull, pod scheduling);
   * {@code reason} says why, in the backend's words. The reconciler fails it after the start timeout.
   */
  record Waiting(String reason) implements JobState {}

  record Running() implements JobState {}

  /** The job can never start (image pull refused, invalid image); {@code reason} is readable. */
  record StartFailed(String reason) implements JobState {}

  record Exited(int exitCode) implements JobState {}

  /** The job cannot be found; {@code reason} is {@code job_missing} or {@code executor_restarted}. */
  record Missing(String reason) implements JobState {}

  /** The name the job of {@code runId} gets on the backend, when it is known before submission. */
  default Optional<String> nameFor(UUID runId) {
    return Optional.empty();
  }

  Submitted submit(Job job) throws SubmitException;

  JobState inspect(Execution execution);

  /** Stops the job asynchronously; never throws. */
  void stop(Execution execution);

  /** The job's combined stdout/stderr, once it has ended, if the backend kept it. */
  Optional<Path> log(Execution execution);

  /** Drops what the executor remembers about a job whose end was recorded. */
  void forget(Execution execution);

  @Override
  void close();
}
