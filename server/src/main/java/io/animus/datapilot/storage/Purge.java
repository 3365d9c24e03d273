package io.animus.datapilot.storage;

import org.jdbi.v3.core.Handle;

/**
 * Lets the current transaction remove rows of append-only tables whole (docs/protocol.md §3.6): their
 * triggers refuse every UPDATE, and every DELETE outside a transaction that called this (V007).
 */
public final class Purge {
  private Purge() {}

  /** Allows DELETE on append-only tables until the transaction ends; call inside a transaction. */
  public static void allowDeletes(Handle h) {
    h.execute("SET LOCAL datapilot.purge = 'on'");
  }
}
