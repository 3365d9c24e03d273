package io.animus.datapilot.storage;

import io.animus.datapilot.common.Hashing;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.util.HexFormat;

/**
 * Reads a source in large chunks while counting and hashing (SHA-256) what went by; shared by
 * every store so that the measured size and hash mean the same thing everywhere.
 */
final class HashingReader {
  private final InputStream source;
  private final MessageDigest sha = Hashing.sha256();
  private long count;

  HashingReader(InputStream source) {
    this.source = source;
  }

  /** Fills {@code buf} from {@code off} as far as possible; -1 at the end of the source. */
  int fill(byte[] buf, int off, int len) {
    int total = 0;
    while (total < len) {
      int n;
      try {
        n = source.read(buf, off + total, len - total);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      if (n < 0) {
        break;
      }
      sha.update(buf, off + total, n);
      total += n;
      count += n;
    }
    return total == 0 && len > 0 ? -1 : total;
  }

  BlobStore.Written result() {
    return new BlobStore.Written(count, HexFormat.of().formatHex(sha.digest()));
  }
}
