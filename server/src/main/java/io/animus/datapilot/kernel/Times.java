package io.animus.datapilot.kernel;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Locale;

/**
 * RFC 3339 input parsing: any offset accepted, stored as UTC, rounded to the microsecond as
 * PostgreSQL rounds a timestamp's text; an instant that rounding would carry out of the years
 * 0001–9999 (such as {@code 9999-12-31T23:59:59.9999999Z}) is refused rather than stored as year 10000.
 */
public final class Times {
  /** 10000-01-01T00:00:00Z in microseconds since the epoch: the first instant that is not stored. */
  public static final long END_MICROS = 253_402_300_800_000_000L;

  private Times() {}

  public static Instant parse(String field, String text) {
    String value = text.trim();
    try {
      // RFC 3339 allows a lower-case 't'/'z' and a space separator is common in the field.
      String normalised = value.toUpperCase(Locale.ROOT).replace(' ', 'T');
      OffsetDateTime time = OffsetDateTime.parse(normalised, DateTimeFormatter.ISO_OFFSET_DATE_TIME);
      // RFC 3339 years have four digits; ISO 8601's signed wider years would overflow PostgreSQL,
      // which also has no year 0 (its text input says 1 BC), so the UTC year must be 1 to 9999.
      Instant rounded = toMicros(time.toInstant());
      int utcYear = rounded.atOffset(ZoneOffset.UTC).getYear();
      if (time.getYear() >= 0 && time.getYear() <= 9999 && utcYear >= 1 && utcYear <= 9999) {
        return rounded;
      }
      throw new ApiException(ErrorCode.INVALID_TIMESTAMP, "field \"" + field
          + "\" is outside the years 0001-9999 in UTC (after rounding to microseconds)");
    } catch (DateTimeParseException e) {
      // answered below
    }
    throw new ApiException(ErrorCode.INVALID_TIMESTAMP,
        "field \"" + field + "\" is not an RFC 3339 timestamp with an offset");
  }

  /**
   * The instant rounded to microseconds as PostgreSQL rounds the text of a timestamp (the fraction of
   * a second read as a double, times a million, rounded half to even), so that what a request is
   * answered with is what is stored.
   */
  static Instant toMicros(Instant at) {
    int nanos = at.getNano();
    if (nanos % 1000 == 0) {
      return at;
    }
    String digits = Integer.toString(1_000_000_000 + nanos).substring(1);
    long micros = (long) Math.rint(Double.parseDouble("0." + digits) * 1_000_000);
    return Instant.ofEpochSecond(at.getEpochSecond(), micros * 1000);
  }

  /** Whether an instant is one that {@link #parse} can produce (a four-digit year, give or take an offset). */
  public static boolean supported(Instant instant) {
    int year = instant.atOffset(ZoneOffset.UTC).getYear();
    return year >= -1 && year <= 10_000;
  }
}
