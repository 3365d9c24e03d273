package io.animus.datapilot.storage;

import java.util.Objects;

/**
 * A stored blob as its row describes it: where it lives, its size and digest, and the name and
 * type it is served with. What a Service answers for a download; the HTTP layer turns it into the
 * answer (validators, ranges, body).
 */
public record BlobRef(BlobStore.Area area, String key, long sizeBytes, String sha256, String contentType,
                      String filename) {
  public BlobRef {
    Objects.requireNonNull(area);
    Objects.requireNonNull(key);
    Objects.requireNonNull(sha256);
    Objects.requireNonNull(contentType);
    Objects.requireNonNull(filename);
  }
}
