package io.animus.sdk;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Arrays;

/**
 * Writes a {@code metrics:batch} body, {@code {"points":[{"name":..,"step":..,"timestamp":..,"value":..},..]}},
 * straight from primitive values into a reusable buffer that is sent without a copy: keys in the SDK's sorted
 * order, names escaped once ({@link #encodeName}), timestamps as UTC milliseconds
 * ({@code 2024-01-02T03:04:05.678Z}), integral values below 1e15 without a fraction, other values as
 * {@link Double#toString}, and NaN and infinities as the literals {@code NaN}, {@code Infinity},
 * {@code -Infinity}. Not thread-safe: one per lane.
 */
final class PointsBody {
  private static final DateTimeFormatter SECOND = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss")
      .withZone(ZoneOffset.UTC);
  private static final byte[] POINTS_OPEN = ascii("{\"points\":[");
  private static final byte[] NAME = ascii("{\"name\":\"");
  private static final byte[] STEP = ascii("\",\"step\":");
  private static final byte[] TIMESTAMP = ascii(",\"timestamp\":\"");
  private static final byte[] VALUE = ascii("Z\",\"value\":");

  /** Upper bound of a point's bytes in a body besides its encoded name. */
  static final int POINT_OVERHEAD = 128;

  private byte[] buf = new byte[1 << 16];
  private int count;
  private int points;
  private long isoSecond = Long.MIN_VALUE;
  private byte[] isoPrefix = new byte[0];

  /** The buffer; its first {@link #size()} bytes are the body. */
  byte[] bytes() {
    return buf;
  }

  /** The body's length in bytes. */
  int size() {
    return count;
  }

  /** The body as a new array (for tests). */
  byte[] toByteArray() {
    return Arrays.copyOf(buf, count);
  }

  /** Starts a new body, forgetting the previous one. */
  void begin() {
    count = 0;
    points = 0;
    writeBytes(POINTS_OPEN);
  }

  /** Appends one point; {@code encodedName} comes from {@link #encodeName}. */
  void point(byte[] encodedName, long step, long millis, double value) {
    if (points++ > 0) {
      write(',');
    }
    writeBytes(NAME);
    writeBytes(encodedName);
    writeBytes(STEP);
    number(step);
    writeBytes(TIMESTAMP);
    long sec = Math.floorDiv(millis, 1000);
    if (sec != isoSecond) {
      isoSecond = sec;
      isoPrefix = ascii(SECOND.format(Instant.ofEpochSecond(sec)));
    }
    writeBytes(isoPrefix);
    int ms = Math.floorMod(millis, 1000);
    write('.');
    write('0' + ms / 100);
    twoDigits(ms % 100);
    writeBytes(VALUE);
    value(value);
    write('}');
  }

  /** Closes the body. */
  void end() {
    write(']');
    write('}');
  }

  private void value(double v) {
    if (Double.isNaN(v)) {
      text("NaN");
    } else if (Double.isInfinite(v)) {
      text(v > 0 ? "Infinity" : "-Infinity");
    } else if (v == (long) v && Math.abs(v) < 1e15 && (v != 0 || 1 / v > 0)) {
      number((long) v);
    } else {
      text(Double.toString(v));
    }
  }

  /** A name's JSON string body: {@code "} and {@code \} escaped, control and non-ASCII characters as {@code \\uXXXX}. */
  static byte[] encodeName(String name) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(name.length() + 8);
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      if (c == '"' || c == '\\') {
        out.write('\\');
        out.write(c);
      } else if (c < 0x20 || c > 0x7e) {
        String hex = Integer.toHexString(c);
        out.writeBytes(ascii("\\u" + "0".repeat(4 - hex.length()) + hex));
      } else {
        out.write(c);
      }
    }
    return out.toByteArray();
  }

  private void room(int n) {
    if (count + n > buf.length) {
      buf = Arrays.copyOf(buf, Math.max(buf.length * 2, count + n));
    }
  }

  private void write(int b) {
    room(1);
    buf[count++] = (byte) b;
  }

  private void writeBytes(byte[] b) {
    room(b.length);
    System.arraycopy(b, 0, buf, count, b.length);
    count += b.length;
  }

  private void text(String s) {
    int n = s.length();
    room(n);
    for (int i = 0; i < n; i++) {
      buf[count++] = (byte) s.charAt(i);
    }
  }

  /** Writes {@code v} in decimal. */
  private void number(long v) {
    if (v == Long.MIN_VALUE) {
      text(Long.toString(v));
      return;
    }
    room(20);
    if (v < 0) {
      buf[count++] = '-';
      v = -v;
    }
    int digits = 1;
    for (long x = v; x >= 10; x /= 10) {
      digits++;
    }
    for (int i = count + digits - 1; i >= count; i--) {
      buf[i] = (byte) ('0' + v % 10);
      v /= 10;
    }
    count += digits;
  }

  private void twoDigits(int v) {
    room(2);
    buf[count++] = (byte) ('0' + v / 10);
    buf[count++] = (byte) ('0' + v % 10);
  }

  private static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }
}
