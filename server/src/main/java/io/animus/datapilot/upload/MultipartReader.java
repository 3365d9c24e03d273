package io.animus.datapilot.upload;

import io.animus.datapilot.kernel.ApiException;
import io.animus.datapilot.kernel.ErrorCode;
import java.io.IOException;
import java.io.InputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * A pull parser for {@code multipart/form-data} (RFC 7578 / RFC 2046) over a raw stream. Parts are
 * handed out one at a time with a body stream that ends at the next delimiter, so a file part
 * flows through a fixed buffer and is never held whole in memory nor written anywhere first.
 * Malformed input is {@code invalid_multipart}.
 */
public final class MultipartReader {
  private static final int BUFFER = 128 * 1024;
  private static final int MAX_HEADER_BYTES = 16 * 1024;
  private static final int MAX_BOUNDARY = 200;

  /** One part: its disposition parameters, content type and a body stream. */
  public record Part(String name, String filename, String contentType, InputStream body) {}

  private final InputStream in;
  private final byte[] delimiter;
  private final byte[] buf = new byte[BUFFER];
  private int pos;
  private int lim;
  /** Positions below this index in the buffer are known not to start a delimiter. */
  private int scanned;
  private boolean eof;
  private boolean partOpen;
  private boolean finished;

  public MultipartReader(InputStream in, String boundary) {
    this.in = in;
    this.delimiter = ("\r\n--" + boundary).getBytes(StandardCharsets.ISO_8859_1);
    // The first delimiter may start the body without a preceding CRLF: pretend one was there.
    buf[0] = '\r';
    buf[1] = '\n';
    lim = 2;
    partOpen = true; // the preamble is skipped like the body of a part
  }

  /** The boundary of a {@code multipart/form-data} content type, if it is one. */
  public static Optional<String> boundary(String contentType) {
    if (contentType == null) {
      return Optional.empty();
    }
    String[] pieces = contentType.split(";");
    if (!pieces[0].trim().equalsIgnoreCase("multipart/form-data")) {
      return Optional.empty();
    }
    for (int i = 1; i < pieces.length; i++) {
      String piece = pieces[i].trim();
      int eq = piece.indexOf('=');
      if (eq > 0 && piece.substring(0, eq).trim().equalsIgnoreCase("boundary")) {
        String value = piece.substring(eq + 1).trim();
        if (value.length() >= 2 && value.startsWith("\"") && value.endsWith("\"")) {
          value = value.substring(1, value.length() - 1);
        }
        boolean printable = value.chars().allMatch(c -> c > 0x20 && c < 0x7f || c == ' ');
        if (value.isEmpty() || value.length() > MAX_BOUNDARY || !printable) {
          return Optional.empty();
        }
        return Optional.of(value);
      }
    }
    return Optional.empty();
  }

  /** The next part, or null after the closing delimiter. Any unread body of the previous part is skipped. */
  public Part next() {
    if (finished) {
      return null;
    }
    if (partOpen) {
      skipBody();
    }
    // Right after a delimiter: "--" closes the form; otherwise optional padding and CRLF.
    ensure(2);
    if (buf[pos] == '-' && buf[pos + 1] == '-') {
      pos += 2;
      finished = true;
      return null;
    }
    while (true) {
      ensure(1);
      byte b = buf[pos];
      if (b == ' ' || b == '\t') {
        pos++;
      } else {
        break;
      }
    }
    ensure(2);
    if (buf[pos] != '\r' || buf[pos + 1] != '\n') {
      throw malformed("a boundary line is not followed by CRLF");
    }
    pos += 2;
    Map<String, String> headers = readHeaders();
    Map<String, String> disposition = parseDisposition(headers.get("content-disposition"));
    String name = disposition.get("name");
    if (name == null) {
      throw malformed("a part has no Content-Disposition name");
    }
    String filename = disposition.containsKey("filename*") ? disposition.get("filename*")
        : disposition.get("filename");
    partOpen = true;
    scanned = pos;
    return new Part(name, filename, headers.get("content-type"), new BodyStream());
  }

  private void skipBody() {
    byte[] sink = new byte[8192];
    while (readBody(sink, 0, sink.length) >= 0) {
      // discard
    }
  }

  private Map<String, String> readHeaders() {
    Map<String, String> headers = new LinkedHashMap<>();
    int total = 0;
    while (true) {
      int end = findCrlf();
      String line = new String(buf, pos, end - pos, StandardCharsets.UTF_8);
      total += end - pos + 2;
      pos = end + 2;
      if (total > MAX_HEADER_BYTES) {
        throw malformed("part headers are too large");
      }
      if (line.isEmpty()) {
        return headers;
      }
      int colon = line.indexOf(':');
      if (colon <= 0) {
        throw malformed("a part header line has no name");
      }
      headers.put(line.substring(0, colon).trim().toLowerCase(Locale.ROOT), line.substring(colon + 1).trim());
    }
  }

  /** The index of the next CRLF at or after pos, reading more input as needed. */
  private int findCrlf() {
    int from = pos;
    while (true) {
      for (int i = from; i + 1 < lim; i++) {
        if (buf[i] == '\r' && buf[i + 1] == '\n') {
          return i;
        }
      }
      from = Math.max(pos, lim - 1);
      if (lim - pos > MAX_HEADER_BYTES) {
        throw malformed("part headers are too large");
      }
      int shift = pos;
      if (!fill()) {
        throw malformed("the body ended inside part headers");
      }
      from -= shift - pos;
    }
  }

