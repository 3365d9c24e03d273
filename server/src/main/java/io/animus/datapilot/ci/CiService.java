package io.animus.datapilot.ci;

import io.animus.datapilot.common.Clock;
import io.animus.datapilot.common.Hashing;
import io.animus.datapilot.kernel.Ids;
import io.animus.datapilot.experiments.RunStore;
import io.animus.datapilot.kernel.ApiException;
import io.animus.datapilot.kernel.ErrorCode;
import io.animus.datapilot.kernel.Json;
import io.animus.datapilot.http.JsonBody;
import io.animus.datapilot.kernel.Page;
import io.animus.datapilot.kernel.PageToken;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import org.jdbi.v3.core.Jdbi;

/** Signed CI calls (PROTOCOL.md §7): signature checks, webhooks, image reports and their reads. */
public final class CiService {
  public static final String SECRET_SETTING = "ANIMUS_CI_WEBHOOK_SECRET";
  private static final Pattern DIGEST = Pattern.compile("sha256:[0-9a-f]{64}");
  private final Jdbi jdbi;
  private final CiStore store;
  private final RunStore runs;
  private final Optional<String> secret;
  private final Clock clock;

  public CiService(Jdbi jdbi, CiStore store, RunStore runs, Optional<String> secret, Clock clock) {
    this.jdbi = jdbi;
    this.store = store;
    this.runs = runs;
    this.secret = secret.map(String::trim).filter(s -> !s.isEmpty());
    this.clock = clock;
  }

  /**
   * The raw parts of a signed request; a body of declared length ({@code declaredLength} ≥ 0) is
   * read only when the checks before it passed.
   */
  public record SignedRequest(String method, long declaredLength, long maxBytes, String ts, String signature,
                              Supplier<byte[]> body) {}

  /**
   * Applies §7.1's checks in their order and returns the verified payload. Neither the secret nor
   * the expected signature ever appears in an error.
   */
  public CanonicalJson.Obj verify(SignedRequest r) {
    String key = secret.orElseThrow(() -> new ApiException(ErrorCode.CI_NOT_CONFIGURED,
        "CI endpoints are disabled: set " + SECRET_SETTING));
    if (r.declaredLength() > r.maxBytes()) {
      throw new ApiException(ErrorCode.PAYLOAD_TOO_LARGE, "CI body is larger than " + r.maxBytes() + " bytes",
          Map.of("max_bytes", r.maxBytes()));
    }
    // Without a declared length (chunked) the size is known only by reading, and it is judged first.
    byte[] early = null;
    ApiException unreadable = null;
    if (r.declaredLength() < 0) {
      try {
        early = r.body().get();
      } catch (ApiException e) {
        if (e.code() == ErrorCode.PAYLOAD_TOO_LARGE) {
          throw e;
        }
        unreadable = e;
      }
    }
    if (r.ts() == null || r.ts().isBlank() || r.signature() == null || r.signature().isBlank()) {
      throw new ApiException(ErrorCode.CI_SIGNATURE_REQUIRED, "X-Animus-CI-Ts and X-Animus-CI-Sig are required");
    }
    if (!CiSignature.timestampInWindow(r.ts(), clock.now().getEpochSecond())) {
      throw new ApiException(ErrorCode.CI_SIGNATURE_INVALID,
          "X-Animus-CI-Ts must be unix seconds within 300 s of the server's clock");
    }
    if (unreadable != null) {
      throw unreadable;
    }
    byte[] body = early != null ? early : r.body().get();
    if (!CiSignature.matches(key, r.ts(), r.method(), body, r.signature())) {
      throw new ApiException(ErrorCode.CI_SIGNATURE_INVALID, "the CI signature does not match");
    }
    return CanonicalJson.parseObject(body);
  }

  /** A webhook's outcome: the stored (or already stored) context and whether it was new. */
  public record WebhookResult(CiContext context, boolean created) {}

  public WebhookResult attachContext(CanonicalJson.Obj payload) {
    String runText = requiredText(payload, "run_id", ErrorCode.RUN_ID_REQUIRED);
    String provider = optionalText(payload, "provider").orElse("");
    String canonical = CanonicalJson.write(payload);
    String sha = Hashing.sha256Hex(canonical);
    UUID runId = Ids.parse(runText).orElseThrow(() -> ApiException.notFound("run"));
    return jdbi.inTransaction(h -> {
      if (runs.projectOf(h, runId).isEmpty()) {
        throw ApiException.notFound("run");
      }
      // Replays are the common repeat: answer them without sending the payload to the database again.
      Optional<CiContext> known = store.findContext(h, runId, sha);
      if (known.isPresent()) {
        return new WebhookResult(known.get(), false);
      }
      CiContext candidate = new CiContext(Ids.newId(), runId, provider, canonical, sha, clock.now(), "ci");
      return store.insertContext(h, candidate).map(c -> new WebhookResult(c, true))
          .orElseGet(() -> new WebhookResult(store.findContext(h, runId, sha).orElseThrow(), false));
    });
  }

