package io.animus.sdk;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Locale;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The CI request signature of docs/protocol.md §7.1: unpadded base64url HMAC-SHA256, keyed with the UTF-8 secret,
 * over {@code ts + "\n" + METHOD + "\n" + hex(sha256(body))}. Sent as {@code X-Animus-CI-Sig} next to
 * {@code X-Animus-CI-Ts}.
 */
public final class CiSignature {
  /** Header carrying the unix-seconds timestamp. */
  public static final String TS_HEADER = "X-Animus-CI-Ts";
  /** Header carrying the signature. */
  public static final String SIG_HEADER = "X-Animus-CI-Sig";

  private CiSignature() {}

  /** The signature of {@code body} sent with {@code method} at unix time {@code ts}. */
  public static String compute(String secret, String ts, String method, byte[] body) {
    if (secret == null || secret.isEmpty()) {
      throw new IllegalArgumentException("secret must not be empty");
    }
    String message = ts.strip() + "\n" + method.toUpperCase(Locale.ROOT) + "\n" + sha256Hex(body);
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
      byte[] tag = mac.doFinal(message.getBytes(StandardCharsets.UTF_8));
      return Base64.getUrlEncoder().withoutPadding().encodeToString(tag);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 unavailable", e);
    }
  }

  /** Same as {@link #compute(String, String, String, byte[])} with a UTF-8 text body and numeric ts. */
  public static String compute(String secret, long ts, String method, String body) {
    return compute(secret, Long.toString(ts), method, body.getBytes(StandardCharsets.UTF_8));
  }

  /** Lower-case hex sha256 of {@code bytes}. */
  static String sha256Hex(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("SHA-256 unavailable", e);
    }
  }
}
