package io.animus.datapilot.storage;

import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Optional;
import java.util.Set;

/**
 * Tells a failure that means "the database cannot serve us right now" from every other failure,
 * so that the server answers 503 {@code service_unavailable} (the client retries) instead of 500
 * (the client gives up). The one place that decides it: HTTP and anything else ask here.
 *
 * <p>Jdbi wraps the driver's exceptions ({@code ConnectionException},
 * {@code UnableToExecuteStatementException}, {@code TransactionException}, ...) and Hikari wraps
 * the last connection failure in its pool timeout, so the whole cause chain is read; the SQLSTATE
 * decides, never the message text.
 */
public final class DatabaseUnavailable {
  private static final int MAX_DEPTH = 32;

  /** Why: the pool or the server is full ({@code BUSY}), or the server is unreachable or stopping ({@code DOWN}). */
  public enum Reason {
    BUSY(2, "the database is busy; retry shortly"),
    DOWN(5, "the database is unavailable; retry shortly");

    private final int retryAfterSeconds;
    private final String message;

    Reason(int retryAfterSeconds, String message) {
      this.retryAfterSeconds = retryAfterSeconds;
      this.message = message;
    }

    /** The {@code Retry-After} to suggest: a pool wait clears fast, a restart takes a few seconds. */
    public int retryAfterSeconds() {
      return retryAfterSeconds;
    }

    /** The message for the client; generic, no host or SQL. */
    public String message() {
      return message;
    }
  }

  private DatabaseUnavailable() {}

  /** The reason when {@code failure} (or anything in its cause chain) is database unavailability. */
  public static Optional<Reason> of(Throwable failure) {
    boolean poolTimedOut = false;
    Set<Throwable> seen = Collections.newSetFromMap(new IdentityHashMap<>());
    Throwable t = failure;
    for (int depth = 0; t != null && depth < MAX_DEPTH && seen.add(t); depth++, t = t.getCause()) {
      if (t instanceof SQLTransientConnectionException) {
        // Hikari's "connection is not available, request timed out": the pool is exhausted, or
        // the server refuses connections (then the refusal is the cause, and decides below).
        poolTimedOut = true;
      }
      if (t instanceof SQLException sql) {
        Optional<Reason> reason = bySqlState(sql.getSQLState());
        if (reason.isPresent()) {
          return reason;
        }
      }
    }
    return poolTimedOut ? Optional.of(Reason.BUSY) : Optional.empty();
  }

  /**
   * Class 08 (connection exception: refused, broken, closed), 57P01 admin_shutdown, 57P02
   * crash_shutdown and 57P03 cannot_connect_now (starting up, shutting down, recovering) mean
   * the server is not there; 53300 too_many_connections means it is full.
   */
  static Optional<Reason> bySqlState(String state) {
    if (state == null) {
      return Optional.empty();
    }
    if (state.startsWith("08") || state.equals("57P01") || state.equals("57P02") || state.equals("57P03")) {
      return Optional.of(Reason.DOWN);
    }
    if (state.equals("53300")) {
      return Optional.of(Reason.BUSY);
    }
    return Optional.empty();
  }
}
