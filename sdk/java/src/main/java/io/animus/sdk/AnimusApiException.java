package io.animus.sdk;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * An API call failed: the server answered with a status of 400 or more, or a 2xx body was not JSON.
 *
 * <p>{@link #status()} is the HTTP status, {@link #code()} the server's stable error code ({@code body.error},
 * else {@code "request_failed"}), {@link #requestId()} the server's request id (else the id this client sent) and
 * {@link #body()} the decoded error body (a text node when the body was not JSON, null when empty). Transport
 * failures are the subclass {@link AnimusTransportException} with status 0.
 */
public class AnimusApiException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final int status;
  private final String code;
  private final String requestId;
  private final transient JsonNode body;

  /** An error with the given status, code, request id and body. */
  public AnimusApiException(int status, String code, String requestId, JsonNode body) {
    this(status, code, requestId, body, null);
  }

  /** An error caused by {@code cause}. */
  protected AnimusApiException(int status, String code, String requestId, JsonNode body, Throwable cause) {
    super(describe(status, code, requestId, body), cause);
    this.status = status;
    this.code = code;
    this.requestId = requestId;
    this.body = body;
  }

  private static String describe(int status, String code, String requestId, JsonNode body) {
    StringBuilder text = new StringBuilder().append(status).append(' ').append(code);
    if (body != null && body.path("message").isTextual()) {
      text.append(": ").append(body.path("message").asText());
    }
    if (requestId != null && !requestId.isEmpty()) {
      text.append(" (request_id=").append(requestId).append(')');
    }
    return text.toString();
  }

  /** The HTTP status; 0 for a transport failure. */
  public int status() {
    return status;
  }

  /** The server's error code, such as {@code not_found}, or {@code request_failed}. */
  public String code() {
    return code;
  }

  /** The request id the server reported, else the one this client sent. */
  public String requestId() {
    return requestId;
  }

  /** The decoded error body, or null. */
  public JsonNode body() {
    return body;
  }

  /** The error's {@code details} object (such as {@code experiment_id} of a name conflict), or null. */
  public JsonNode details() {
    return body != null && body.path("details").isObject() ? body.get("details") : null;
  }

  /** The server's human-readable message, or an empty string. */
  public String serverMessage() {
    return body != null && body.path("message").isTextual() ? body.path("message").asText() : "";
  }

  /** True for transport failures, 429 and 5xx: the answers a telemetry writer retries. */
  public boolean retryable() {
    return status == 0 || status == 429 || status >= 500;
  }
}
