package io.animus.datapilot.common;

import java.time.Instant;
import java.time.temporal.ChronoUnit;

/** Time source; truncated to the microseconds PostgreSQL keeps, so cursors compare exactly. */
@FunctionalInterface
public interface Clock {
  Instant now();

  static Clock system() {
    return () -> Instant.now().truncatedTo(ChronoUnit.MICROS);
  }
}
