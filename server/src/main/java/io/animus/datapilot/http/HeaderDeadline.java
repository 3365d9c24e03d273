package io.animus.datapilot.http;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.http.HttpParser;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.internal.HttpConnection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A bound on how long a client may take to send a request line and headers. Jetty 12 has no such
 * setting: its idle timeout is reset by every byte, so a client trickling one header byte at a
 * time holds its connection (and, with many, the server) forever. Once a second this looks at
 * every HTTP/1 connection; one that has been inside the same request's line and headers for longer
 * than the deadline is closed. Bodies (long uploads) and answers (live streams) are never timed
 * here: the parser has left its header states by then. Idle connections between requests are the
 * idle timeout's business.
 */
final class HeaderDeadline implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(HeaderDeadline.class);
  private static final long SWEEP_MILLIS = 1_000;

  private final Server server;
  private final long deadlineNanos;
  private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "datapilot-header-deadline");
    t.setDaemon(true);
    return t;
  });
  /** Connections seen inside their headers: since when, and for which request (messages in). Timer thread only. */
  private Map<EndPoint, Mark> marks = new HashMap<>();

  private record Mark(long since, long messagesIn) {}

  HeaderDeadline(Server server, Duration deadline) {
    this.server = server;
    this.deadlineNanos = deadline.toNanos();
  }

  void start() {
    timer.scheduleWithFixedDelay(this::sweepQuietly, SWEEP_MILLIS, SWEEP_MILLIS, TimeUnit.MILLISECONDS);
  }

  private void sweepQuietly() {
    try {
      sweep(System.nanoTime());
    } catch (RuntimeException e) {
      LOG.warn("header deadline sweep failed", e);
    }
  }

  private void sweep(long now) {
    Map<EndPoint, Mark> next = new HashMap<>();
    for (Connector connector : server.getConnectors()) {
      for (EndPoint endPoint : connector.getConnectedEndPoints()) {
        if (!(endPoint.getConnection() instanceof HttpConnection http) || !inHeaders(http.getParser())) {
          continue;
        }
        long messages = http.getMessagesIn();
        Mark mark = marks.get(endPoint);
        if (mark == null || mark.messagesIn() != messages) {
          mark = new Mark(now, messages);
        }
        if (now - mark.since() >= deadlineNanos) {
          LOG.info("closing a connection from {} that sent no complete request headers within {} s",
              endPoint.getRemoteSocketAddress(), TimeUnit.NANOSECONDS.toSeconds(deadlineNanos));
          endPoint.close();
        } else {
          next.put(endPoint, mark);
        }
      }
    }
    marks = next;
  }

  /** Between the first byte of a request and the end of its headers (START is an idle connection). */
  private static boolean inHeaders(HttpParser parser) {
    HttpParser.State state = parser.getState();
    return state.ordinal() > HttpParser.State.START.ordinal() && state.ordinal() <= HttpParser.State.HEADER.ordinal();
  }

  @Override
  public void close() {
    timer.shutdownNow();
  }
}
