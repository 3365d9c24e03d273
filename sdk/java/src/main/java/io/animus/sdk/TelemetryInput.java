package io.animus.sdk;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/** The telemetry logger's argument checks, run on the caller's thread: an invalid point is never queued. */
final class TelemetryInput {
  private static final Set<String> LEVELS = Set.of("debug", "info", "warn", "error");

  private TelemetryInput() {}

  static long step(long step) {
    if (step < 0) {
      throw new IllegalArgumentException("step must be >= 0");
    }
    return step;
  }

  /** The name, stripped, of 1 to 255 characters (the common case allocates nothing). */
  static String metricName(String name) {
    if (name == null) {
      throw new IllegalArgumentException("metric name must be a string of 1 to 255 characters");
    }
    int len = name.length();
    if (len > 0 && len <= 255 && !Character.isWhitespace(name.charAt(0))
        && !Character.isWhitespace(name.charAt(len - 1))) {
      return name;
    }
    String s = name.strip();
    if (s.isEmpty() || s.length() > 255) {
      throw new IllegalArgumentException("metric name must be a string of 1 to 255 characters");
    }
    return s;
  }

  /** Checked names to values in call order (a repeated name after stripping keeps its first value). */
  static Map<String, Double> metrics(Map<String, ? extends Number> values) {
    if (values == null || values.isEmpty()) {
      throw new IllegalArgumentException("metrics must be a non-empty map of name -> number");
    }
    Map<String, Double> clean = new LinkedHashMap<>();
    for (Map.Entry<String, ? extends Number> e : values.entrySet()) {
      if (e.getValue() == null) {
        throw new IllegalArgumentException("metric value of " + e.getKey() + " must be a number");
      }
      clean.putIfAbsent(metricName(e.getKey()), e.getValue().doubleValue());
    }
    return clean;
  }

  /** {@code debug}, {@code info}, {@code warn} (also {@code warning}) or {@code error}, any case. */
  static String level(String level) {
    String l = level == null ? "" : level.strip().toLowerCase(Locale.ROOT);
    if ("warning".equals(l)) {
      l = "warn";
    }
    if (!LEVELS.contains(l)) {
      throw new IllegalArgumentException("level must be one of debug, info, warn, error");
    }
    return l;
  }

  static String message(String message) {
    if (message == null || message.isBlank()) {
      throw new IllegalArgumentException("message must be a non-empty string");
    }
    return message;
  }

  static String status(String status) {
    if (status == null || status.isBlank()) {
      throw new IllegalArgumentException("status must be a non-empty string");
    }
    return status.strip();
  }

  /** A mutable copy of {@code metadata} (null: empty). */
  static Map<String, Object> metadata(Map<String, ?> metadata) {
    return metadata == null ? new LinkedHashMap<>() : new LinkedHashMap<>(metadata);
  }

  /** A progress event's metadata. */
  static Map<String, Object> progress(long step, Long totalSteps, Double percent) {
    Map<String, Object> meta = new LinkedHashMap<>();
    meta.put("progress_step", step(step));
    if (totalSteps != null) {
      if (totalSteps < 1) {
        throw new IllegalArgumentException("totalSteps must be a positive integer");
      }
      meta.put("progress_total_steps", totalSteps);
    }
    if (percent != null) {
      if (!Double.isFinite(percent) || percent < 0) {
        throw new IllegalArgumentException("percent must be a finite number >= 0");
      }
      meta.put("progress_percent", percent);
    }
    return meta;
  }
}
