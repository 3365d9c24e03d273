package io.animus.datapilot.experiments;

import java.util.Optional;
import org.jdbi.v3.core.Handle;

/**
 * Told of every status move inside the moving transaction: telemetry writes the run event and the
 * live frame of the move. Declared here so that experiments never depends on telemetry; {@code App}
 * wires telemetry's implementation in.
 */
public interface RunStatusListener {
  /**
   * {@code state} was just stored; {@code reason}, when present, is added to the event's message
   * ({@code run failed (submit_failed)}).
   */
  void moved(Handle h, RunStatusChange state, String actor, Optional<String> reason);
}
