package io.animus.sdk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The logger's multi-producer ring on its own. */
class TelemetryRingTest {
  @Test
  void holdsExactlyItsCapacityEvenWhenNotAPowerOfTwo() {
    TelemetryRing ring = new TelemetryRing(3);
    assertThat(ring.claim(2)).isEqualTo(0);
    assertThat(ring.claim(2)).isEqualTo(-1);
    assertThat(ring.claim(1)).isEqualTo(2);
    assertThat(ring.claim(1)).isEqualTo(-1);
    ring.put(0, "a", 7, Double.doubleToRawLongBits(1.5), 99);
    ring.put(1, "b");
    // Slot 2 is claimed but not published yet: the consumer stops there.
    assertThat(ring.ref(0)).isEqualTo("a");
    assertThat(ring.step(0)).isEqualTo(7);
    assertThat(ring.value(0)).isEqualTo(1.5);
    assertThat(ring.time(0)).isEqualTo(99);
    assertThat(ring.ref(1)).isEqualTo("b");
    assertThat(ring.ref(2)).isNull();
    ring.clear(0);
    ring.clear(1);
    ring.release(2);
    assertThat(ring.consumed()).isEqualTo(2);
    assertThat(ring.claim(3)).isEqualTo(-1);
    assertThat(ring.claim(2)).isEqualTo(3);
    assertThat(ring.claimed()).isEqualTo(5);
    assertThatThrownBy(() -> new TelemetryRing(0)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  @Timeout(120)
  void fourProducersLoseNothingAndKeepTheirOwnOrder() throws Exception {
    int producers = 4;
    int perProducer = 500_000;
    TelemetryRing ring = new TelemetryRing(1000);
    String[] ids = {"p0", "p1", "p2", "p3"};
    List<Thread> threads = new ArrayList<>();
    for (int p = 0; p < producers; p++) {
      String id = ids[p];
      Thread t = new Thread(() -> {
        for (long seq = 0; seq < perProducer; ) {
          // Sometimes two slots at once, as logMetrics does.
          int n = seq % 7 == 0 && seq + 1 < perProducer ? 2 : 1;
          long at = ring.claim(n);
          if (at < 0) {
            Thread.onSpinWait();
            continue;
          }
          for (int k = 0; k < n; k++) {
            ring.put(at + k, id, seq, Double.doubleToRawLongBits(seq * 0.5), -seq);
            seq++;
          }
        }
      });
      t.start();
      threads.add(t);
    }
    long[] next = new long[producers];
    long pos = 0;
    long total = (long) producers * perProducer;
    while (pos < total) {
      Object ref = ring.ref(pos);
      if (ref == null) {
        Thread.onSpinWait();
        continue;
      }
      int p = ((String) ref).charAt(1) - '0';
      long step = ring.step(pos);
      assertThat(step).isEqualTo(next[p]);
      assertThat(ring.value(pos)).isEqualTo(step * 0.5);
      assertThat(ring.time(pos)).isEqualTo(-step);
      next[p]++;
      ring.clear(pos);
      pos++;
      if ((pos & 63) == 0) {
        ring.release(pos);
      }
    }
    ring.release(pos);
    for (Thread t : threads) {
      t.join();
    }
    assertThat(next).containsOnly(perProducer);
    assertThat(ring.claimed()).isEqualTo(total);
    assertThat(ring.ref(pos)).isNull();
  }
}
