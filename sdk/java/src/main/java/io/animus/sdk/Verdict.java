package io.animus.sdk;

/**
 * What became of one telemetry request, read from its answer: the sender decides from it whether the items were
 * delivered, are resent, fall back to the single-step endpoints, or are dropped.
 */
sealed interface Verdict {
  /** The failure to report in {@code lastError}, or null (delivered, or no answer came). */
  default AnimusApiException error() {
    return null;
  }

  /**
   * A 2xx answer: every item was delivered.
   *
   * @param status the HTTP status
   */
  record Accepted(int status) implements Verdict {}

  /**
   * A 429 or 5xx answer, to be tried again (or, when no attempts are left, dropped).
   *
   * @param status the HTTP status
   * @param retryAfterNanos the server's {@code Retry-After} in nanoseconds, or -1 when it named none
   * @param error the decoded error
   */
  record Retry(int status, long retryAfterNanos, AnimusApiException error) implements Verdict {}

  /**
   * 404 {@code route_not_found}: the server has no batch endpoint; use the single-step ones.
   *
   * @param error the decoded error
   */
  record RouteMissing(AnimusApiException error) implements Verdict {}

  /**
   * A 400 naming one item by {@code details.index}: drop that item and resend the rest.
   *
   * @param index the refused item's position in the request
   * @param error the decoded error
   */
  record RejectedItem(int index, AnimusApiException error) implements Verdict {}

  /**
   * Any other answer of 300 or more: the request's items are dropped.
   *
   * @param status the HTTP status
   * @param error the decoded error
   */
  record Rejected(int status, AnimusApiException error) implements Verdict {}

  /** No answer came (every attempt failed in transport, or the logger was closing). */
  record NoAnswer() implements Verdict {}

  /** The no-answer verdict. */
  Verdict NO_ANSWER = new NoAnswer();

  /** The verdict on {@code resp} (null: no answer) for a request of {@code items} items. */
  static Verdict of(Transport.Response resp, int items) {
    if (resp == null) {
      return NO_ANSWER;
    }
    int status = resp.status();
    if (status < 300) {
      return new Accepted(status);
    }
    AnimusApiException error = Replies.apiError(resp);
    if (status == 429 || status >= 500) {
      return new Retry(status, retryAfterNanos(resp), error);
    }
    if (status == 404 && "route_not_found".equals(error.code())) {
      return new RouteMissing(error);
    }
    int bad = badIndex(error, items);
    return status == 400 && bad >= 0 ? new RejectedItem(bad, error) : new Rejected(status, error);
  }

  /** {@code Retry-After} given in whole seconds (at most 5 digits) as nanoseconds, else -1. */
  private static long retryAfterNanos(Transport.Response resp) {
    String retryAfter = resp.headers().firstValue("Retry-After").orElse("").strip();
    if (!retryAfter.isEmpty() && retryAfter.chars().allMatch(Character::isDigit) && retryAfter.length() < 6) {
      return Long.parseLong(retryAfter) * 1_000_000_000L;
    }
    return -1;
  }

  private static int badIndex(AnimusApiException error, int items) {
    Object index = error.details() == null ? null : error.details().get("index");
    if (index instanceof Integer || index instanceof Long || index instanceof Short) {
      long i = ((Number) index).longValue();
      if (i >= 0 && i < items) {
        return (int) i;
      }
    }
    return -1;
  }
}
