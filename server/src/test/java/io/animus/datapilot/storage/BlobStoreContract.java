package io.animus.datapilot.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.animus.datapilot.common.Hashing;
import io.animus.datapilot.storage.BlobStore.Area;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The behaviour every blob store must have; run against each implementation. */
abstract class BlobStoreContract {
  abstract BlobStore store();

  /** Every key currently stored in an area (to prove that failures leave nothing). */
  abstract List<String> keys(Area area);

  static byte[] random(int size, long seed) {
    byte[] bytes = new byte[size];
    new Random(seed).nextBytes(bytes);
    return bytes;
  }

  static byte[] read(InputStream in) {
    try (in) {
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Test
  void putMeasuresSizeAndSha256AndTheBytesReadBackExactly() {
    byte[] bytes = random(100_000, 1);
    BlobStore.Written written = store().put(Area.ARTIFACTS, "a/b/one.bin", new ByteArrayInputStream(bytes));
    assertThat(written.sizeBytes()).isEqualTo(100_000);
    assertThat(written.sha256()).isEqualTo(Hashing.sha256Hex(bytes));
    assertThat(store().size(Area.ARTIFACTS, "a/b/one.bin")).contains(100_000L);
    assertThat(read(store().open(Area.ARTIFACTS, "a/b/one.bin", 0, 100_000))).isEqualTo(bytes);
  }

  @Test
  void aBlobLargerThanOnePartIsStoredWholeAndRangesReadTheRightBytes() {
    byte[] bytes = random(S3BlobStore.PART_SIZE * 2 + 12_345, 2);
    BlobStore.Written written = store().put(Area.DATASETS, "d/v/big.bin", new ByteArrayInputStream(bytes));
    assertThat(written.sizeBytes()).isEqualTo(bytes.length);
    assertThat(written.sha256()).isEqualTo(Hashing.sha256Hex(bytes));
    byte[] middle = read(store().open(Area.DATASETS, "d/v/big.bin", S3BlobStore.PART_SIZE - 10, 20));
    assertThat(middle).isEqualTo(java.util.Arrays.copyOfRange(bytes, S3BlobStore.PART_SIZE - 10,
        S3BlobStore.PART_SIZE + 10));
  }

  @Test
  void anEmptyBlobIsStoredWithTheHashOfNothing() {
    BlobStore.Written written = store().put(Area.ARTIFACTS, "empty/e.bin", InputStream.nullInputStream());
    assertThat(written.sizeBytes()).isZero();
    assertThat(written.sha256()).isEqualTo("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    assertThat(store().size(Area.ARTIFACTS, "empty/e.bin")).contains(0L);
  }

  @Test
  void aSourceThatFailsMidwayLeavesNoBlobAtAll() {
    byte[] bytes = random(S3BlobStore.PART_SIZE + 100, 3);
    InputStream failing = new InputStream() {
      int at;

      @Override
      public int read() {
        throw new UnsupportedOperationException();
      }

      @Override
      public int read(byte[] b, int off, int len) {
        if (at >= bytes.length) {
          throw new IllegalStateException("client went away");
        }
        int n = Math.min(len, Math.min(65536, bytes.length - at));
        System.arraycopy(bytes, at, b, off, n);
        at += n;
        return n;
      }
    };
    List<String> before = keys(Area.ARTIFACTS);
    assertThatThrownBy(() -> store().put(Area.ARTIFACTS, "fail/f.bin", failing))
        .isInstanceOf(IllegalStateException.class).hasMessage("client went away");
    assertThat(store().size(Area.ARTIFACTS, "fail/f.bin")).isEmpty();
    assertThat(keys(Area.ARTIFACTS)).isEqualTo(before);
  }

  @Test
  void moveMakesTheBlobVisibleUnderTheNewKeyOnly() {
    byte[] bytes = random(5000, 4);
    store().put(Area.ARTIFACTS, ".staging/x1", new ByteArrayInputStream(bytes));
    store().move(Area.ARTIFACTS, ".staging/x1", "final/k/x.bin");
    assertThat(store().size(Area.ARTIFACTS, ".staging/x1")).isEmpty();
    assertThat(read(store().open(Area.ARTIFACTS, "final/k/x.bin", 0, 5000))).isEqualTo(bytes);
  }

  @Test
  void deleteRemovesTheBlobAndMissingBlobsHaveNoSize() {
    store().put(Area.DATASETS, "del/one", new ByteArrayInputStream(new byte[] {1, 2, 3}));
    store().deleteQuietly(Area.DATASETS, "del/one");
    store().deleteQuietly(Area.DATASETS, "del/never-existed");
    assertThat(store().size(Area.DATASETS, "del/one")).isEmpty();
  }

  @Test
  void areasAreSeparate() {
    store().put(Area.DATASETS, "same/key", new ByteArrayInputStream(new byte[] {9}));
    assertThat(store().size(Area.ARTIFACTS, "same/key")).isEmpty();
    assertThat(store().size(Area.DATASETS, "same/key")).contains(1L);
  }

  @Test
  void keysWithDotSegmentsAreRefused() {
    assertThatThrownBy(() -> store().put(Area.ARTIFACTS, "a/../../etc", InputStream.nullInputStream()))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void pingAnswersTrueWhenTheStoreIsReachable() {
    assertThat(store().ping()).isTrue();
  }
}
