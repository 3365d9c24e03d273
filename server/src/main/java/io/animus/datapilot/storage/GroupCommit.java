package io.animus.datapilot.storage;

import java.sql.SQLTransientConnectionException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Group commit: concurrent requests' writes share one transaction, so they share one fsync, and
 * each request returns only after that transaction is durable. Writers take what has queued while
 * the previous group was committing (no timer: a lone request is written at once, so a sequential
 * client waits for nothing). If a group fails, each of its requests is written again on its own,
 * so one bad request fails alone. Used for small telemetry writes (docs/adr/0034) and audit
 * entries (docs/adr/0009).
 *
 * @param <T> a request
 * @param <R> its result
 */
public final class GroupCommit<T, R> implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(GroupCommit.class);
  private final LinkedBlockingQueue<Pending<T, R>> queue = new LinkedBlockingQueue<>();
  private final Function<List<T>, List<R>> group;
  private final Function<T, R> alone;
  private final int maxGroup;
  private final long waitSeconds;
  private final List<Thread> writers = new ArrayList<>();
  /** Transactions in flight at most: the writer threads' count, shared with requests that write themselves. */
  private final Semaphore slots;
  private volatile boolean running = true;

  private record Pending<T, R>(T request, CompletableFuture<R> done) {}

  /**
   * @param group writes several requests in one transaction, answering their results in order
   * @param alone writes one request in a transaction of its own
   * @param waitSeconds how long a request waits for its commit at most; then it fails as the
   *     database being busy would (503 with {@code Retry-After}), though its write may still land
   */
  public GroupCommit(String name, int writerThreads, int maxGroup, Function<List<T>, List<R>> group,
                     Function<T, R> alone, long waitSeconds) {
    this.waitSeconds = waitSeconds;
    this.slots = new Semaphore(writerThreads);
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
  public R write(T request) {
    if (!running) {
      return alone.apply(request);
    }
    Pending<T, R> pending = new Pending<>(request, new CompletableFuture<>());
    if (queue.isEmpty() && slots.tryAcquire()) {
      // nobody waiting and a writer's slot free: write here, with whatever queued meanwhile, and
      // spare the request two thread hand-offs (a sequential client's every write takes this path)
      List<Pending<T, R>> batch = new ArrayList<>();
      batch.add(pending);
      queue.drainTo(batch, maxGroup - 1);
      try {
        writeGroup(batch);
      } finally {
        slots.release();
      }
    } else {
      queue.add(pending);
    }
    try {
      return pending.done().get(waitSeconds, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw busy("interrupted while waiting for the write's commit");
    } catch (TimeoutException e) {
      throw busy("the write was not committed within " + waitSeconds + " s");
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RuntimeException r) {
        throw r;
      }
      throw new IllegalStateException(e.getCause());
    }
  }

  /** Answered 503 with {@code Retry-After}, as a full connection pool is ({@link DatabaseUnavailable}). */
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
        slots.acquire();
        try {
          queue.drainTo(batch, maxGroup - 1);
          writeGroup(batch);
        } finally {
          slots.release();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        running = false;
        batch.forEach(p -> p.done().completeExceptionally(busy("the server is stopping")));
      } catch (RuntimeException | Error e) {
        LOG.error("group commit failed unexpectedly", e);
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
        LOG.debug("group of {} writes failed; writing each alone", batch.size(), e);
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
