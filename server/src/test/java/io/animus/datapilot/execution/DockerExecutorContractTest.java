package io.animus.datapilot.execution;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.animus.datapilot.config.Config;
import io.animus.datapilot.kernel.Json;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;

/** The executor contract for the {@code docker} executor against podman (see {@link DockerExecutionTest}). */
class DockerExecutorContractTest extends ExecutorContract {
  @BeforeAll
  static void needsAnEngine() {
    assumeTrue(DockerExecutionTest.HOST != null && DockerExecutionTest.IMAGE != null
        && DockerExecutionTest.PINNED != null, "DATAPILOT_TEST_DOCKER_HOST, DATAPILOT_TEST_DOCKER_IMAGE and "
        + "DATAPILOT_TEST_DOCKER_PINNED_IMAGE are not set: run .ci/podman-setup.sh and source the env file it "
        + "writes to run the Docker executor contract");
  }

  @Override
  Executor create(Path dataDir) {
    return new DockerExecutor(dataDir, new Config.Docker(DockerExecutionTest.HOST, "host"), Duration.ofMinutes(15));
  }

  @Override
  String image() {
    return DockerExecutionTest.IMAGE;
  }

  /** A pinned image the loopback registry does not have: its pull fails in the background. */
  @Override
  Executor.Job unstartable(UUID runId) {
    String pinned = DockerExecutionTest.PINNED;
    String missing = pinned.substring(0, pinned.indexOf('/')) + "/no-such-image@sha256:" + "0".repeat(64);
    return new Executor.Job(runId, missing, null, Map.of("TOKEN", "contract-token"), Json.object());
  }

  @Override
  boolean refusesUnstartableAtSubmit() {
    return false;
  }

  @Override
  boolean jobsOutliveTheExecutor() {
    return true;
  }

  @Override
  boolean forgetRemovesTheJob() {
    return true;
  }
}