  /** Parses {@code form-data; name="a"; filename="b"; filename*=UTF-8''c}. */
  static Map<String, String> parseDisposition(String value) {
    if (value == null) {
      throw malformed("a part has no Content-Disposition header");
    }
    Map<String, String> params = new LinkedHashMap<>();
    int i = value.indexOf(';');
    if (i < 0) {
      return params;
    }
    int n = value.length();
    while (i < n) {
      while (i < n && (value.charAt(i) == ';' || value.charAt(i) == ' ' || value.charAt(i) == '\t')) {
        i++;
      }
      int eq = value.indexOf('=', i);
      if (eq < 0) {
        break;
      }
      String key = value.substring(i, eq).trim().toLowerCase(Locale.ROOT);
      i = eq + 1;
      StringBuilder v = new StringBuilder();
      if (i < n && value.charAt(i) == '"') {
        i++;
        while (i < n && !(value.charAt(i) == '"' && closesQuote(value, i + 1))) {
          char c = value.charAt(i);
          // Only \" and \\ are escapes: browsers send Windows paths with raw backslashes.
          if (c == '\\' && i + 1 < n && (value.charAt(i + 1) == '"' || value.charAt(i + 1) == '\\')) {
            i++;
            c = value.charAt(i);
          }
          v.append(c);
          i++;
        }
        i++;
      } else {
        while (i < n && value.charAt(i) != ';') {
          v.append(value.charAt(i++));
        }
      }
      String text = key.endsWith("*") ? decodeExtended(v.toString().trim()) : v.toString();
      if (text != null) {
        params.putIfAbsent(key, text);
      }
    }
    return params;
  }

  /**
   * Whether a {@code "} at {@code i - 1} ends a quoted value: only when the parameter list ends or
   * continues after it. The published SDK puts names inside quotes unescaped, so a quote inside a
   * name is kept as a character.
   */
  private static boolean closesQuote(String value, int i) {
    int j = i;
    while (j < value.length() && (value.charAt(j) == ' ' || value.charAt(j) == '\t')) {
      j++;
    }
    return j == value.length() || value.charAt(j) == ';';
  }

  /** RFC 8187 {@code charset'lang'percent-encoded}; null when unreadable (the plain form then wins). */
  private static String decodeExtended(String raw) {
    int first = raw.indexOf('\'');
    int second = first < 0 ? -1 : raw.indexOf('\'', first + 1);
    if (second < 0) {
      return null;
    }
    String charset = raw.substring(0, first);
    try {
      return URLDecoder.decode(raw.substring(second + 1).replace("+", "%2B"),
          charset.equalsIgnoreCase("utf-8") ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  /** Makes at least {@code n} bytes available at pos, or fails as truncated. */
  private void ensure(int n) {
    while (lim - pos < n) {
      if (!fill()) {
        throw malformed("the body ended before the closing boundary");
      }
    }
  }

  /** Compacts and reads more input; false at the end of the stream. */
  private boolean fill() {
    if (eof) {
      return false;
    }
    if (pos > 0) {
      System.arraycopy(buf, pos, buf, 0, lim - pos);
      lim -= pos;
      scanned = Math.max(0, scanned - pos);
      pos = 0;
    }
    if (lim == buf.length) {
      throw new IllegalStateException("multipart buffer full");
    }
    try {
      int n = in.read(buf, lim, buf.length - lim);
      if (n < 0) {
        eof = true;
        return false;
      }
      lim += n;
      return true;
    } catch (IOException e) {
      throw new ApiException(ErrorCode.INVALID_MULTIPART, "the request body could not be read to its end");
    }
  }

  /** Reads body bytes of the open part; -1 once its closing delimiter was consumed. */
  private int readBody(byte[] b, int off, int len) {
    if (!partOpen) {
      return -1;
    }
    while (true) {
      int found = findDelimiter();
      int available = (found >= 0 ? found : Math.max(pos, lim - delimiter.length + 1)) - pos;
      if (found == pos) {
        pos += delimiter.length;
        partOpen = false;
        return -1;
      }
      if (available > 0) {
        int n = Math.min(len, available);
        System.arraycopy(buf, pos, b, off, n);
        pos += n;
        return n;
      }
      if (!fill()) {
        throw malformed("the body ended before the closing boundary");
      }
    }
  }

  /** The start of the first complete delimiter in the buffer, or -1. */
  private int findDelimiter() {
    int last = lim - delimiter.length;
    int i = Math.max(pos, scanned);
    byte first = delimiter[0];
    for (; i <= last; i++) {
      if (buf[i] == first && matchesAt(i)) {
        scanned = i;
        return i;
      }
    }
    scanned = Math.max(pos, last + 1);
    return -1;
  }

  private boolean matchesAt(int i) {
    for (int k = 1; k < delimiter.length; k++) {
      if (buf[i + k] != delimiter[k]) {
        return false;
      }
    }
    return true;
  }

  private static ApiException malformed(String why) {
    return new ApiException(ErrorCode.INVALID_MULTIPART, "malformed multipart body: " + why);
  }

  private final class BodyStream extends InputStream {
    @Override
    public int read() {
      byte[] one = new byte[1];
      return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) {
      if (len == 0) {
        return 0;
      }
      return readBody(b, off, len);
    }
  }
}
