package io.animus.datapilot.http;

import io.animus.datapilot.kernel.ErrorCode;
import io.animus.datapilot.kernel.Json;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Map;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;

/**
 * Errors that Jetty raises itself (bad URI, ambiguous {@code %2F}, header too large, bad
 * framing) are answered with the same JSON error body as everything else. Jetty 12.1 sends
 * unparsable requests here too (through {@link #generateResponse}), so nothing else is overridden.
 */
final class JsonErrorHandler extends ErrorHandler {

  /** Jetty writes error bodies only for GET, POST and HEAD by default; every error here is JSON. */
  @Override
  public boolean errorPageForMethod(String method) {
    return true;
  }

  @Override
  protected void generateResponse(Request request, Response response, int code, String message, Throwable cause,
                                  Callback callback) throws IOException {
    String requestId = HttpServer.requestId(request.getHeaders().get("X-Request-Id"));
    int status = answered(code);
    response.setStatus(status);
    response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
    response.getHeaders().put("X-Request-Id", requestId);
    response.write(true, ByteBuffer.wrap(body(status, code, requestId)), callback);
  }

  /**
   * The status answered for one Jetty raises: an unknown HTTP version (505) is the client's
   * mistake and is answered 400, which RFC 9112 allows, so that no client retries it as a 5xx.
   */
  private static int answered(int jettyStatus) {
    return jettyStatus == 505 ? 400 : jettyStatus;
  }

  private static byte[] body(int status, int jettyStatus, String requestId) {
    ErrorCode code = switch (status) {
      case 404 -> ErrorCode.ROUTE_NOT_FOUND;
      case 405 -> ErrorCode.METHOD_NOT_ALLOWED;
      case 413 -> ErrorCode.PAYLOAD_TOO_LARGE;
      case 503 -> ErrorCode.SERVICE_UNAVAILABLE;
      default -> status >= 500 ? ErrorCode.INTERNAL_ERROR : ErrorCode.INVALID_JSON;
    };
    String message = switch (jettyStatus) {
      case 505 -> "unsupported HTTP version: send HTTP/1.1 or HTTP/1.0";
      default -> status >= 500 ? "internal error; quote the request id"
          : "the HTTP request could not be processed (status " + status + ")";
    };
    return Json.write(HttpServer.errorBody(code, message, Map.of("http_status", status), requestId));
  }
}
