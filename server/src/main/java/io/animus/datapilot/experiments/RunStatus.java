package io.animus.datapilot.experiments;

import io.animus.datapilot.kernel.ApiException;
import io.animus.datapilot.kernel.ErrorCode;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** Run statuses and the moves between them (docs/protocol.md §4.3), declared once. */
public enum RunStatus {
  PENDING, RUNNING, SUCCEEDED, FAILED, CANCELED;

  private static final Map<RunStatus, Set<RunStatus>> MOVES = Map.of(
      PENDING, Set.of(RUNNING, SUCCEEDED, FAILED, CANCELED),
      RUNNING, Set.of(SUCCEEDED, FAILED, CANCELED),
      SUCCEEDED, Set.of(),
      FAILED, Set.of(),
      CANCELED, Set.of());

  public String wire() {
    return name().toLowerCase(Locale.ROOT);
  }

  public boolean terminal() {
    return MOVES.get(this).isEmpty();
  }

  public boolean canMoveTo(RunStatus next) {
    return MOVES.get(this).contains(next);
  }

  public static Optional<RunStatus> find(String raw) {
    if (raw == null) {
      return Optional.empty();
    }
    String wanted = raw.trim().toLowerCase(Locale.ROOT);
    for (RunStatus s : values()) {
      if (s.wire().equals(wanted)) {
        return Optional.of(s);
      }
    }
    return Optional.empty();
  }

  /** Parses a required status: missing is {@code status_required}, unknown {@code invalid_status}. */
  public static RunStatus parse(Optional<String> raw) {
    String text = raw.map(String::trim).orElse("");
    if (text.isEmpty()) {
      throw new ApiException(ErrorCode.STATUS_REQUIRED, "status is required");
    }
    return find(text).orElseThrow(() -> new ApiException(ErrorCode.INVALID_STATUS,
        "status must be one of pending, running, succeeded, failed, canceled"));
  }
}
