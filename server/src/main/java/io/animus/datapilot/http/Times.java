package io.animus.datapilot.http;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Locale;

/** RFC 3339 input parsing: any offset accepted, stored as UTC. */
public final class Times {
  private Times() {}

  public static Instant parse(String field, String text) {
    String value = text.trim();
    try {
      // RFC 3339 allows a lower-case 't'/'z' and a space separator is common in the field.
      String normalised = value.toUpperCase(Locale.ROOT).replace(' ', 'T');
      OffsetDateTime time = OffsetDateTime.parse(normalised, DateTimeFormatter.ISO_OFFSET_DATE_TIME);
      // RFC 3339 years have four digits; ISO 8601's signed wider years would overflow PostgreSQL,
      // which also has no year 0 (its text input says 1 BC), so the UTC year must be 1 to 9999.
      int utcYear = time.toInstant().atOffset(ZoneOffset.UTC).getYear();
      if (time.getYear() >= 0 && time.getYear() <= 9999 && utcYear >= 1 && utcYear <= 9999) {
        return time.toInstant();
      }
    } catch (DateTimeParseException e) {
      // answered below
    }
    throw new ApiException(ErrorCode.INVALID_TIMESTAMP,
        "field \"" + field + "\" is not an RFC 3339 timestamp with an offset");
  }

  /** Whether an instant is one that {@link #parse} can produce (a four-digit year, give or take an offset). */
  public static boolean supported(Instant instant) {
    int year = instant.atOffset(ZoneOffset.UTC).getYear();
    return year >= -1 && year <= 10_000;
  }
}
