package io.animus.datapilot.artifacts;

import io.animus.datapilot.kernel.ApiException;
import io.animus.datapilot.kernel.ErrorCode;
import java.util.Locale;
import java.util.Set;

/** Artifact kinds: model, preview, log, file (case-insensitive on input, lower-case stored). */
final class ArtifactKind {
  static final Set<String> ALL = Set.of("model", "preview", "log", "file");

  private ArtifactKind() {}

  /** The stored form of a given kind; 400 {@code artifact_kind_invalid} when unknown. */
  static String parse(String raw) {
    String kind = raw.trim().toLowerCase(Locale.ROOT);
    if (!ALL.contains(kind)) {
      throw new ApiException(ErrorCode.ARTIFACT_KIND_INVALID, "kind must be one of model, preview, log, file");
    }
    return kind;
  }
}
