package io.animus.sdk;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The request never got an HTTP answer (connection refused or reset, timeout, interrupted body): status 0, code
 * {@code network_error}, with the underlying {@link #getCause() cause}.
 */
public class AnimusTransportException extends AnimusApiException {
  private static final long serialVersionUID = 1L;

  /** A transport failure of the request that carried {@code requestId}. */
  public AnimusTransportException(String requestId, String detail, Throwable cause) {
    super(0, "network_error", requestId, body(detail), cause);
  }

  private static Map<String, Object> body(String detail) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("error", "network_error");
    body.put("message", detail == null ? "" : detail);
    return body;
  }
}
