package io.animus.datapilot.auth;

import io.animus.datapilot.kernel.Role;
import io.animus.datapilot.kernel.Principal;
import io.animus.datapilot.common.Clock;
import io.animus.datapilot.common.Hashing;
import io.animus.datapilot.kernel.Ids;
import io.animus.datapilot.kernel.ApiException;
import io.animus.datapilot.kernel.ErrorCode;
import io.animus.datapilot.kernel.Page;
import io.animus.datapilot.kernel.PageToken;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.jdbi.v3.core.Jdbi;

/** API tokens (docs/protocol.md §2.2): issue, list, revoke, and resolve a bearer to a principal. */
public final class ApiTokenService {
  public static final String PREFIX = "dp_";
  private final Jdbi jdbi;
  private final ApiTokenStore store;
  private final Clock clock;
  private final SecureRandom random = new SecureRandom();

  public ApiTokenService(Jdbi jdbi, ApiTokenStore store, Clock clock) {
    this.jdbi = jdbi;
    this.store = store;
    this.clock = clock;
  }

  /** A freshly issued token and its secret, which is shown this once. */
  public record Issued(ApiToken token, String secret) {}

  public Issued create(String actor, String name, Role role, Optional<Instant> expiresAt) {
    Instant now = clock.now();
    expiresAt.ifPresent(at -> {
      if (!at.isAfter(now)) {
        throw new ApiException(ErrorCode.INVALID_TIMESTAMP, "expires_at must be in the future");
      }
    });
    byte[] bytes = new byte[32];
    random.nextBytes(bytes);
    String secret = PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    ApiToken token = new ApiToken(Ids.newId(), name, role.wire(), secret.substring(0, 7), now, actor,
        expiresAt.orElse(null), null, null);
    jdbi.useTransaction(h -> store.insert(h, token, Hashing.sha256Hex(secret)));
    return new Issued(token, secret);
  }

  public Page<ApiToken> list(int limit, Optional<String> pageToken) {
    String fingerprint = PageToken.fingerprint("tokens");
    PageToken.After after = PageToken.after(pageToken, fingerprint);
    List<ApiToken> rows = jdbi.withHandle(h -> store.list(h, after.at(), after.id(), limit + 1));
    return Page.fromOverfetch(rows, limit, fingerprint,
        t -> List.of(t.createdAt().toString(), t.tokenId().toString()));
  }

  public void revoke(String rawId) {
    UUID id = Ids.parse(rawId).orElseThrow(() -> ApiException.notFound("token"));
    if (!jdbi.inTransaction(h -> store.revoke(h, id, clock.now()))) {
      throw ApiException.notFound("token");
    }
  }

  /** The principal of a {@code dp_} secret; unknown, revoked or expired tokens are {@code invalid_token}. */
  public Principal authenticate(String secret) {
    Instant now = clock.now();
    ApiToken token = jdbi.withHandle(h -> store.findBySha256(h, Hashing.sha256Hex(secret)))
        .filter(t -> t.revokedAt() == null)
        .filter(t -> t.expiresAt() == null || t.expiresAt().isAfter(now))
        .orElseThrow(() -> new ApiException(ErrorCode.INVALID_TOKEN, "the API token is unknown, revoked or expired"));
    jdbi.useHandle(h -> store.touch(h, token.tokenId(), now));
    return new Principal("token:" + token.tokenId(), Role.parse(token.role()), "api_token", null, null);
  }
}
