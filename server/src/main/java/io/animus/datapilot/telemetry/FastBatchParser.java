package io.animus.datapilot.telemetry;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.io.NumberInput;
import io.animus.datapilot.kernel.ApiException;
import io.animus.datapilot.kernel.Json;
import io.animus.datapilot.kernel.Times;
import java.io.IOException;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDate;

/**
 * A streaming read of a {@code metrics:batch} body that takes only the common, valid shape: one
 * field {@code points}, 1 to {@value MetricService#MAX_BATCH_POINTS} objects with known fields
 * once each, plain strings, integer steps, finite numbers (or the NaN and Infinity literals) of
 * ordinary size, and timestamps. Anything else (a syntax error, an invalid point, a value whose
 * storability needs the exact decimal check) answers {@code null}, and the caller reads the body
 * again the general way, which gives every error exactly as before. So this never decides an
 * error; it only skips the JSON tree, the whole-body storability scan and {@code BigDecimal}.
 */
final class FastBatchParser {
  private static final int STEP = 1;
  private static final int NAME = 2;
  private static final int VALUE = 4;
  private static final int TIMESTAMP = 8;
  /** Number texts up to this length cannot reach PostgreSQL numeric's limits unless they are zero. */
  private static final int PLAIN_NUMBER_CHARS = 64;

  private FastBatchParser() {}

  static MetricBatch parse(byte[] body) {
    if (body.length == 0) {
      return null;
    }
    try (JsonParser p = Json.mapper().createParser(body)) {
      // repeated fields are caught below: one "points" then the end; a bit per point field
      p.disable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
      if (p.nextToken() != JsonToken.START_OBJECT || p.nextToken() != JsonToken.FIELD_NAME
          || !"points".equals(p.currentName()) || p.nextToken() != JsonToken.START_ARRAY) {
        return null;
      }
      MetricBatch batch = new MetricBatch(Math.min(MetricService.MAX_BATCH_POINTS, body.length / 40 + 1));
      JsonToken t;
      while ((t = p.nextToken()) == JsonToken.START_OBJECT) {
        if (batch.size() == MetricService.MAX_BATCH_POINTS || !point(p, batch)) {
          return null;
        }
      }
      if (t != JsonToken.END_ARRAY || batch.size() == 0 || p.nextToken() != JsonToken.END_OBJECT
          || p.nextToken() != null) {
        return null;
      }
      return batch;
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }

  private static boolean point(JsonParser p, MetricBatch batch) throws IOException {
    int seen = 0;
    String name = null;
    long step = 0;
    double value = 0;
    long at = MetricBatch.UNSET;
    JsonToken t;
    while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
      int field = switch (p.currentName()) {
        case "step" -> STEP;
        case "name" -> NAME;
        case "value" -> VALUE;
        case "timestamp" -> TIMESTAMP;
        default -> 0;
      };
      if (field == 0 || (seen & field) != 0) {
        return false;
      }
      seen |= field;
      JsonToken v = p.nextToken();
      if (field == STEP) {
        if (v == JsonToken.VALUE_NUMBER_INT && isLong(p) && p.getLongValue() >= 0) {
          step = p.getLongValue();
        } else if (v != JsonToken.VALUE_NULL) {
          return false;
        }
      } else if (field == NAME) {
        name = v == JsonToken.VALUE_STRING ? name(p.getText()) : null;
        if (name == null) {
          return false;
        }
      } else if (field == VALUE) {
        Double parsed = value(p, v);
        if (parsed == null) {
          return false;
        }
        value = parsed;
      } else if (v == JsonToken.VALUE_STRING) {
        Long parsed = timestamp(p.getText());
        if (parsed == null) {
          return false;
        }
        at = parsed;
      } else if (v != JsonToken.VALUE_NULL) {
        return false;
      }
    }
    if (t != JsonToken.END_OBJECT || (seen & (NAME | VALUE)) != (NAME | VALUE)) {
      return false;
    }
    batch.add(name, step, value, at);
    return true;
  }

