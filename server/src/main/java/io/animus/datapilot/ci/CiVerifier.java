package io.animus.datapilot.ci;

import io.animus.datapilot.common.Clock;
import io.animus.datapilot.kernel.ApiException;
import io.animus.datapilot.kernel.ErrorCode;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Authenticates a signed CI call (docs/protocol.md §7.1) before anything else looks at it, the way the
 * authenticator does for other calls: the checks run in the documented order and the verified
 * payload is handed on parsed. Neither the secret nor the expected signature ever appears in an error.
 */
public final class CiVerifier {
  public static final String SECRET_SETTING = "ANIMUS_CI_WEBHOOK_SECRET";
  private final Optional<String> secret;
  private final Clock clock;

  public CiVerifier(Optional<String> secret, Clock clock) {
    this.secret = secret.map(String::trim).filter(s -> !s.isEmpty());
    this.clock = clock;
  }

  /**
   * The raw parts of a signed request; a body of declared length ({@code declaredLength} ≥ 0) is
   * read only when the checks before it passed.
   */
  public record SignedRequest(String method, long declaredLength, long maxBytes, String ts, String signature,
                              Supplier<byte[]> body) {}

  /** Applies §7.1's checks in their order and returns the verified payload. */
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
}
