package io.animus.datapilot.audit;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
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
  private final AuditStore store;
  private final LinkedBlockingQueue<Pending> queue = new LinkedBlockingQueue<>();
  private final Thread writer;
  private volatile boolean running = true;

  private record Pending(AuditStore.Entry entry, CompletableFuture<Void> written) {}

  public AuditLog(AuditStore store) {
    this.store = store;
    this.writer = new Thread(this::writeLoop, "datapilot-audit-writer");
    this.writer.setDaemon(true);
    this.writer.start();
  }

  /** Appends an entry and waits until it is committed; a failure is logged, never thrown. */
  public void append(AuditStore.Entry entry) {
    Pending pending = new Pending(entry, new CompletableFuture<>());
    queue.add(pending);
    try {
      pending.written().get(WAIT_SECONDS, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (Exception e) {
      LOG.error("audit write failed for request {}", entry.requestId(), e);
    }
  }

  private void writeLoop() {
    List<Pending> batch = new ArrayList<>();
    while (running || !queue.isEmpty()) {
      try {
        Pending first = queue.poll(200, TimeUnit.MILLISECONDS);
        if (first == null) {
          continue;
        }
        batch.add(first);
        queue.drainTo(batch, MAX_BATCH - 1);
        write(batch);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        running = false;
      } finally {
        batch.clear();
      }
    }
  }

  private void write(List<Pending> batch) {
    try {
      store.appendAll(batch.stream().map(Pending::entry).toList());
      batch.forEach(p -> p.written().complete(null));
    } catch (RuntimeException e) {
      batch.forEach(p -> p.written().completeExceptionally(e));
    }
  }

  /** Writes what is queued, then stops. */
  @Override
  public void close() {
    running = false;
    try {
      writer.join(WAIT_SECONDS * 1000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
