package io.animus.datapilot.execution;

import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * An image reference as a request names it (docs/protocol.md §8.3): {@code name[:tag]}, a pinned
 * {@code name[:tag]@sha256:<64 hex>} or a raw {@code sha256:<64 hex>}. No rule of any use case
 * here, only what the reference says about itself.
 */
public record ImageRef(String value) {
  private static final Pattern DIGEST = Pattern.compile("sha256:[0-9a-fA-F]{64}");

  public ImageRef {
    if (value == null || value.isBlank()) {
      throw new IllegalArgumentException("an image reference is not blank");
    }
  }

  /** The pinned digest ({@code sha256:<hex>}, lower-cased), when the reference carries one. */
  public Optional<String> digest() {
    String candidate = value.substring(value.lastIndexOf('@') + 1);
    return DIGEST.matcher(candidate).matches() ? Optional.of(candidate.toLowerCase(Locale.ROOT)) : Optional.empty();
  }

  /** {@code name@sha256:<64 hex>}: pinned and naming a repository (a raw digest names none). */
  public boolean namedDigest() {
    return value.lastIndexOf('@') > 0 && digest().isPresent();
  }

  /** The repository a pinned reference is pulled from: its name without tag or digest; empty for a raw digest. */
  public Optional<String> repository() {
    int at = value.lastIndexOf('@');
    if (at <= 0) {
      return Optional.empty();
    }
    String name = value.substring(0, at);
    int slash = name.lastIndexOf('/');
    int colon = name.lastIndexOf(':');
    return Optional.of(colon > slash ? name.substring(0, colon) : name);
  }

  /** What follows the last {@code @}: the digest a pinned reference is pulled by. */
  public Optional<String> pinnedPart() {
    int at = value.lastIndexOf('@');
    return at <= 0 ? Optional.empty() : Optional.of(value.substring(at + 1));
  }

  @Override
  public String toString() {
    return value;
  }
}
