package io.animus.datapilot.common;

import java.io.IOException;
import java.io.InputStream;

/**
 * Reads at most {@code remaining} bytes of the wrapped stream, then reports its end; closing it
 * closes the wrapped stream. Used to read a slice of a blob or of a file that may still grow.
 */
public final class BoundedInputStream extends InputStream {
  private final InputStream in;
  private long remaining;

  public BoundedInputStream(InputStream in, long remaining) {
    this.in = in;
    this.remaining = remaining;
  }

  @Override
  public int read() throws IOException {
    if (remaining <= 0) {
      return -1;
    }
    int b = in.read();
    if (b >= 0) {
      remaining--;
    }
    return b;
  }

  @Override
  public int read(byte[] b, int off, int len) throws IOException {
    if (remaining <= 0) {
      return -1;
    }
    if (len == 0) {
      return 0;
    }
    int n = in.read(b, off, (int) Math.min(len, remaining));
    if (n > 0) {
      remaining -= n;
    }
    return n;
  }

  @Override
  public void close() throws IOException {
    in.close();
  }
}
