package io.animus.datapilot.execution;

import io.animus.datapilot.kernel.Json;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** The executor contract for the {@code local} executor: host process groups. */
class LocalExecutorContractTest extends ExecutorContract {
  @Override
  Executor create(Path dataDir) {
    return new LocalExecutor(dataDir, System.getenv("PATH"));
  }

  @Override
  String image() {
    return "local/unused";
  }

  /** A program the job's PATH (it has none) does not hold. */
  @Override
  Executor.Job unstartable(UUID runId) {
    return new Executor.Job(runId, image(), List.of("no-such-program-for-the-contract"), Map.of(), Json.object());
  }

  @Override
  boolean refusesUnstartableAtSubmit() {
    return true;
  }

  @Override
  boolean jobsOutliveTheExecutor() {
    return false;
  }

  @Override
  boolean forgetRemovesTheJob() {
    return true;
  }
}
