package io.animus.datapilot.audit;

import io.animus.datapilot.storage.GroupCommit;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes audit entries with group commit: concurrent requests' entries go into one insert and one
 * commit, and each request waits until its entry is durable before its answer is sent. One
 * commit per request would otherwise double the cost of every write.
 */
public final class AuditLog implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(AuditLog.class);
  private static final int MAX_BATCH = 500;
  private static final long WAIT_SECONDS = 10;
  private final GroupCommit<AuditStore.Entry, Boolean> writes;

  public AuditLog(AuditStore store) {
    this.writes = new GroupCommit<>("datapilot-audit-writer", 1, MAX_BATCH, entries -> {
      store.appendAll(entries);
      return entries.stream().map(e -> Boolean.TRUE).toList();
    }, entry -> {
      store.appendAll(List.of(entry));
      return Boolean.TRUE;
    }, WAIT_SECONDS);
  }

  /** Appends an entry and waits until it is committed; a failure is logged, never thrown. */
  public void append(AuditStore.Entry entry) {
    try {
      writes.write(entry);
    } catch (RuntimeException e) {
      LOG.error("audit write failed for request {}", entry.requestId(), e);
    }
  }

  /** Writes what is queued, then stops. */
  @Override
  public void close() {
    writes.close();
  }
}
