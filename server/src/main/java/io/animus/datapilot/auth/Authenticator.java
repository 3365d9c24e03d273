package io.animus.datapilot.auth;

import io.animus.datapilot.common.Hashing;
import io.animus.datapilot.config.Config;
import io.animus.datapilot.http.ApiException;
import io.animus.datapilot.http.ErrorCode;
import java.util.Optional;

/** Turns an {@code Authorization} header into a principal according to the auth mode (§2.1). */
public final class Authenticator {
  public static final String RUN_TOKEN_PREFIX = "animus_run_v1.";
  private static final Principal ADMIN = new Principal("admin", Role.ADMIN, "api_token", null, null);
  private final Config.AuthMode mode;
  private final Optional<String> adminToken;
  private final ApiTokenService tokens;

  public Authenticator(Config.Auth auth, ApiTokenService tokens) {
    this.mode = auth.mode();
    this.adminToken = auth.adminToken();
    this.tokens = tokens;
  }

  public Config.AuthMode mode() {
    return mode;
  }

  public Principal authenticate(String authorizationHeader) {
    Optional<String> bearer = bearer(authorizationHeader);
    if (bearer.isPresent() && bearer.get().startsWith(RUN_TOKEN_PREFIX)) {
      // Run tokens are issued by runs:execute, which does not exist yet: none can be valid.
      throw new ApiException(ErrorCode.UNAUTHORIZED, "the run token is not valid");
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
