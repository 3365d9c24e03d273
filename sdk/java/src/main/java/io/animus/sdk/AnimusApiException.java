package io.animus.sdk;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Map;

/**
 * An API call failed: the server answered with a status of 400 or more, or a 2xx body was not JSON.
 *
 * <p>{@link #status()} is the HTTP status, {@link #code()} the server's stable error code ({@code body.error},
 * else {@code "request_failed"}), {@link #requestId()} the server's request id (else the id this client sent) and
 * {@link #body()} the decoded error body as plain Java values (a {@code Map<String, Object>} for the usual JSON
 * object, the text when the body was not JSON, null when empty). Transport failures are the subclass
 * {@link AnimusTransportException} with status 0.
 */
public class AnimusApiException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final int status;
  private final String code;
  private final String requestId;
  private final transient Object body;

  /**
   * An error with the given status, code, request id and body: a {@code Map} (a JSON object), a {@code String}
   * (a body that was not JSON), another plain JSON value, or null.
   */
  public AnimusApiException(int status, String code, String requestId, Object body) {
    this(status, code, requestId, body, null);
  }

  /** An error caused by {@code cause}. */
  protected AnimusApiException(int status, String code, String requestId, Object body, Throwable cause) {
    super(describe(status, code, requestId, plain(body)), cause);
    this.status = status;
    this.code = code;
    this.requestId = requestId;
    this.body = plain(body);
  }

  /** A tree node (from the SDK's own decoding) as plain values; anything else unchanged. */
  private static Object plain(Object body) {
    return body instanceof JsonNode n ? Json.plain(n) : body;
  }

  private static String describe(int status, String code, String requestId, Object body) {
    StringBuilder text = new StringBuilder().append(status).append(' ').append(code);
    String message = message(body);
    if (message != null) {
      text.append(": ").append(message);
    }
    if (requestId != null && !requestId.isEmpty()) {
      text.append(" (request_id=").append(requestId).append(')');
    }
    return text.toString();
  }

  private static String message(Object body) {
    return body instanceof Map<?, ?> m && m.get("message") instanceof String s ? s : null;
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

  /**
   * The decoded error body: a {@code Map<String, Object>} for a JSON object (nested objects are maps, arrays are
   * lists), the text when the body was not JSON, or null.
   */
  public Object body() {
    return body;
  }

  /** The error body when it is a JSON object ({@code error}, {@code message}, {@code details}...), or null. */
  @SuppressWarnings("unchecked")
  public Map<String, Object> bodyObject() {
    return body instanceof Map<?, ?> m ? (Map<String, Object>) m : null;
  }

  /** The error's {@code details} object (such as {@code experiment_id} of a name conflict), or null. */
  @SuppressWarnings("unchecked")
  public Map<String, Object> details() {
    return body instanceof Map<?, ?> m && m.get("details") instanceof Map<?, ?> d ? (Map<String, Object>) d : null;
  }

  /** The server's human-readable message, or an empty string. */
  public String serverMessage() {
    String message = message(body);
    return message == null ? "" : message;
  }

  /** True for transport failures, 429 and 5xx: the answers a telemetry writer retries. */
  public boolean retryable() {
    return status == 0 || status == 429 || status >= 500;
  }
}