  private static boolean isLong(JsonParser p) throws IOException {
    JsonParser.NumberType type = p.getNumberType();
    return type == JsonParser.NumberType.INT || type == JsonParser.NumberType.LONG;
  }

  private static String name(String raw) {
    if (Json.unstorableText(raw).isPresent()) {
      return null;
    }
    String name = raw.trim();
    return name.isEmpty() || name.codePointCount(0, name.length()) > 255 ? null : name;
  }

  /** The value as the general path reads it ({@code BigDecimal.doubleValue}, so no negative zero). */
  private static Double value(JsonParser p, JsonToken v) throws IOException {
    if (v == JsonToken.VALUE_NUMBER_INT) {
      return isLong(p) ? (double) p.getLongValue() : null;
    }
    if (v != JsonToken.VALUE_NUMBER_FLOAT) {
      return null;
    }
    if (p.isNaN()) {
      return p.getDoubleValue();
    }
    String text = p.getText();
    if (text.length() > PLAIN_NUMBER_CHARS) {
      return null;
    }
    // correctly rounded, as Double.parseDouble and BigDecimal.doubleValue are, but much cheaper
    // than the JDK's parse for the 17-digit texts that doubles print as
    double d = NumberInput.parseDouble(text, true);
    if (Double.isNaN(d) || Double.isInfinite(d)) {
      return null;
    }
    if (d == 0) {
      // zero with an exponent may be beyond numeric's scale (0e-99999): the general path decides
      return text.indexOf('e') >= 0 || text.indexOf('E') >= 0 ? null : 0.0;
    }
    return d;
  }

  /**
   * Microseconds of an RFC 3339 time: {@code yyyy-MM-ddTHH:mm:ss[.f…]Z} directly, other forms
   * through {@link Times#parse}; {@code null} when it is not a valid, storable time.
   */
  static Long timestamp(String text) {
    if (text.indexOf('\0') >= 0) {
      return null;
    }
    int n = text.length();
    if (n >= 20 && text.charAt(n - 1) == 'Z' && text.charAt(4) == '-' && text.charAt(7) == '-'
        && text.charAt(10) == 'T' && text.charAt(13) == ':' && text.charAt(16) == ':') {
      int year = digits(text, 0, 4);
      int month = digits(text, 5, 2);
      int day = digits(text, 8, 2);
      int hour = digits(text, 11, 2);
      int minute = digits(text, 14, 2);
      int second = digits(text, 17, 2);
      int nanos = fraction(text, 19, n - 1);
      if (year >= 1 && month >= 1 && hour >= 0 && hour <= 23 && minute >= 0 && minute <= 59
          && second >= 0 && second <= 59 && nanos >= 0 && day >= 1) {
        try {
          long days = LocalDate.of(year, month, day).toEpochDay();
          long micros = MetricBatch.micros(days * 86_400 + hour * 3600L + minute * 60L + second, nanos);
          // rounding to microseconds may carry 9999-12-31T23:59:59.9999999Z into year 10000
          return micros < Times.END_MICROS ? micros : null;
        } catch (DateTimeException e) {
          return null;
        }
      }
    }
    try {
      Instant at = Times.parse("timestamp", text);
      return MetricBatch.micros(at);
    } catch (ApiException e) {
      return null;
    }
  }

  /** A fixed-width run of ASCII digits, or -1. */
  private static int digits(String text, int from, int count) {
    int out = 0;
    for (int i = from; i < from + count; i++) {
      char c = text.charAt(i);
      if (c < '0' || c > '9') {
        return -1;
      }
      out = out * 10 + (c - '0');
    }
    return out;
  }

  /** Nanoseconds of an optional {@code .d…} (1 to 9 digits) between from and to, or -1. */
  private static int fraction(String text, int from, int to) {
    if (from == to) {
      return 0;
    }
    int count = to - from - 1;
    if (text.charAt(from) != '.' || count < 1 || count > 9) {
      return -1;
    }
    int value = digits(text, from + 1, count);
    if (value < 0) {
      return -1;
    }
    for (int i = count; i < 9; i++) {
      value *= 10;
    }
    return value;
  }
}
