package io.animus.datapilot.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.animus.sdk.Page;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.function.BiFunction;

/**
 * How every list command prints its list: with {@code --json} the server's shape
 * ({@code {"<key>":[...],"next_page_token"?}}, optionally inside an envelope of other fields), else an aligned
 * table with one row per item (made from the item and "now"), a note on standard error when the list is empty,
 * and a hint to raise {@code --limit} when more items exist.
 */
final class ListOutput {
  private ListOutput() {}

  /** A page of a list. */
  static <T> void print(ClientOptions opts, String key, Page<T> page, List<String> headers,
      BiFunction<T, Instant, List<String>> row) {
    print(opts, key, page.items(), page.nextPageToken(), headers, row);
  }

  /** A list (key as in the server's answer) with its next page token (may be null). */
  static <T> void print(ClientOptions opts, String key, Collection<T> items, String nextPageToken,
      List<String> headers, BiFunction<T, Instant, List<String>> row) {
    ObjectNode json = Printer.JSON.createObjectNode();
    opts.print(withList(json, key, items, nextPageToken), () -> table(opts, key, items, nextPageToken, headers, row));
  }

  /**
   * A list inside {@code envelope} (its fields come first in the JSON), and, for people, {@code heading} on a line
   * before the table.
   */
  static <T> void printWithin(ClientOptions opts, ObjectNode envelope, String heading, String key,
      Collection<T> items, List<String> headers, BiFunction<T, Instant, List<String>> row) {
    opts.print(withList(envelope, key, items, null), () -> {
      opts.printer().line(heading);
      table(opts, key, items, null, headers, row);
    });
  }

  /** {@code out} with the list under {@code key} (each item as {@link Printer#tree}) and the next page token. */
  static ObjectNode withList(ObjectNode out, String key, Collection<?> items, String nextPageToken) {
    ArrayNode array = out.putArray(key);
    items.forEach(i -> array.add(Printer.tree(i)));
    if (nextPageToken != null && !nextPageToken.isEmpty()) {
      out.put("next_page_token", nextPageToken);
    }
    return out;
  }

  private static <T> void table(ClientOptions opts, String key, Collection<T> items, String nextPageToken,
      List<String> headers, BiFunction<T, Instant, List<String>> row) {
    Instant now = Instant.now();
    List<List<String>> rows = new ArrayList<>();
    for (T item : items) {
      rows.add(row.apply(item, now));
    }
    String what = key.replace('_', ' ');
    opts.printer().table(what, headers, rows);
    if (nextPageToken != null && !nextPageToken.isEmpty() && !rows.isEmpty()) {
      opts.printer().note("More " + what + " exist than shown here; raise --limit to see more.");
    }
  }
}
