package io.animus.datapilot.kernel;

import java.util.Optional;
import java.util.UUID;
import java.util.regex.Pattern;

/** Resource ids: lower-case canonical UUIDv4 strings. A malformed id is simply not found. */
public final class Ids {
  private static final Pattern CANONICAL =
      Pattern.compile("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");

  private Ids() {}

  public static UUID newId() {
    return UUID.randomUUID();
  }

  /** Parses a canonical lower-case UUID; anything else is empty (callers answer 404). */
  public static Optional<UUID> parse(String raw) {
    if (raw == null || !CANONICAL.matcher(raw).matches()) {
      return Optional.empty();
    }
    return Optional.of(UUID.fromString(raw));
  }
}
