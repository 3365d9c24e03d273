package io.animus.datapilot.upload;

import io.animus.datapilot.kernel.ApiException;
import io.animus.datapilot.kernel.ErrorCode;
import java.io.IOException;
import java.io.InputStream;
import java.util.Map;

/**
 * The raw request body with the upload limit enforced while streaming (413 {@code upload_too_large})
 * and a broken connection turned into a 400, so that callers clean up through one exception type.
 */
final class LimitedInput extends InputStream {
  private final InputStream in;
  private final long maxBytes;
  private long count;

  LimitedInput(InputStream in, long maxBytes) {
    this.in = in;
    this.maxBytes = maxBytes;
  }

  @Override
  public int read() throws IOException {
    byte[] one = new byte[1];
    return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
  }

  @Override
  public int read(byte[] b, int off, int len) {
    int n;
    try {
      n = in.read(b, off, len);
    } catch (IOException e) {
      throw new ApiException(ErrorCode.INVALID_MULTIPART, "the upload was interrupted before it was complete");
    }
    if (n > 0) {
      count += n;
      if (count > maxBytes) {
        throw tooLarge(maxBytes, -1);
      }
    }
    return n;
  }

  static ApiException tooLarge(long maxBytes, long contentLength) {
    Map<String, Object> details = contentLength >= 0
        ? Map.of("max_bytes", maxBytes, "content_length", contentLength) : Map.of("max_bytes", maxBytes);
    return new ApiException(ErrorCode.UPLOAD_TOO_LARGE, "the upload is larger than " + maxBytes + " bytes", details);
  }
}
