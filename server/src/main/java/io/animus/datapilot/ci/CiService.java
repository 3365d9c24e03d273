package io.animus.datapilot.ci;

import io.animus.datapilot.common.Clock;
import io.animus.datapilot.common.Hashing;
import io.animus.datapilot.kernel.ApiException;
import io.animus.datapilot.kernel.ErrorCode;
import io.animus.datapilot.kernel.Ids;
import io.animus.datapilot.kernel.Page;
import io.animus.datapilot.kernel.PageToken;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.UUID;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

/**
 * CI use cases (docs/protocol.md §7) on verified, parsed payloads: attaching webhook contexts to runs,
 * registering reported images, and reading both back.
 */
public final class CiService implements ImageLookup {
  private final Jdbi jdbi;
  private final CiStore store;
  private final RunCheck runs;
  private final Clock clock;

  public CiService(Jdbi jdbi, CiStore store, RunCheck runs, Clock clock) {
    this.jdbi = jdbi;
    this.store = store;
    this.runs = runs;
    this.clock = clock;
  }

  /** A webhook's outcome: the stored (or already stored) context and whether it was new. */
  public record WebhookResult(CiContext context, boolean created) {}

  public WebhookResult attachContext(CiPayloads.Webhook webhook) {
    String canonical = CanonicalJson.write(webhook.payload());
    String sha = Hashing.sha256Hex(canonical);
    UUID runId = Ids.parse(webhook.runId()).orElseThrow(() -> ApiException.notFound("run"));
    return jdbi.inTransaction(h -> {
      if (!runs.exists(h, runId)) {
        throw ApiException.notFound("run");
      }
      // Replays are the common repeat: answer them without sending the payload to the database again.
      Optional<CiContext> known = store.findContext(h, runId, sha);
      if (known.isPresent()) {
        return new WebhookResult(known.get(), false);
      }
      CiContext candidate = new CiContext(Ids.newId(), runId, webhook.provider(), canonical, sha, clock.now(), "ci");
      return store.insertContext(h, candidate).map(c -> new WebhookResult(c, true))
          .orElseGet(() -> new WebhookResult(store.findContext(h, runId, sha).orElseThrow(), false));
    });
  }

  /** A report's outcome: the registration and whether this report created it. */
  public record ReportResult(RegisteredImage image, boolean created) {}

  /** The first report of a digest registers it; a later one must name the same repo and commit. */
  public ReportResult registerImage(CiPayloads.ImageReport report) {
    String digest = report.imageDigest();
    Map<String, CanonicalJson.Value> fields = new TreeMap<>(CanonicalJson::compareCodePoints);
    fields.putAll(report.payload().fields());
    fields.put("image_digest", new CanonicalJson.Str(digest));
    String canonical = CanonicalJson.write(new CanonicalJson.Obj(fields));
    RegisteredImage candidate = new RegisteredImage(digest, report.repo(), report.commitSha(), report.pipelineId(),
        report.provider(), clock.now(), "ci", canonical, Hashing.sha256Hex(canonical));
    return jdbi.inTransaction(h -> {
      Optional<RegisteredImage> inserted = store.findImage(h, digest).isPresent() ? Optional.empty()
          : store.insertImage(h, candidate);
      if (inserted.isPresent()) {
        return new ReportResult(inserted.get(), true);
      }
      RegisteredImage existing = store.findImage(h, digest).orElseThrow();
      if (!existing.repo().equals(report.repo()) || !existing.commitSha().equalsIgnoreCase(report.commitSha())) {
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

  public Page<CiContext> contexts(String rawRunId, int limit, Optional<String> pageToken) {
    UUID runId = Ids.parse(rawRunId).orElseThrow(() -> ApiException.notFound("run"));
    String fingerprint = PageToken.fingerprint("ci-contexts", runId.toString());
    PageToken.After after = PageToken.after(pageToken, fingerprint);
    return jdbi.withHandle(h -> {
      if (!runs.exists(h, runId)) {
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
    String digest = CiPayloads.digest(rawDigest);
    return jdbi.withHandle(h -> store.findImage(h, digest)).orElseThrow(() -> ApiException.notFound("model image"));
  }

  @Override
  public Optional<RegisteredImage> find(Handle h, String imageDigest) {
    return store.findImage(h, imageDigest);
  }

  /** Removes a deleted run's CI contexts (docs/protocol.md §3.6); idempotent. */
  public void purgeRun(UUID runId) {
    jdbi.useTransaction(h -> store.purgeRun(h, runId));
  }
}
