package io.animus.datapilot.common;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

/**
 * Reads a log through a {@link LogRedactor} in bounded memory: line by line, and a line longer than the
 * window in pieces that never cut a credential. A piece is written only up to {@code overlap} bytes
 * before the window's end, and never into a match that may still grow, so that a credential straddling
 * two reads is seen whole in the next window. Every byte outside a credential comes out unchanged.
 */
public final class RedactingInputStream extends InputStream {
  /** The window; a longer line is cut into pieces. Large enough for ordinary lines to be redacted whole. */
  static final int WINDOW = 64 << 10;
  private final InputStream source;
  private final LogRedactor rules;
  private final int overlap;
  private final byte[] window;
  private final byte[] read = new byte[WINDOW];
  private int readPos;
  private int readLen;
  // window[0, context) is already written: one character kept so that a lookbehind sees it
  private int length;
  private int context;
  private boolean lineStart = true;
  private Swallow swallow = Swallow.NONE;
  private long skip;
  private long position; // input offset of window[context]
  private byte[] out = new byte[WINDOW + 1024];
  private int outPos;
  private int outLen;
  private boolean eof;

  /** What is left of a credential that filled a whole window: dropped until its natural end. */
  private enum Swallow { NONE, TO_LINE_END, NON_SPACE }

  public RedactingInputStream(InputStream source, LogRedactor rules) {
    this(source, rules, 0);
  }

  /**
   * {@code skip}: the first bytes of {@code source} are context only, read so that a credential
   * starting in them is still recognised; what they produce is not written (a credential that crosses
   * into the written part is replaced whole).
   */
  public RedactingInputStream(InputStream source, LogRedactor rules, long skip) {
    this.source = source;
    this.rules = rules;
    this.overlap = rules.overlap();
    this.window = new byte[Math.max(WINDOW, 4 * overlap)];
    this.skip = skip;
  }

  @Override
  public int read() throws IOException {
    byte[] one = new byte[1];
    int n = read(one, 0, 1);
    return n < 0 ? -1 : one[0] & 0xff;
  }

  @Override
  public int read(byte[] buf, int off, int len) throws IOException {
    if (len == 0) {
      return 0;
    }
    while (outPos == outLen) {
      if (eof) {
        return -1;
      }
      outPos = 0;
      outLen = 0;
      fill();
    }
    int n = Math.min(len, outLen - outPos);
    System.arraycopy(out, outPos, buf, off, n);
    outPos += n;
    return n;
  }

  /** Feeds source bytes into the window until some output is ready or the source ends. */
  private void fill() throws IOException {
    while (outLen == 0) {
      if (readPos == readLen) {
        readLen = source.read(read, 0, read.length);
        readPos = 0;
        if (readLen < 0) {
          readLen = 0;
          emit(length, true);
          eof = true;
          return;
        }
      }
      while (readPos < readLen) {
        byte b = read[readPos];
        if (swallow != Swallow.NONE) {
          if (swallow == Swallow.TO_LINE_END ? b != '\n' : !isSpace(b)) {
            readPos++;
            position++;
            continue;
          }
          swallow = Swallow.NONE;
        }
        // copy up to the next newline or until the window is full
        int room = window.length - length;
        int end = readPos;
        int limit = Math.min(readLen, readPos + room);
        while (end < limit && read[end] != '\n') {
          end++;
        }
        boolean newline = end < limit;
        int n = end - readPos + (newline ? 1 : 0);
        System.arraycopy(read, readPos, window, length, n);
        length += n;
        readPos += n;
        if (newline) {
          emit(length, true);
        } else if (length == window.length) {
          emit(length, false);
        }
        if (outLen > 0) {
          return;
        }
      }
    }
  }

  /** Writes the window's redacted content: all of it for a complete line, else a safe prefix. */
  private void emit(int len, boolean complete) {
    if (len == context) {
      if (complete) {
        resetLine();
      }
      return;
    }
    String text = new String(window, 0, len, StandardCharsets.ISO_8859_1);
    List<LogRedactor.Span> spans = rules.spans(text, context, lineStart && context == 0);
    int cut = len;
    if (!complete) {
      int safe = len - overlap;
      cut = safe;
      // a match reaching past the safe point may still grow: match it again, from its start, next time
      for (LogRedactor.Span span : spans) {
        if (span.end() > safe) {
          cut = Math.min(cut, span.anchor());
        }
      }
      for (LogRedactor.Span span : spans) {
        if (span.start() < cut && cut < span.end()) {
          cut = span.start();
        }
      }
      if (cut <= context) {
        // the window begins with such a match: replace it now and drop its remainder as it arrives
        LogRedactor.Span first = spans.get(0);
        cut = first.end();
        if (first.end() == len) {
          swallow = first.toLineEnd() ? Swallow.TO_LINE_END : Swallow.NON_SPACE;
        }
      }
    }
    int taken = 0;
    while (taken < spans.size() && spans.get(taken).end() <= cut) {
      taken++;
    }
    int at = context;
    for (int i = 0; i < taken; i++) {
      LogRedactor.Span span = spans.get(i);
      copy(at, span.start());
      if (position + (span.end() - context) > skip) {
        append(LogRedactor.REPLACEMENT, 0, LogRedactor.REPLACEMENT.length);
      }
      at = span.end();
    }
    copy(at, cut);
    if (complete) {
      position += len - context;
      resetLine();
      return;
    }
    // keep window[cut - 1, len): one byte of context and the unwritten rest
    position += cut - context;
    System.arraycopy(window, cut - 1, window, 0, len - cut + 1);
    length = len - cut + 1;
    context = 1;
    lineStart = false;
  }

  private void resetLine() {
    length = 0;
    context = 0;
    lineStart = true;
  }

  /** Copies window[from, to) to the output, less what lies before {@code skip}. */
  private void copy(int from, int to) {
    long start = position + (from - context);
    int drop = (int) Math.max(0, Math.min(to - from, skip - start));
    append(window, from + drop, to - from - drop);
  }

  private void append(byte[] bytes, int off, int len) {
    if (len <= 0) {
      return;
    }
    if (outLen + len > out.length) {
      out = Arrays.copyOf(out, Math.max(out.length * 2, outLen + len));
    }
    System.arraycopy(bytes, off, out, outLen, len);
    outLen += len;
  }

  private static boolean isSpace(byte b) {
    return b == ' ' || b == '\t' || b == '\n' || b == '\r' || b == 0x0B || b == '\f';
  }

  /** The bytes this stream holds on to, for tests of its memory bound. */
  int bufferedCapacity() {
    return window.length + read.length + out.length;
  }

  @Override
  public void close() throws IOException {
    source.close();
  }
}
