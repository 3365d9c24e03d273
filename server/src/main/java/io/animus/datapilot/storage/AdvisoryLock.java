package io.animus.datapilot.storage;

import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

/**
 * A PostgreSQL session-level advisory lock that lets one session in the whole cluster (so one replica) do a
 * piece of work at a time. The lock is held by a session of its own, apart from the work's transactions.
 */
public final class AdvisoryLock {
  private final Jdbi jdbi;
  private final long key;

  public AdvisoryLock(Jdbi jdbi, long key) {
    this.jdbi = jdbi;
    this.key = key;
  }

  public long key() {
    return key;
  }

  /** Runs {@code work} while holding the lock; false, without running it, when another session holds it. */
  public boolean runExclusively(Runnable work) {
    try (Handle lock = jdbi.open()) {
      if (!lock.createQuery("SELECT pg_try_advisory_lock(:key)").bind("key", key).mapTo(Boolean.class).one()) {
        return false;
      }
      try {
        work.run();
      } finally {
        lock.createQuery("SELECT pg_advisory_unlock(:key)").bind("key", key).mapTo(Boolean.class).one();
      }
      return true;
    }
  }
}
