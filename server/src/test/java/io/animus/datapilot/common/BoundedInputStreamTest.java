package io.animus.datapilot.common;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

class BoundedInputStreamTest {
  private static final byte[] TEN = {0, 1, 2, 3, 4, 5, 6, 7, 8, (byte) 0xff};

  @Test
  void readsAtMostTheBoundThenReportsTheEnd() throws IOException {
    try (InputStream in = new BoundedInputStream(new ByteArrayInputStream(TEN), 4)) {
      byte[] buf = new byte[8];
      assertThat(in.read(buf, 0, 8)).isEqualTo(4);
      assertThat(buf).startsWith(0, 1, 2, 3);
      assertThat(in.read(buf, 0, 8)).isEqualTo(-1);
      assertThat(in.read()).isEqualTo(-1);
    }
  }

  @Test
  void singleBytesAreUnsignedAndAShortSourceEndsEarly() throws IOException {
    InputStream in = new BoundedInputStream(new ByteArrayInputStream(TEN, 8, 2), 5);
    assertThat(in.read()).isEqualTo(8);
    assertThat(in.read()).isEqualTo(255);
    assertThat(in.read()).isEqualTo(-1);
  }

  @Test
  void aZeroLengthReadReadsNothingAndCloseClosesTheSource() throws IOException {
    AtomicBoolean closed = new AtomicBoolean();
    InputStream source = new ByteArrayInputStream(TEN) {
      @Override
      public void close() {
        closed.set(true);
      }
    };
    InputStream in = new BoundedInputStream(source, 3);
    assertThat(in.read(new byte[4], 0, 0)).isZero();
    assertThat(in.readAllBytes()).containsExactly(0, 1, 2);
    in.close();
    assertThat(closed).isTrue();
  }
}
