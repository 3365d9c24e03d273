package io.animus.datapilot.ci;

import io.animus.datapilot.kernel.ApiException;
import io.animus.datapilot.kernel.ErrorCode;
import io.animus.datapilot.kernel.Json;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Verified CI payloads read into the typed commands {@link CiService} takes (docs/protocol.md §7.2, §7.3),
 * field by field in the documented order of their errors.
 */
public final class CiPayloads {
  private static final Pattern DIGEST = Pattern.compile("sha256:[0-9a-f]{64}");

  private CiPayloads() {}

  /** A webhook: the run it names (as sent), the provider ("" when absent) and the whole payload. */
  public record Webhook(String runId, String provider, CanonicalJson.Obj payload) {}

  /** An image report: the normalised digest, the fields it binds, and the whole payload. */
  public record ImageReport(String imageDigest, String repo, String commitSha, String pipelineId, String provider,
                            CanonicalJson.Obj payload) {}

  public static Webhook webhook(CanonicalJson.Obj payload) {
    String runId = requiredText(payload, "run_id", ErrorCode.RUN_ID_REQUIRED);
    String provider = optionalText(payload, "provider").orElse("");
    return new Webhook(runId, provider, payload);
  }

  public static ImageReport report(CanonicalJson.Obj payload) {
    String digest = digest(requiredText(payload, "image_digest", ErrorCode.IMAGE_DIGEST_REQUIRED));
    String repo = requiredText(payload, "repo", ErrorCode.REPO_REQUIRED);
    String commit = requiredText(payload, "commit_sha", ErrorCode.COMMIT_SHA_REQUIRED);
    String pipeline = requiredText(payload, "pipeline_id", ErrorCode.PIPELINE_ID_REQUIRED);
    String provider = optionalText(payload, "provider").orElse(null);
    return new ImageReport(digest, repo, commit, pipeline, provider, payload);
  }

  /** {@code sha256:} and 64 hex digits, trimmed and lower-cased; else {@code image_digest_invalid}. */
  public static String digest(String raw) {
    String digest = raw.trim().toLowerCase(Locale.ROOT);
    if (!DIGEST.matcher(digest).matches()) {
      throw new ApiException(ErrorCode.IMAGE_DIGEST_INVALID, "image_digest must be sha256: followed by 64 hex digits");
    }
    return digest;
  }

  private static String requiredText(CanonicalJson.Obj payload, String field, ErrorCode missing) {
    return optionalText(payload, field).filter(s -> !s.trim().isEmpty())
        .orElseThrow(() -> new ApiException(missing, field + " is required (a non-empty string)"));
  }

  /**
   * A top-level string that is stored in a text column of its own. The payload itself is kept in
   * its canonical, ASCII-escaped form (a json column), where U+0000 and halves of surrogate pairs
   * are escapes like any other and are kept as the SDK hashed them; a text column cannot hold them
   * (U+0000 is refused, a lone surrogate would become {@code ?}), so such a field is refused.
   */
  private static Optional<String> optionalText(CanonicalJson.Obj payload, String field) {
    CanonicalJson.Value value = payload.fields().get(field);
    if (!(value instanceof CanonicalJson.Str s)) {
      return Optional.empty();
    }
    Json.unstorableText(s.text()).ifPresent(why -> {
      // the field is a plain top-level name: message and details.field both name it
      throw new ApiException(ErrorCode.INVALID_JSON, "field \"" + field + "\" " + why, Map.of("field", field));
    });
    return Optional.of(s.text());
  }
}
