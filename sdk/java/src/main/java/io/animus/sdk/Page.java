package io.animus.sdk;

import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.function.Function;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

/**
 * One page of a list answer (docs/protocol.md §1.7): the items in the server's order and the opaque
 * {@code next_page_token}, null on the last page. Send the token back as {@code pageToken} with the same filters
 * to read the next page.
 *
 * @param <T> the item type
 * @param items the items of this page, never null
 * @param nextPageToken the cursor of the next page, or null when this is the last page
 */
public record Page<T>(List<T> items, String nextPageToken) {
  /** Copies {@code items}; a null list is empty. */
  public Page {
    items = items == null ? List.of() : List.copyOf(items);
  }

  /** True when the server said more results exist. */
  public boolean hasNext() {
    return nextPageToken != null && !nextPageToken.isEmpty();
  }

  /**
   * Every item of a list, page after page, fetched lazily: {@code fetch} is called with null for the first page and
   * then with each {@link #nextPageToken()}, for example
   * {@code Page.all(token -> client.listRuns(experimentId, 500, null, null, null, false, token))}.
   */
  public static <T> Stream<T> all(Function<String, Page<T>> fetch) {
    Iterator<T> items = new Iterator<>() {
      private Page<T> page;
      private int index;

      @Override
      public boolean hasNext() {
        if (page == null) {
          page = fetch.apply(null);
        }
        while (index >= page.items().size() && page.hasNext()) {
          page = fetch.apply(page.nextPageToken());
          index = 0;
        }
        return index < page.items().size();
      }

      @Override
      public T next() {
        if (!hasNext()) {
          throw new NoSuchElementException();
        }
        return page.items().get(index++);
      }
    };
    Iterable<T> iterable = () -> items;
    return StreamSupport.stream(iterable.spliterator(), false);
  }
}
