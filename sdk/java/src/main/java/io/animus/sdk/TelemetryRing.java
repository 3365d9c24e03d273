package io.animus.sdk;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/** Padding so that the producers' index does not share a cache line with the fields before it. */
abstract class TelemetryRingPad0 {
  long p00, p01, p02, p03, p04, p05, p06, p07;
}

/** The index producers claim slots from (CAS). */
abstract class TelemetryRingProducer extends TelemetryRingPad0 {
  volatile long producerIndex;
  /** A cached {@code consumerIndex + capacity}: claims below it need not read the consumer's index. */
  volatile long producerLimit;
}

/** Padding between the producers' fields and the consumer's. */
abstract class TelemetryRingPad1 extends TelemetryRingProducer {
  long p10, p11, p12, p13, p14, p15, p16, p17;
}

/** The index of the next slot the single consumer reads; slots below it are free again. */
abstract class TelemetryRingConsumer extends TelemetryRingPad1 {
  volatile long consumerIndex;
}

/** Padding after the consumer's index. */
abstract class TelemetryRingPad2 extends TelemetryRingConsumer {
  long p20, p21, p22, p23, p24, p25, p26, p27;
}

/**
 * The bounded multi-producer, single-consumer queue behind {@link RunTelemetryLogger}: preallocated slots of
 * primitives (step, value bits, time) plus one reference (the metric name, or an event or metric group object).
 *
 * <p>A producer claims {@code n} consecutive slots with one compare-and-set on {@link #producerIndex} (no lock, no
 * allocation), writes them, and publishes each slot by storing its reference with release semantics. The consumer
 * reads a slot once its reference is visible (acquire), clears it, and hands the slots back by advancing
 * {@link #consumerIndex}. At most {@code capacity} slots are claimed and not yet handed back, exactly.
 */
final class TelemetryRing extends TelemetryRingPad2 {
  private static final VarHandle REF = MethodHandles.arrayElementVarHandle(Object[].class);
  private static final VarHandle PRODUCER;
  private static final VarHandle CONSUMER;

  static {
    try {
      MethodHandles.Lookup l = MethodHandles.lookup();
      PRODUCER = l.findVarHandle(TelemetryRingProducer.class, "producerIndex", long.class);
      CONSUMER = l.findVarHandle(TelemetryRingConsumer.class, "consumerIndex", long.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  private static final int STRIDE = 3;

  final int capacity;
  private final int mask;
  private final Object[] refs;
  /** Per slot: step, {@code Double.doubleToRawLongBits(value)}, epoch milliseconds. */
  private final long[] longs;

  TelemetryRing(int capacity) {
    if (capacity < 1 || capacity > (1 << 30)) {
      throw new IllegalArgumentException("capacity must be between 1 and 2^30");
    }
    this.capacity = capacity;
    int size = Integer.highestOneBit(capacity);
    if (size < capacity) {
      size <<= 1;
    }
    this.mask = size - 1;
    this.refs = new Object[size];
    this.longs = new long[size * STRIDE];
    this.producerLimit = capacity;
  }

  /** Claims {@code n} consecutive slots; their first index, or -1 when fewer than {@code n} are free. */
  long claim(int n) {
    while (true) {
      long p = producerIndex;
      long end = p + n;
      if (end > producerLimit) {
        long limit = consumerIndex + capacity;
        if (end > limit) {
          return -1;
        }
        // Racy but safe: any value written here was a true bound when it was read.
        producerLimit = limit;
      }
      if (PRODUCER.compareAndSet(this, p, end)) {
        return p;
      }
    }
  }

  /** Fills a claimed slot and publishes it; {@code ref} must not be null. */
  void put(long index, Object ref, long step, long valueBits, long time) {
    int slot = (int) index & mask;
    int at = slot * STRIDE;
    longs[at] = step;
    longs[at + 1] = valueBits;
    longs[at + 2] = time;
    REF.setRelease(refs, slot, ref);
  }

  /** Publishes a claimed slot that carries only a reference. */
  void put(long index, Object ref) {
    REF.setRelease(refs, (int) index & mask, ref);
  }

  /** Consumer only: the reference of slot {@code index} once published, else null. */
  Object ref(long index) {
    return REF.getAcquire(refs, (int) index & mask);
  }

  /** Consumer only, after {@link #ref} returned non-null: the slot's step. */
  long step(long index) {
    return longs[((int) index & mask) * STRIDE];
  }

  /** Consumer only, after {@link #ref} returned non-null: the slot's value. */
  double value(long index) {
    return Double.longBitsToDouble(longs[((int) index & mask) * STRIDE + 1]);
  }

  /** Consumer only, after {@link #ref} returned non-null: the slot's time. */
  long time(long index) {
    return longs[((int) index & mask) * STRIDE + 2];
  }

  /** Consumer only: empties slot {@code index} (before {@link #release}). */
  void clear(long index) {
    refs[(int) index & mask] = null;
  }

  /** Consumer only: hands every slot below {@code index} back to the producers. */
  void release(long index) {
    CONSUMER.setRelease(this, index);
  }

  /** The number of slots claimed so far. */
  long claimed() {
    return producerIndex;
  }

  /** The index of the next slot the consumer reads. */
  long consumed() {
    return consumerIndex;
  }
}
