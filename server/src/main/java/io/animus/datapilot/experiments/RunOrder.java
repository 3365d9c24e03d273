package io.animus.datapilot.experiments;

import io.animus.datapilot.kernel.ApiException;
import io.animus.datapilot.kernel.ErrorCode;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * How a run list is ordered (docs/protocol.md §3.3, §3.5): a key and a direction. Keys read as in
 * the filter language ({@code metrics.acc}, {@code params.lr}, {@code tags.team}, an attribute,
 * optionally {@code attributes.}-prefixed) or in the older {@code metric:acc} / {@code param:lr}.
 */
public record RunOrder(Field field, String key, boolean ascending) {
  /** What can be sorted by. */
  public enum Field { STARTED_AT, METRIC, PARAM, TAG, NAME, STATUS, ENDED_AT, DURATION, CREATED_BY }

  private static final Map<String, Field> ATTRIBUTES = Map.of("started_at", Field.STARTED_AT, "name", Field.NAME,
      "status", Field.STATUS, "ended_at", Field.ENDED_AT, "duration", Field.DURATION, "created_by", Field.CREATED_BY);
  private static final Map<String, Field> PREFIXES = Map.of("metric:", Field.METRIC, "param:", Field.PARAM,
      "metrics.", Field.METRIC, "params.", Field.PARAM, "tags.", Field.TAG);

  public static RunOrder parse(Optional<String> orderBy, Optional<String> order) {
    boolean ascending = switch (order.map(String::trim).orElse("desc").toLowerCase(Locale.ROOT)) {
      case "desc", "" -> false;
      case "asc" -> true;
      default -> throw new ApiException(ErrorCode.INVALID_ORDER_BY, "order must be asc or desc");
    };
    String by = orderBy.map(String::trim).orElse("");
    if (by.isEmpty()) {
      return new RunOrder(Field.STARTED_AT, null, ascending);
    }
    String attribute = by.startsWith("attributes.") ? by.substring("attributes.".length()) : by;
    Field field = ATTRIBUTES.get(attribute);
    if (field != null) {
      return new RunOrder(field, null, ascending);
    }
    for (Map.Entry<String, Field> prefix : PREFIXES.entrySet()) {
      if (by.startsWith(prefix.getKey())) {
        String key = unquoted(by.substring(prefix.getKey().length()), prefix.getKey().endsWith("."));
        // a key holding U+0000 cannot be stored, so it names nothing to order by
        if (!key.isEmpty() && key.indexOf('\0') < 0) {
          return new RunOrder(prefix.getValue(), key, ascending);
        }
      }
    }
    throw new ApiException(ErrorCode.INVALID_ORDER_BY, "order_by must be started_at, ended_at, duration, name, "
        + "status, created_by, metrics.<name>, params.<name> or tags.<name> (or metric:<name>, param:<name>)",
        Map.of("order_by", by));
  }

  /** A filter-style key may be quoted with back-quotes or double quotes: {@code metrics.`val/loss`}. */
  private static String unquoted(String key, boolean quotable) {
    if (quotable && key.length() >= 2) {
      char q = key.charAt(0);
      if ((q == '`' || q == '"') && key.charAt(key.length() - 1) == q) {
        return key.substring(1, key.length() - 1).replace(String.valueOf(q) + q, String.valueOf(q));
      }
    }
    return key;
  }
}
