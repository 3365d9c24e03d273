package io.animus.datapilot.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Thousands of live-stream readers on one selector thread: each non-blocking socket sends the GET
 * and reads the SSE bytes, counting answers, ready frames and the current marker. The target count
 * can grow while it runs ({@link #grow}); the marker can change ({@link #watch}).
 */
public final class SseSwarm implements AutoCloseable {
  private static final int CONNECTS_PER_ROUND = 64;
  private final InetSocketAddress address;
  private final byte[] request;
  private final Selector selector;
  private final Thread thread;
  private final List<SocketChannel> channels = new ArrayList<>();
  private final AtomicInteger ok = new AtomicInteger();
  private final AtomicInteger refused = new AtomicInteger();
  private final AtomicInteger ready = new AtomicInteger();
  private final AtomicInteger marked = new AtomicInteger();
  private final AtomicInteger ended = new AtomicInteger();
  private final AtomicInteger failed = new AtomicInteger();
  private volatile int target;
  private volatile String marker = "\u0000none";
  private volatile int generation;
  private volatile boolean running = true;

  private static final class Reader {
    final StringBuilder head = new StringBuilder();
    boolean headDone;
    boolean ready;
    int markedGeneration = -1;
    String tail = "";
  }

  /** Streams of {@code path} on 127.0.0.1:{@code port}; none opens before {@link #grow}. */
  public SseSwarm(int port, String path) {
    this.address = new InetSocketAddress("127.0.0.1", port);
    this.request = ("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1:" + port
        + "\r\nAccept: text/event-stream\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
    try {
      this.selector = Selector.open();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    this.thread = new Thread(this::loop, "sse-swarm");
    this.thread.setDaemon(true);
    this.thread.start();
  }

  /** Opens streams until {@code total} are open (or were tried). */
  public void grow(int total) {
    target = total;
    selector.wakeup();
  }

  /** Counts, from now on, the streams that receive {@code text}. */
  public void watch(String text) {
    marked.set(0);
    marker = text;
    generation++;
  }

  public int ok() {
    return ok.get();
  }

  public int refused() {
    return refused.get();
  }

  public int ready() {
    return ready.get();
  }

  public int marked() {
    return marked.get();
  }

  public int ended() {
    return ended.get();
  }

  public int failed() {
    return failed.get();
  }

  private void loop() {
    ByteBuffer buffer = ByteBuffer.allocate(64 << 10);
    try {
      while (running) {
        for (int i = 0; i < CONNECTS_PER_ROUND && channels.size() < target; i++) {
          SocketChannel ch = SocketChannel.open();
          ch.configureBlocking(false);
          ch.connect(address);
          channels.add(ch);
          ch.register(selector, SelectionKey.OP_CONNECT, new Reader());
        }
        selector.select(channels.size() < target ? 5 : 100);
        for (var it = selector.selectedKeys().iterator(); it.hasNext(); ) {
          SelectionKey key = it.next();
          it.remove();
          handle(key, buffer);
        }
      }
    } catch (IOException e) {
      failed.incrementAndGet();
      System.err.println("swarm stopped: " + e);
    }
  }

  private void handle(SelectionKey key, ByteBuffer buffer) {
    SocketChannel ch = (SocketChannel) key.channel();
    Reader reader = (Reader) key.attachment();
    try {
      if (key.isConnectable()) {
        ch.finishConnect();
        ch.write(ByteBuffer.wrap(request));
        key.interestOps(SelectionKey.OP_READ);
        return;
      }
      buffer.clear();
      int n = ch.read(buffer);
      if (n < 0) {
        if (ended.incrementAndGet() <= 3) {
          System.err.println("a stream ended; its last bytes: " + reader.tail.replace("\n", "\\n"));
        }
        key.cancel();
        ch.close();
        return;
      }
      read(reader, new String(buffer.array(), 0, n, StandardCharsets.ISO_8859_1));
    } catch (IOException e) {
      if (failed.incrementAndGet() <= 3) {
        System.err.println("a stream connection failed: " + e);
      }
      key.cancel();
      try {
        ch.close();
      } catch (IOException ignored) {
        // already gone
      }
    }
  }

  private void read(Reader reader, String chunk) {
    String text = reader.tail + chunk;
    if (!reader.headDone) {
      reader.head.append(chunk);
      int end = reader.head.indexOf("\r\n\r\n");
      if (end < 0) {
        reader.tail = "";
        return;
      }
      reader.headDone = true;
      (reader.head.indexOf("HTTP/1.1 200") == 0 ? ok : refused).incrementAndGet();
      text = reader.head.substring(end + 4);
    }
    if (!reader.ready && text.contains("event: ready")) {
      reader.ready = true;
      ready.incrementAndGet();
    }
    int gen = generation;
    String watched = marker;
    if (reader.markedGeneration != gen && text.contains(watched)) {
      reader.markedGeneration = gen;
      marked.incrementAndGet();
    }
    reader.tail = text.substring(Math.max(0, text.length() - 64));
  }

  @Override
  public void close() {
    running = false;
    selector.wakeup();
    try {
      thread.join(10_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    for (SocketChannel ch : channels) {
      try {
        ch.close();
      } catch (IOException ignored) {
        // already gone
      }
    }
    try {
      selector.close();
    } catch (IOException ignored) {
      // nothing left
    }
  }
}
