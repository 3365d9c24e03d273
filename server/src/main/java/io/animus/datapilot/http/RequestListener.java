package io.animus.datapilot.http;

/** Told of every answered request (ops counts them for {@code /metrics}; App wires it in). */
@FunctionalInterface
public interface RequestListener {
  /** {@code route} is the matched route's pattern, or {@code unmatched}. */
  void answered(String method, String route, int status, long nanos);
}
