package io.animus.datapilot.cli;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/** Sizes, times and durations as people read them in tables. */
final class Humanize {
  private static final String[] UNITS = {"B", "KiB", "MiB", "GiB", "TiB", "PiB"};
  private static final DateTimeFormatter DAY = DateTimeFormatter.ofPattern("yyyy-MM-dd").withZone(ZoneOffset.UTC);

  private Humanize() {}

  /** {@code 512 B}, {@code 1.5 KiB}, {@code 100 MiB}: one decimal below 10 units. */
  static String bytes(long n) {
    if (n < 1024) {
      return n + " B";
    }
    double v = n;
    int unit = 0;
    while (v >= 1024 && unit < UNITS.length - 1) {
      v /= 1024;
      unit++;
    }
    return String.format(Locale.ROOT, v < 10 ? "%.1f %s" : "%.0f %s", v, UNITS[unit]);
  }

  /** {@code 45s}, {@code 3m05s}, {@code 2h10m}, {@code 3d4h}. */
  static String duration(Duration d) {
    long s = Math.max(0, d.getSeconds());
    if (s < 60) {
      return s + "s";
    }
    if (s < 3600) {
      return String.format(Locale.ROOT, "%dm%02ds", s / 60, s % 60);
    }
    if (s < 86400) {
      return String.format(Locale.ROOT, "%dh%02dm", s / 3600, s % 3600 / 60);
    }
    return String.format(Locale.ROOT, "%dd%dh", s / 86400, s % 86400 / 3600);
  }

  /** A past time relative to {@code now}: {@code 5s ago}, {@code 3m ago}; a date beyond 30 days; "" when absent. */
  static String ago(Instant t, Instant now) {
    if (t == null) {
      return "";
    }
    Duration d = Duration.between(t, now);
    if (d.toDays() > 30) {
      return DAY.format(t);
    }
    long s = Math.max(0, d.getSeconds());
    String amount = s < 60 ? s + "s" : s < 3600 ? s / 60 + "m" : s < 86400 ? s / 3600 + "h" : s / 86400 + "d";
    return amount + " ago";
  }

  /** A time as RFC 3339 text, "" when absent. */
  static String time(Instant t) {
    return t == null ? "" : t.toString();
  }

  /** A metric value compactly: integers as such, 4 decimals at most, NaN and infinities by name. */
  static String number(double d, boolean fractional) {
    if (Double.isNaN(d)) {
      return "NaN";
    }
    if (Double.isInfinite(d)) {
      return d > 0 ? "Infinity" : "-Infinity";
    }
    if (!fractional && d == Math.rint(d) && Math.abs(d) < 1e15) {
      return Long.toString((long) d);
    }
    double abs = Math.abs(d);
    if (abs != 0 && (abs < 1e-3 || abs >= 1e6)) {
      return String.format(Locale.ROOT, "%.4g", d);
    }
    String s = String.format(Locale.ROOT, "%.4f", d);
    s = s.replaceAll("0+$", "");
    return s.endsWith(".") ? s.substring(0, s.length() - 1) : s;
  }

  /** The first 12 characters of an id or hash, for narrow columns. */
  static String shortHash(String hex) {
    return hex == null ? "" : hex.length() <= 12 ? hex : hex.substring(0, 12);
  }
}
