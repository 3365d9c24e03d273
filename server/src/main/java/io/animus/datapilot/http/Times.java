package io.animus.datapilot.http;

import java.time.Instant;
import java.time.OffsetDateTime;
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
      return OffsetDateTime.parse(normalised, DateTimeFormatter.ISO_OFFSET_DATE_TIME).toInstant();
    } catch (DateTimeParseException e) {
      throw new ApiException(ErrorCode.INVALID_TIMESTAMP,
          "field \"" + field + "\" is not an RFC 3339 timestamp with an offset");
    }
  }
}
