package io.animus.datapilot.http;

import java.util.Locale;

/** Every wire error code of PROTOCOL.md §10 with its HTTP status; the one place they are mapped. */
public enum ErrorCode {
  INVALID_JSON(400),
  INVALID_TIMESTAMP(400),
  INVALID_PROJECT_ID(400),
  INVALID_PAGE_TOKEN(400),
  INVALID_IDEMPOTENCY_KEY(400),
  NAME_REQUIRED(400),
  INVALID_NAME(400),
  INVALID_METADATA(400),
  STATUS_REQUIRED(400),
  INVALID_STATUS(400),
  ENDED_BEFORE_STARTED(400),
  INVALID_PARAMS(400),
  INVALID_METRICS(400),
  INVALID_ARTIFACTS_PREFIX(400),
  INVALID_ORDER_BY(400),
  INVALID_ROLE(400),
  UNAUTHORIZED(401),
  INVALID_TOKEN(401),
  FORBIDDEN(403),
  NOT_FOUND(404),
  ROUTE_NOT_FOUND(404),
  METHOD_NOT_ALLOWED(405),
  EXPERIMENT_NAME_EXISTS(409),
  DATASET_NAME_EXISTS(409),
  IDEMPOTENCY_KEY_REUSED(409),
  IDEMPOTENCY_KEY_IN_PROGRESS(409),
  INVALID_STATUS_TRANSITION(409),
  QUALITY_RULE_NOT_SET(409),
  QUALITY_NOT_EVALUATED(409),
  QUALITY_GATE_FAILED(409),
  PAYLOAD_TOO_LARGE(413),
  INTERNAL_ERROR(500),
  SERVICE_UNAVAILABLE(503);

  private final int status;

  ErrorCode(int status) {
    this.status = status;
  }

  public int status() {
    return status;
  }

  /** The code as written on the wire, e.g. {@code experiment_name_exists}. */
  public String wire() {
    return name().toLowerCase(Locale.ROOT);
  }
}
