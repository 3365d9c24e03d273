package io.animus.sdk;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

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

  private static ObjectNode body(String detail) {
    ObjectNode node = JsonNodeFactory.instance.objectNode();
    node.put("error", "network_error");
    node.put("message", detail == null ? "" : detail);
    return node;
  }
}
