package io.animus.datapilot.auth;

import io.animus.datapilot.kernel.Role;
import io.animus.datapilot.kernel.Principal;
import io.animus.datapilot.common.Hashing;
import io.animus.datapilot.config.Config;
import io.animus.datapilot.kernel.ApiException;
import io.animus.datapilot.kernel.ErrorCode;
import io.animus.datapilot.common.Clock;
import io.animus.datapilot.kernel.Ids;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;

/** Turns an {@code Authorization} header into a principal according to the auth mode (§2.1). */
public final class Authenticator {
  public static final String RUN_TOKEN_PREFIX = RunTokens.PREFIX;
  private static final Principal ADMIN = new Principal("admin", Role.ADMIN, "api_token", null, null);
  private final Config.AuthMode mode;
  private final Optional<String> adminToken;
  private final ApiTokenService tokens;
  private final RunTokens runTokens;
  private final RunStandings runs;
  private final Duration grace;
  private final Clock clock;

  /** Where a run stands, for deciding whether its token is still accepted. */
  public record RunStanding(boolean terminal, Instant terminalAt) {}

  /** Looks up a run's standing by id (empty when the run does not exist). */
  @FunctionalInterface
  public interface RunStandings {
    Optional<RunStanding> find(UUID runId);
  }

  public Authenticator(Config.Auth auth, ApiTokenService tokens, RunTokens runTokens, RunStandings runs,
                       Duration grace, Clock clock) {
    this.mode = auth.mode();
    this.adminToken = auth.adminToken();
    this.tokens = tokens;
    this.runTokens = runTokens;
    this.runs = runs;
    this.grace = grace;
    this.clock = clock;
  }

  public Config.AuthMode mode() {
    return mode;
  }

  public Principal authenticate(String authorizationHeader) {
    Optional<String> bearer = bearer(authorizationHeader);
    if (bearer.isPresent() && bearer.get().startsWith(RUN_TOKEN_PREFIX)) {
      return runPrincipal(bearer.get());
    }
    if (mode == Config.AuthMode.DEV) {
      return Principal.DEV;
    }
    if (bearer.isEmpty()) {
      return Principal.ANONYMOUS;
    }
    String secret = bearer.get();
    if (adminToken.isPresent() && Hashing.constantTimeEquals(adminToken.get(), secret)) {
      return ADMIN;
    }
    return tokens.authenticate(secret);
  }

  /** A run token is valid while its run exists and is not terminal, or became so within the grace. */
  private Principal runPrincipal(String token) {
    Instant now = clock.now();
    RunTokens.Claims claims = runTokens.verify(token, now.getEpochSecond());
    Optional<UUID> runId = Ids.parse(claims.runId());
    RunStanding standing = runId.flatMap(runs::find)
        .orElseThrow(() -> new ApiException(ErrorCode.UNAUTHORIZED, "the run token is not valid"));
    // Valid only while the run became terminal less than the grace ago (§2.3); an unknown terminal time is too old.
    if (standing.terminal()
        && (standing.terminalAt() == null || !now.isBefore(standing.terminalAt().plus(grace)))) {
      throw new ApiException(ErrorCode.UNAUTHORIZED, "the run token is not valid");
    }
    String subject = "run:" + claims.runId()
        + (claims.datasetVersionId() == null ? "" : ":dv:" + claims.datasetVersionId());
    return new Principal(subject, Role.EDITOR, "run_token", claims.runId(), claims.datasetVersionId());
  }

  private static Optional<String> bearer(String header) {
    if (header == null) {
      return Optional.empty();
    }
    String trimmed = header.trim();
    if (trimmed.length() < 7 || !trimmed.substring(0, 7).equalsIgnoreCase("bearer ")) {
      return Optional.empty();
    }
    String value = trimmed.substring(7).trim();
    return value.isEmpty() ? Optional.empty() : Optional.of(value);
  }
}
