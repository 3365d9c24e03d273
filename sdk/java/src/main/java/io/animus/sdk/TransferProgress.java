package io.animus.sdk;

/**
 * Told how far an upload or download has come. It is called on the transferring thread after each chunk (about
 * 64 KiB), so it must be quick; a callback that sleeps slows the transfer down, which is how a caller limits its
 * rate. {@code total} is -1 when the size is not known.
 */
@FunctionalInterface
public interface TransferProgress {
  /** {@code done} of {@code total} bytes have been transferred (a resumed download starts above zero). */
  void update(long done, long total);
}
