package io.animus.datapilot.kernel;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * Opaque keyset cursors: the last row's sort key and id plus a fingerprint of the filters, so a
 * token reused with other filters is refused ({@code invalid_page_token}).
 */
public final class PageToken {
  private PageToken() {}

  /** Fingerprint of a list's filters (everything but limit and page_token). */
  public static String fingerprint(String... filters) {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      for (String filter : filters) {
        sha.update((filter == null ? "\u0000" : filter).getBytes(StandardCharsets.UTF_8));
        sha.update((byte) 0x1f);
      }
      return HexFormat.of().formatHex(sha.digest(), 0, 6);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Encodes key parts; a part may be null (for rows without the sort key). */
  public static String encode(String fingerprint, List<String> keys) {
    ObjectNode node = Json.object();
    node.put("f", fingerprint);
    ArrayNode k = node.putArray("k");
    keys.forEach(k::add);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(Json.write(node));
  }

  /** Decodes a token of {@code arity} key parts made for the same filters; else 400. */
  public static Optional<Cursor> decode(Optional<String> raw, String fingerprint, int arity) {
    if (raw.isEmpty() || raw.get().isEmpty()) {
      return Optional.empty();
    }
    try {
      JsonNode node = Json.mapper().readTree(Base64.getUrlDecoder().decode(raw.get()));
      JsonNode keys = node.get("k");
      if (!fingerprint.equals(node.path("f").asText()) || keys == null || !keys.isArray()
          || keys.size() != arity) {
        throw invalid();
      }
      List<String> parts = new ArrayList<>();
      for (JsonNode key : keys) {
        if (!key.isNull() && !key.isTextual()) {
          throw invalid();
        }
        parts.add(key.isNull() ? null : key.textValue());
      }
      return Optional.of(new Cursor(parts));
    } catch (IllegalArgumentException | java.io.IOException e) {
      throw invalid();
    }
  }

  /**
   * The common keyset of lists ordered by (time, id): where the next page starts, or {@link After#START}
   * without a token.
   */
  public static After after(Optional<String> raw, String fingerprint) {
    return decode(raw, fingerprint, 2).map(c -> new After(c.instant(0), c.uuid(1))).orElse(After.START);
  }

  /** A (time, id) keyset position; both null at the start of a list. */
  public record After(Instant at, UUID id) {
    public static final After START = new After(null, null);
  }

  /** The decoded key parts of a token, read by position; a part that does not parse is 400. */
  public record Cursor(List<String> keys) {
    public Cursor {
      keys = java.util.Collections.unmodifiableList(new ArrayList<>(keys));
    }

    /** The part as text; may be null (rows without the sort key). */
    public String text(int index) {
      return keys.get(index);
    }

    public Instant instant(int index) {
      return instantKey(keys.get(index));
    }

    public UUID uuid(int index) {
      return Ids.parse(keys.get(index)).orElseThrow(PageToken::invalid);
    }

    public long number(int index) {
      try {
        return Long.parseLong(keys.get(index));
      } catch (NumberFormatException e) {
        throw invalid();
      }
    }
  }

  /** A cursor's time key; unparsable or out of the supported range is {@code invalid_page_token}. */
  public static Instant instantKey(String raw) {
    try {
      Instant instant = Instant.parse(raw);
      if (Times.supported(instant)) {
        return instant;
      }
    } catch (RuntimeException e) {
      // answered below
    }
    throw invalid();
  }

  private static ApiException invalid() {
    return new ApiException(ErrorCode.INVALID_PAGE_TOKEN, "page_token is malformed or was made for other filters");
  }

  /** Parses {@code limit}: unparsable means the default; the value is clamped, never rejected. */
  public static int limit(Optional<String> raw, int fallback, int max) {
    int value = fallback;
    if (raw.isPresent()) {
      try {
        value = Integer.parseInt(raw.get().trim());
      } catch (NumberFormatException e) {
        value = fallback;
      }
    }
    return Math.max(1, Math.min(max, value));
  }
}
