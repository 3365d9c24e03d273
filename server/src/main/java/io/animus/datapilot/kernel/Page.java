package io.animus.datapilot.kernel;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/** One page of a list and the token of the next page, if there is one. */
public record Page<T>(List<T> items, Optional<String> nextPageToken) {
  public Page {
    items = List.copyOf(items);
  }

  /**
   * Builds a page from {@code limit + 1} fetched rows: the extra row only proves that more exist,
   * and the token is made from the last row kept.
   */
  public static <T> Page<T> fromOverfetch(List<T> rows, int limit, String fingerprint,
                                          Function<T, List<String>> keyOf) {
    if (rows.size() <= limit) {
      return new Page<>(rows, Optional.empty());
    }
    List<T> kept = rows.subList(0, limit);
    return new Page<>(kept, Optional.of(PageToken.encode(fingerprint, keyOf.apply(kept.get(limit - 1)))));
  }

  /** The wire shape of a list: {@code {"<key>":[...],"next_page_token"?}}. */
  public Map<String, Object> body(String key) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put(key, items);
    nextPageToken.ifPresent(t -> body.put("next_page_token", t));
    return body;
  }

  public <R> Page<R> map(Function<T, R> f) {
    return new Page<>(items.stream().map(f).toList(), nextPageToken);
  }
}
