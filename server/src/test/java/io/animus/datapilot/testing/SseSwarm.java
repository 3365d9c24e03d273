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
 * Many live-stream readers on one thread: non-blocking sockets on one selector send the GET and
 * read the SSE bytes as they come, counting the streams that got a 200, a ready frame and a given
 * marker. Cheap enough to hold thousands of streams from a test.
 */
public final class SseSwarm implements AutoCloseable {
  private static final int CONNECTS_PER_ROUND = 64;
  private final InetSocketAddress address;
  private final byte[] request;
  private final String marker;
  private final int count;
  private final Selector selector;
  private final Thread thread;
  private final List<SocketChannel> channels = new ArrayList<>();
  private final AtomicInteger answered = new AtomicInteger();
  private final AtomicInteger ok = new AtomicInteger();
  private final AtomicInteger ready = new AtomicInteger();
  private final AtomicInteger marked = new AtomicInteger();
  private final AtomicInteger ended = new AtomicInteger();
  private final AtomicInteger failed = new AtomicInteger();
  private volatile boolean running = true;

  /** One reader's progress through its answer. */
  private static final class Reader {
    final StringBuilder head = new StringBuilder();
    boolean headDone;
    boolean ready;
    boolean marked;
    String tail = "";
  }

  /** Opens {@code count} streams of {@code path} on 127.0.0.1:{@code port}, watching for {@code marker}. */
  public SseSwarm(int port, String path, int count, String marker) {
    this.address = new InetSocketAddress("127.0.0.1", port);
    this.request = ("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1:" + port
        + "\r\nAccept: text/event-stream\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
    this.marker = marker;
    this.count = count;
    try {
      this.selector = Selector.open();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    this.thread = new Thread(this::loop, "sse-swarm");
    this.thread.setDaemon(true);
    this.thread.start();
  }

  public int answered() {
    return answered.get();
  }

  /** Streams answered 200. */
  public int ok() {
    return ok.get();
  }

  /** Streams that got their ready frame. */
  public int ready() {
    return ready.get();
  }

  /** Streams that got the marker. */
  public int marked() {
    return marked.get();
  }

  /** Streams the server ended. */
  public int ended() {
    return ended.get();
  }

  /** Connections that could not be made or broke. */
  public int failed() {
    return failed.get();
  }

  private void loop() {
    ByteBuffer buffer = ByteBuffer.allocate(64 << 10);
    int opened = 0;
    try {
      while (running) {
        // connect in rounds, as browsers coming back after an outage would, not in one SYN flood
        for (int i = 0; i < CONNECTS_PER_ROUND && opened < count; i++, opened++) {
          SocketChannel ch = SocketChannel.open();
          ch.configureBlocking(false);
          ch.connect(address);
          channels.add(ch);
          ch.register(selector, SelectionKey.OP_CONNECT, new Reader());
        }
        selector.select(opened < count ? 5 : 100);
        for (var it = selector.selectedKeys().iterator(); it.hasNext(); ) {
          SelectionKey key = it.next();
          it.remove();
          handle(key, buffer);
        }
      }
    } catch (IOException e) {
      failed.incrementAndGet();
    }
  }

  private void handle(SelectionKey key, ByteBuffer buffer) {
    SocketChannel ch = (SocketChannel) key.channel();
    Reader reader = (Reader) key.attachment();
    try {
      if (key.isConnectable()) {
        ch.finishConnect();
        ch.write(ByteBuffer.wrap(request)); // a few dozen bytes: the socket's send buffer takes them at once
        key.interestOps(SelectionKey.OP_READ);
        return;
      }
      buffer.clear();
      int n = ch.read(buffer);
      if (n < 0) {
        ended.incrementAndGet();
        key.cancel();
        ch.close();
        return;
      }
      read(reader, new String(buffer.array(), 0, n, StandardCharsets.ISO_8859_1));
    } catch (IOException e) {
      failed.incrementAndGet();
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
      answered.incrementAndGet();
      if (reader.head.indexOf("HTTP/1.1 200") == 0) {
        ok.incrementAndGet();
      }
      text = reader.head.substring(end + 4);
    }
    if (!reader.ready && text.contains("event: ready")) {
      reader.ready = true;
      ready.incrementAndGet();
    }
    if (!reader.marked && text.contains(marker)) {
      reader.marked = true;
      marked.incrementAndGet();
    }
    reader.tail = text.substring(Math.max(0, text.length() - marker.length() - 16));
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
      // nothing left to release
    }
  }
}
