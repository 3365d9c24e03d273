package io.animus.datapilot.telemetry;

import io.animus.datapilot.kernel.ApiException;
import io.animus.datapilot.kernel.ErrorCode;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * Caps on open live streams, per server and per caller. A stream beyond a cap is refused before it
 * reads anything (503 {@code service_unavailable} with {@code Retry-After}), so a flood of streams
 * costs neither memory nor database reads.
 */
public final class StreamLimits {
  /** Seconds a refused client is asked to wait: streams free up as readers leave. */
  public static final int RETRY_AFTER_SECONDS = 5;
  private final int maxOpen;
  private final int maxPerPrincipal;
  private final AtomicInteger open;
  private final Consumer<String> onRefused;
  private final Map<String, Integer> byPrincipal = new ConcurrentHashMap<>();

  /**
   * {@code open} is the gauge of open streams; {@code onRefused} counts a refusal by the cap that
   * refused it ({@code server} or {@code principal}).
   */
  public StreamLimits(int maxOpen, int maxPerPrincipal, AtomicInteger open, Consumer<String> onRefused) {
    this.maxOpen = maxOpen;
    this.maxPerPrincipal = maxPerPrincipal;
    this.open = open;
    this.onRefused = onRefused;
  }

  /** Takes a place for {@code principal}'s new stream, or throws the refusal; run the result once to give it back. */
  public Runnable acquire(String principal) {
    boolean[] taken = {false};
    byPrincipal.compute(principal, (k, n) -> {
      int current = n == null ? 0 : n;
      if (current >= maxPerPrincipal) {
        return n;
      }
      taken[0] = true;
      return current + 1;
    });
    if (!taken[0]) {
      onRefused.accept("principal");
      throw new ApiException(ErrorCode.SERVICE_UNAVAILABLE, "this caller already has " + maxPerPrincipal
          + " open live streams, the most allowed; close one or retry later",
          Map.of("limit", "streams_per_principal", "max_streams", maxPerPrincipal));
    }
    if (open.incrementAndGet() > maxOpen) {
      open.decrementAndGet();
      releasePrincipal(principal);
      onRefused.accept("server");
      throw new ApiException(ErrorCode.SERVICE_UNAVAILABLE, "the server holds " + maxOpen
          + " open live streams, the most allowed; retry later",
          Map.of("limit", "streams_per_server", "max_streams", maxOpen));
    }
    AtomicBoolean released = new AtomicBoolean();
    return () -> {
      if (released.compareAndSet(false, true)) {
        open.decrementAndGet();
        releasePrincipal(principal);
      }
    };
  }

  private void releasePrincipal(String principal) {
    byPrincipal.computeIfPresent(principal, (k, n) -> n <= 1 ? null : n - 1);
  }
}