  /** A report's outcome: the registration and whether this report created it. */
  public record ReportResult(RegisteredImage image, boolean created) {}

  public ReportResult registerImage(CanonicalJson.Obj payload) {
    String digest = requiredText(payload, "image_digest", ErrorCode.IMAGE_DIGEST_REQUIRED).trim()
        .toLowerCase(Locale.ROOT);
    if (!DIGEST.matcher(digest).matches()) {
      throw new ApiException(ErrorCode.IMAGE_DIGEST_INVALID, "image_digest must be sha256: followed by 64 hex digits");
    }
    String repo = requiredText(payload, "repo", ErrorCode.REPO_REQUIRED);
    String commit = requiredText(payload, "commit_sha", ErrorCode.COMMIT_SHA_REQUIRED);
    String pipeline = requiredText(payload, "pipeline_id", ErrorCode.PIPELINE_ID_REQUIRED);
    String provider = optionalText(payload, "provider").orElse(null);
    Map<String, CanonicalJson.Value> fields = new java.util.TreeMap<>(CanonicalJson::compareCodePoints);
    fields.putAll(payload.fields());
    fields.put("image_digest", new CanonicalJson.Str(digest));
    CanonicalJson.Obj normalised = new CanonicalJson.Obj(fields);
    String canonical = CanonicalJson.write(normalised);
    RegisteredImage candidate = new RegisteredImage(digest, repo, commit, pipeline, provider, clock.now(), "ci", canonical,
        Hashing.sha256Hex(canonical));
    return jdbi.inTransaction(h -> {
      Optional<RegisteredImage> inserted = store.findImage(h, digest).isPresent() ? Optional.empty()
          : store.insertImage(h, candidate);
      if (inserted.isPresent()) {
        return new ReportResult(inserted.get(), true);
      }
      RegisteredImage existing = store.findImage(h, digest).orElseThrow();
      if (!existing.repo().equals(repo) || !existing.commitSha().equalsIgnoreCase(commit)) {
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("image_digest", digest);
        details.put("repo", existing.repo());
        details.put("commit_sha", existing.commitSha());
        throw new ApiException(ErrorCode.MODEL_IMAGE_CONFLICT,
            "image " + digest + " is already registered for another repo or commit", details);
      }
      return new ReportResult(existing, false);
    });
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
      throw JsonBody.unstorable(new Json.Unstorable(field, why));
    });
    return Optional.of(s.text());
  }

  public Page<CiContext> contexts(String rawRunId, int limit, Optional<String> pageToken) {
    UUID runId = Ids.parse(rawRunId).orElseThrow(() -> ApiException.notFound("run"));
    String fingerprint = PageToken.fingerprint("ci-contexts", runId.toString());
    PageToken.After after = PageToken.after(pageToken, fingerprint);
    return jdbi.withHandle(h -> {
      if (runs.projectOf(h, runId).isEmpty()) {
        throw ApiException.notFound("run");
      }
      List<CiContext> rows = store.listContexts(h, runId, after.at(), after.id(), limit + 1);
      return Page.fromOverfetch(rows, limit, fingerprint,
          c -> List.of(c.receivedAt().toString(), c.contextId().toString()));
    });
  }

  public Page<RegisteredImage> images(Optional<String> repo, Optional<String> commitSha, int limit,
                                 Optional<String> pageToken) {
    String r = repo.map(String::trim).filter(s -> !s.isEmpty()).orElse(null);
    String c = commitSha.map(String::trim).filter(s -> !s.isEmpty()).orElse(null);
    String fingerprint = PageToken.fingerprint("model-images", r, c);
    Optional<PageToken.Cursor> cursor = PageToken.decode(pageToken, fingerprint, 2);
    List<RegisteredImage> rows = jdbi.withHandle(h -> store.listImages(h, r, c,
        cursor.map(k -> k.instant(0)).orElse(null), cursor.map(k -> k.text(1)).orElse(null), limit + 1));
    return Page.fromOverfetch(rows, limit, fingerprint, m -> List.of(m.receivedAt().toString(), m.imageDigest()));
  }

  public RegisteredImage image(String rawDigest) {
    String digest = rawDigest.trim().toLowerCase(Locale.ROOT);
    if (!DIGEST.matcher(digest).matches()) {
      throw new ApiException(ErrorCode.IMAGE_DIGEST_INVALID, "image_digest must be sha256: followed by 64 hex digits");
    }
    return jdbi.withHandle(h -> store.findImage(h, digest)).orElseThrow(() -> ApiException.notFound("model image"));
  }

}
