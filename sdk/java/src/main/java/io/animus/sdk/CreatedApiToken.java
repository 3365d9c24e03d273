package io.animus.sdk;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * A newly created API token with its secret, which the server shows only this once.
 *
 * @param token the token's description
 * @param secret the bearer secret ({@code dp_…}); store it safely, it cannot be read again
 */
public record CreatedApiToken(ApiToken token, String secret) {

  /** Reads a create answer. */
  static CreatedApiToken fromJson(JsonNode n) {
    return new CreatedApiToken(ApiToken.fromJson(n), Wire.text(n, "token"));
  }

  /** The description only, so that printing this record never shows the secret. */
  @Override
  public String toString() {
    return "CreatedApiToken[token=" + token + ", secret=" + (secret == null ? "null" : "***") + "]";
  }
}
