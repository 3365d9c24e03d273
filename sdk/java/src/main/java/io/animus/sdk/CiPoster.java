package io.animus.sdk;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Map;

/**
 * Posts HMAC-signed CI payloads ({@code /ci/webhook}, {@code /ci/report}) for {@link ExperimentsClient}: the
 * payload as compact sorted JSON, signed with the CI secret over the unix time, method and body.
 */
final class CiPoster {
  private final Transport http;
  private final String secret;

  /** {@code secret} may be null: then every post fails with IllegalStateException. */
  CiPoster(Transport http, String secret) {
    this.http = http;
    this.secret = secret;
  }

  /** Signs {@code payload} at unix time {@code ts} and posts it to {@code path} (under {@code /api/experiments}). */
  JsonNode post(String path, Map<String, ?> payload, long ts) {
    if (payload == null) {
      throw new IllegalArgumentException("payload must not be null");
    }
    if (secret == null || secret.isBlank()) {
      throw new IllegalStateException("a CI secret is required: set ciSecret(...) or ANIMUS_CI_WEBHOOK_SECRET");
    }
    byte[] body = Json.canonicalBytes(payload);
    String stamp = Long.toString(ts);
    String sig = CiSignature.compute(secret, stamp, "POST", body);
    return http.callRaw("POST", path, body, Map.of(CiSignature.TS_HEADER, stamp, CiSignature.SIG_HEADER, sig));
  }
}
