package io.animus.sdk;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;

/**
 * Turns what the gateway answered into results and exceptions (docs/protocol.md §11): a 2xx body is decoded as JSON,
 * status 400 and above becomes {@link AnimusApiException} with the server's {@code error} code and request id,
 * a failed exchange becomes {@link AnimusTransportException}.
 */
final class Replies {
  private Replies() {}

  /** The 2xx answer decoded (empty body: null); a failure status throws {@link #apiError}. */
  static JsonNode decode(Transport.Response resp) {
    if (resp.status() >= 400) {
      throw apiError(resp);
    }
    if (resp.body() == null || new String(resp.body(), StandardCharsets.UTF_8).isBlank()) {
      return null;
    }
    try {
      return Json.parse(resp.body());
    } catch (IOException e) {
      throw new AnimusApiException(resp.status(), "invalid_json_response", serverRequestId(resp),
          TextNode.valueOf(new String(resp.body(), StandardCharsets.UTF_8)));
    }
  }

  /** The exception for a failed answer: the body's {@code error} and {@code request_id} when it has them. */
  static AnimusApiException apiError(Transport.Response resp) {
    JsonNode body = null;
    if (resp.body() != null && resp.body().length > 0) {
      try {
        body = Json.parse(resp.body());
      } catch (IOException e) {
        body = TextNode.valueOf(new String(resp.body(), StandardCharsets.UTF_8));
      }
    }
    String code = "request_failed";
    String requestId = serverRequestId(resp);
    if (body != null && body.isObject()) {
      if (body.path("error").isTextual() && !body.path("error").asText().isEmpty()) {
        code = body.path("error").asText();
      }
      if (body.path("request_id").isTextual() && !body.path("request_id").asText().isEmpty()) {
        requestId = body.path("request_id").asText();
      }
    }
    return new AnimusApiException(resp.status(), code, requestId, body);
  }

  /** {@link #apiError} for a streamed answer: its body is read whole (unreadable: empty) first. */
  static AnimusApiException apiError(HttpResponse<InputStream> resp, String requestId) {
    byte[] body;
    try (InputStream in = resp.body()) {
      body = in.readAllBytes();
    } catch (IOException e) {
      body = new byte[0];
    }
    return apiError(new Transport.Response(resp.statusCode(), resp.headers(), body, requestId));
  }

  static AnimusTransportException networkError(String requestId, IOException e) {
    String detail = e instanceof HttpTimeoutException ? "timed out"
        : (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage());
    return new AnimusTransportException(requestId, detail, e);
  }

  private static String serverRequestId(Transport.Response resp) {
    return resp.headers().firstValue("X-Request-Id").orElse(resp.requestId());
  }
}
