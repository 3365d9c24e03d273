package io.animus.datapilot.ci;

import java.util.UUID;
import org.jdbi.v3.core.Handle;

/**
 * Whether a run exists: all CI needs to know about runs, which belong to the experiments feature
 * (wired in {@code App}); CI never reads the {@code runs} table itself.
 */
@FunctionalInterface
public interface RunCheck {
  boolean exists(Handle h, UUID runId);
}
