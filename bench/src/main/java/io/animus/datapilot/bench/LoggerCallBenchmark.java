package io.animus.datapilot.bench;

import io.animus.sdk.RunTelemetryLogger;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The cost of {@link RunTelemetryLogger#logMetric} on the caller's thread (issue 7: median ≤ 100 ns, p99 ≤ 1 µs),
 * next to a plain {@link ConcurrentLinkedQueue#offer} of a new point object carrying the same fields (step, name,
 * value, wall-clock time), both in the same run. SampleTime gives the median and p99, AverageTime the mean.
 *
 * <p>Both queues have a consumer running while they are measured: the logger's own sender, delivering
 * {@code metrics:batch} requests over loopback to a server that reads and discards them (so the sender does all
 * of its work: draining the ring, writing JSON, HTTP), and for the baseline a thread polling the queue. Each
 * measurement iteration gets a fresh logger whose queue (16M slots) holds every call of the 200 ms iteration, so
 * a call never meets a full queue; the iteration's tear-down prints the logger's counters and warns if any call
 * was refused.
 */
@BenchmarkMode({Mode.SampleTime, Mode.AverageTime})
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms4g", "-Xmx4g"})
@Warmup(iterations = 5, time = 200, timeUnit = TimeUnit.MILLISECONDS)
@Measurement(iterations = 10, time = 200, timeUnit = TimeUnit.MILLISECONDS)
public class LoggerCallBenchmark {
  static final String NAME = "train/loss";

  /** The point a naive logger would allocate per call. */
  record Point(long step, String name, double value, long time) {}

  /** A fresh logger per iteration, sending to a discarding HTTP server. */
  @State(Scope.Benchmark)
  public static class LoggerState {
    DiscardServer server;
    RunTelemetryLogger logger;
    long step;
    long allocatedAtStart;

    @Setup(Level.Trial)
    public void start() throws IOException {
      server = new DiscardServer();
    }

    @Setup(Level.Iteration)
    public void newLogger() {
      logger = RunTelemetryLogger.builder().gatewayUrl("http://127.0.0.1:" + server.port()).runId("bench-run")
          .maxQueue(1 << 24).batchMaxPoints(10_000).build();
      allocatedAtStart = allocated();
    }

    /** Bytes allocated so far by the calling (benchmark) thread. */
    static long allocated() {
      return ((com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean())
          .getThreadAllocatedBytes(Thread.currentThread().getId());
    }

    @TearDown(Level.Iteration)
    public void closeLogger() {
      long callerBytes = allocated() - allocatedAtStart;
      logger.close(Duration.ZERO);
      RunTelemetryLogger.Stats s = logger.stats();
      System.out.printf(Locale.ROOT, "%n  logger: calls accepted %,d, refused %,d, delivered %,d in %,d requests; "
              + "caller thread allocated %,d bytes (%.3f per call, JMH's own sampling included)%s%n", step,
          s.rejected(), s.pointsSent(), s.requests(), callerBytes, (double) callerBytes / Math.max(1, step),
          s.rejected() > 0 ? "  WARNING: refused calls" : "");
      step = 0;
    }

    @TearDown(Level.Trial)
    public void stop() throws IOException {
      server.close();
    }
  }

  /** An unbounded queue with a thread polling it. */
  @State(Scope.Benchmark)
  public static class QueueState {
    final ConcurrentLinkedQueue<Point> queue = new ConcurrentLinkedQueue<>();
    volatile boolean running = true;
    Thread drainer;
    long step;
    long drained;

    @Setup(Level.Trial)
    public void start() {
      drainer = new Thread(() -> {
        while (running) {
          if (queue.poll() != null) {
            drained++;
          } else {
            Thread.onSpinWait();
          }
        }
      }, "bench-clq-drainer");
      drainer.setDaemon(true);
      drainer.start();
    }

    @TearDown(Level.Trial)
    public void stop() throws InterruptedException {
      running = false;
      drainer.join();
    }
  }

  @Benchmark
  public boolean logMetric(LoggerState s) {
    return s.logger.logMetric(s.step++, NAME, 0.5);
  }

  @Benchmark
  public boolean concurrentLinkedQueueOffer(QueueState s) {
    return s.queue.offer(new Point(s.step++, NAME, 0.5, System.currentTimeMillis()));
  }

  /** HTTP/1.1 keep-alive on loopback: reads each request, discards its body, answers 201 {@code {}}. */
  static final class DiscardServer implements AutoCloseable {
    private static final byte[] ANSWER = ("HTTP/1.1 201 Created\r\nContent-Type: application/json\r\n"
        + "Content-Length: 2\r\n\r\n{}").getBytes(StandardCharsets.US_ASCII);
    private final ServerSocket socket;

    DiscardServer() throws IOException {
      socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
      Thread acceptor = new Thread(this::accept, "bench-discard-server");
      acceptor.setDaemon(true);
      acceptor.start();
    }

    int port() {
      return socket.getLocalPort();
    }

    private void accept() {
      try {
        while (true) {
          Socket s = socket.accept();
          Thread t = new Thread(() -> serve(s), "bench-discard-conn");
          t.setDaemon(true);
          t.start();
        }
      } catch (IOException closed) {
        // the server socket was closed
      }
    }

    private static void serve(Socket s) {
      try (s; InputStream in = new BufferedInputStream(s.getInputStream(), 1 << 16);
           OutputStream out = s.getOutputStream()) {
        while (true) {
          long length = 0;
          String line;
          boolean any = false;
          while ((line = TelemetryLoad.readLine(in)) != null && !line.isEmpty()) {
            any = true;
            int colon = line.indexOf(':');
            if (colon > 0 && line.substring(0, colon).equalsIgnoreCase("content-length")) {
              length = Long.parseLong(line.substring(colon + 1).trim());
            }
          }
          if (!any) {
            return;
          }
          in.skipNBytes(length);
          out.write(ANSWER);
          out.flush();
        }
      } catch (IOException | RuntimeException ignored) {
        // client went away
      }
    }

    @Override
    public void close() throws IOException {
      socket.close();
    }
  }
}
