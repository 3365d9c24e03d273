package io.animus.datapilot.telemetry;

import io.animus.datapilot.kernel.Json;
import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.LongConsumer;

/**
 * The start of one stream: the ready frame, then, once the opening reads are back, the current
 * status and the backlog after the cursor, page by page (each page read on the hub's read threads,
 * never on a writer). Live frames wait until it is done. Used by its stream's drain, one at a time;
 * the read results arrive from other threads under this object's lock.
 */
final class StreamOpening {
  /** Nothing to write until a read has come back. */
  static final Frame HOLD = new Frame("", 0);
  private static final int BACKLOG_PAGE = 1000;

  /** Reads the run's events with an id from {@code fromId} on, ascending. */
  interface Backlog {
    List<RunEvent> page(long fromId, int limit);
  }

  /**
   * What the opening reads found: frames written right after the ready frame (the current status),
   * then the backlog after {@code afterEventId} when {@code backlog} is set; without a backlog,
   * events up to {@code afterEventId} (the newest at connect time) are never written.
   */
  record Opened(List<String> frames, Backlog backlog, long afterEventId) {}

  /** A frame and its event id (0 for frames that are not run events). */
  record Frame(String text, long eventId) {}

  private final ExecutorService reads;
  private final Runnable wake;
  // the drain's
  private final ArrayDeque<Frame> head = new ArrayDeque<>();
  private boolean applied;
  private Backlog backlog;
  private long backlogFrom;
  // guarded by this
  private Opened opened;
  private boolean openFailed;
  private List<RunEvent> fetched;
  private boolean fetchFailed;
  private boolean fetching;

  /** {@code wake} asks the stream for a drain when a read has come back. */
  StreamOpening(ExecutorService reads, Runnable wake) {
    this.reads = reads;
    this.wake = wake;
  }

  /** A frame written before anything else (the ready frame); called before the stream starts. */
  void first(String frame) {
    head.add(new Frame(frame, 0));
  }

  /** The opening reads came back ({@code null}: they failed). */
  void opened(Opened result) {
    synchronized (this) {
      opened = result;
      openFailed = result == null;
    }
    wake.run();
  }

  /**
   * The next frame, {@link #HOLD} while a read is out, null once the opening is done. Without a
   * backlog, {@code skipThrough} learns the newest event id at connect time before anything live
   * is written.
   */
  Frame next(LongConsumer skipThrough) {
    while (true) {
      Frame f = head.poll();
      if (f != null) {
        return f;
      }
      if (!applied) {
        Opened o;
        synchronized (this) {
          if (opened == null && !openFailed) {
            return HOLD;
          }
          o = opened;
        }
        applied = true;
        if (o == null) {
          fail();
          continue;
        }
        o.frames().forEach(text -> head.add(new Frame(text, 0)));
        if (o.backlog() != null) {
          backlog = o.backlog();
          backlogFrom = o.afterEventId() + 1;
        } else {
          skipThrough.accept(o.afterEventId());
        }
        continue;
      }
      if (backlog == null) {
        return null;
      }
      List<RunEvent> page;
      synchronized (this) {
        if (fetched == null && !fetchFailed) {
          if (!fetching) {
            fetching = true;
            fetch(backlog, backlogFrom);
          }
          return HOLD;
        }
        page = fetched;
        fetched = null;
        fetching = false;
      }
      if (page == null) {
        backlog = null;
        fail();
        continue;
      }
      if (page.size() < BACKLOG_PAGE) {
        backlog = null;
      }
      for (RunEvent e : page) {
        head.add(new Frame(SseFrames.frame("event", e.eventId(), Json.writeString(e)), e.eventId()));
        backlogFrom = e.eventId() + 1;
      }
    }
  }

  /** A failed read: the stream says so and ends. */
  private void fail() {
    head.add(new Frame(SseFrames.FAILED, 0));
    head.add(new Frame(StreamSubscriber.END, 0));
  }

  /** Reads one backlog page on the read threads; called holding this object's lock. */
  private void fetch(Backlog source, long from) {
    try {
      reads.execute(() -> {
        List<RunEvent> page = null;
        try {
          page = source.page(from, BACKLOG_PAGE);
        } catch (RuntimeException e) {
          // answered with a stream_failed frame
        }
        synchronized (this) {
          fetched = page;
          fetchFailed = page == null;
        }
        wake.run();
      });
    } catch (RejectedExecutionException e) {
      fetchFailed = true; // stopping: the stream is being closed
    }
  }
}
