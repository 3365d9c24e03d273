package io.animus.datapilot.http;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What a handler answers: a status, an optional JSON body and extra headers. A handler that
 * streamed its own response returns {@link #written()}.
 */
public record Reply(int status, Object body, Map<String, String> headers, boolean alreadyWritten) {
  public Reply {
    headers = Map.copyOf(headers);
  }

  public static Reply ok(Object body) {
    return new Reply(200, body, Map.of(), false);
  }

  public static Reply status(int status, Object body) {
    return new Reply(status, body, Map.of(), false);
  }

  public static Reply created(String location, Object body) {
    return new Reply(201, body, Map.of("Location", location), false);
  }

  public static Reply noContent() {
    return new Reply(204, null, Map.of(), false);
  }

  public static Reply written() {
    return new Reply(0, null, Map.of(), true);
  }

  public Reply withHeader(String name, String value) {
    Map<String, String> copy = new LinkedHashMap<>(headers);
    copy.put(name, value);
    return new Reply(status, body, copy, alreadyWritten);
  }
}
