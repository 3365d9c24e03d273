package io.animus.sdk;

import java.util.List;

/**
 * One page of a list answer (PROTOCOL.md §1.7): the items in the server's order and the opaque
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
}
