package io.animus.datapilot.storage;

/** The blob store failed (disk, network, S3 error); answered 502 by the callers. */
public final class BlobStoreException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public BlobStoreException(String message, Throwable cause) {
    super(message, cause);
  }
}
