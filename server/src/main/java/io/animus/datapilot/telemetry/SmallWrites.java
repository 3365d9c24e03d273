package io.animus.datapilot.telemetry;

import java.sql.SQLTransientConnectionException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Group commit for small telemetry writes (docs/adr/0034): the published SDK sends one request per
 * logged step, and a commit per request makes every one of them wait for its own fsync. Writers
 * take what has queued while the previous group was committing (no timer: a lone request is
 * written at once, so a sequential client waits for nothing) and write it in one transaction;
 * each request is answered only after that transaction is durable. If a group fails, each of its
 * requests is written again on its own, so one bad request fails alone.
 *
 * @param <T> a request
 * @param <R> its result
 */
final class SmallWrites<T, R> implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(SmallWrites.class);
  /** A request waits this long at most, then answers 503 (its write may still land; retries are duplicates). */
  private static final long WAIT_SECONDS = 30;
  private final LinkedBlockingQueue<Pending<T, R>> queue = new LinkedBlockingQueue<>();
  private final Function<List<T>, List<R>> group;
  private final Function<T, R> alone;
  private final int maxGroup;
  private final List<Thread> writers = new ArrayList<>();
  private volatile boolean running = true;

  private record Pending<T, R>(T request, CompletableFuture<R> done) {}

  /**
   * @param group writes several requests in one transaction, answering their results in order
   * @param alone writes one request in a transaction of its own
   */
  SmallWrites(String name, int writerThreads, int maxGroup, Function<List<T>, List<R>> group, Function<T, R> alone) {
    this.group = group;
    this.alone = alone;
    this.maxGroup = maxGroup;
    for (int i = 0; i < writerThreads; i++) {
      Thread t = new Thread(this::writeLoop, name + "-" + i);
      t.setDaemon(true);
      t.start();
      writers.add(t);
    }
  }

  /** Writes {@code request} with whatever else is waiting, returning once it is committed. */
  R write(T request) {
    if (!running) {
      return alone.apply(request);
    }
    Pending<T, R> pending = new Pending<>(request, new CompletableFuture<>());
    queue.add(pending);
    try {
      return pending.done().get(WAIT_SECONDS, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw busy("interrupted while waiting for the write's commit");
    } catch (TimeoutException e) {
      throw busy("the write was not committed within " + WAIT_SECONDS + " s");
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RuntimeException r) {
        throw r;
      }
      throw new IllegalStateException(e.getCause());
    }
  }

  /** Answered 503 with {@code Retry-After}, as a full connection pool is (storage/DatabaseUnavailable). */
  private static RuntimeException busy(String why) {
    return new IllegalStateException(why, new SQLTransientConnectionException(why));
  }

  private void writeLoop() {
    List<Pending<T, R>> batch = new ArrayList<>();
    while (running || !queue.isEmpty()) {
      try {
        Pending<T, R> first = queue.poll(200, TimeUnit.MILLISECONDS);
        if (first == null) {
          continue;
        }
        batch.add(first);
        queue.drainTo(batch, maxGroup - 1);
        writeGroup(batch);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        running = false;
      } catch (RuntimeException | Error e) {
        LOG.error("small-write group failed unexpectedly", e);
        batch.forEach(p -> p.done().completeExceptionally(e));
      } finally {
        batch.clear();
      }
    }
  }

  private void writeGroup(List<Pending<T, R>> batch) {
    if (batch.size() > 1) {
      try {
        List<R> results = group.apply(batch.stream().map(Pending::request).toList());
        for (int i = 0; i < batch.size(); i++) {
          batch.get(i).done().complete(results.get(i));
        }
        return;
      } catch (RuntimeException e) {
        LOG.debug("group of {} small writes failed; writing each alone", batch.size(), e);
      }
    }
    for (Pending<T, R> p : batch) {
      try {
        p.done().complete(alone.apply(p.request()));
      } catch (RuntimeException e) {
        p.done().completeExceptionally(e);
      }
    }
  }

  /** Writes what is queued, then stops; later writes go alone. */
  @Override
  public void close() {
    running = false;
    for (Thread t : writers) {
      try {
        t.join(10_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }
}
