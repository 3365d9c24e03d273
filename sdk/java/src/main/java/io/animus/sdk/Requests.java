package io.animus.sdk;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/** The request bodies and queries the clients send, and the argument checks before them. */
final class Requests {
  private Requests() {}

  /** {@code value} when it has text; otherwise IllegalArgumentException naming {@code name}. */
  static String requireText(String value, String name) {
    if (value == null || value.isBlank()) {
      throw new IllegalArgumentException(name + " must be a non-empty string");
    }
    return value;
  }

  /** The body of {@code POST /experiments}. */
  static Map<String, Object> experiment(String name, String description, Map<String, ?> metadata) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("name", requireText(name, "name"));
    body.put("description", description == null ? "" : description);
    body.put("metadata", metadata == null ? Map.of() : metadata);
    return body;
  }

  /** The body of {@code POST /experiment-runs/{id}/status}; {@code message} may be null. */
  static Map<String, Object> runStatus(String status, String message) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("status", requireText(status, "status"));
    if (message != null && !message.isEmpty()) {
      body.put("message", message);
    }
    return body;
  }

  /** The body of {@code POST /api/auth/tokens}; {@code expiresAt} may be null. */
  static Map<String, Object> apiToken(String name, String role, Instant expiresAt) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("name", requireText(name, "name"));
    body.put("role", requireText(role, "role"));
    if (expiresAt != null) {
      body.put("expires_at", expiresAt.toString());
    }
    return body;
  }

  /** The query of a run listing; null (and false) values are left out. */
  static Map<String, String> runsQuery(int limit, String status, String orderBy, String order,
      boolean includeLatestMetrics, String pageToken) {
    return Transport.query("limit", limit, "status", status, "order_by", orderBy, "order", order,
        "include", includeLatestMetrics ? "latest_metrics" : null, "page_token", pageToken);
  }
}
