package io.animus.sdk;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/**
 * A page of run events, newest first (docs/protocol.md §4.2).
 *
 * @param runId the run
 * @param events the events, newest first
 * @param nextBeforeEventId the smallest event id of the page (pass it as {@code beforeEventId} to read older
 *     events), or null when the page is empty
 * @param nextPageToken the opaque cursor of the next page, or null on the last page
 */
public record EventPage(String runId, List<RunEvent> events, Long nextBeforeEventId, String nextPageToken) {

  /** Reads an events answer; unknown fields are ignored. */
  static EventPage fromJson(JsonNode n) {
    return new EventPage(Wire.text(n, "run_id"), Wire.list(n, "events", RunEvent::fromJson),
        Wire.optLong(n, "next_before_event_id"), Wire.text(n, "next_page_token"));
  }

  /** True when older events may exist. */
  public boolean hasNext() {
    return nextPageToken != null && !nextPageToken.isEmpty();
  }
}
