package io.animus.datapilot.storage;

import java.io.InputStream;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Where blob bytes live (docs/protocol.md §5.4): two areas, {@code artifacts/} and {@code datasets/},
 * addressed by object keys of {@code /}-separated segments. A blob is visible under its key only
 * once its bytes are durable; a failed write leaves nothing behind. Store failures are
 * {@link BlobStoreException}; failures of the source stream propagate unchanged.
 */
public interface BlobStore {
  /** The two areas of the store. */
  enum Area {
    ARTIFACTS("artifacts"), DATASETS("datasets");

    private final String dir;

    Area(String dir) {
      this.dir = dir;
    }

    public String dir() {
      return dir;
    }
  }

  /** What a completed write measured while streaming. */
  record Written(long sizeBytes, String sha256) {}

  /** Streams {@code source} to its end into {@code key}, hashing it; replaces nothing half-written. */
  Written put(Area area, String key, InputStream source);

  /** Moves a complete blob to another key of the same area (staging key to final key). */
  void move(Area area, String fromKey, String toKey);

  /** The size of a stored blob, or empty when there is none. */
  Optional<Long> size(Area area, String key);

  /** Reads {@code length} bytes from {@code offset}; the caller closes the stream. */
  InputStream open(Area area, String key, long offset, long length);

  /** A local file holding the blob, for zero-copy transfers; empty for remote stores. */
  default Optional<Path> localFile(Area area, String key) {
    return Optional.empty();
  }

  /** Removes a blob if present; never throws (used on cleanup paths). */
  void deleteQuietly(Area area, String key);

  /** Whether the store answers (readiness). */
  boolean ping();

  /** {@code file} or {@code s3}. */
  String kind();

  /** Checks one key segment: non-empty, not {@code .}/{@code ..}, no control characters. */
  static void checkKey(String key) {
    if (key == null || key.isEmpty() || key.startsWith("/") || key.endsWith("/")) {
      throw new IllegalArgumentException("bad object key");
    }
    for (String segment : key.split("/", -1)) {
      if (segment.isEmpty() || segment.equals(".") || segment.equals("..")
          || segment.chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
        throw new IllegalArgumentException("bad object key segment");
      }
    }
  }
}
