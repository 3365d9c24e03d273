package io.animus.datapilot.ci;

import io.animus.datapilot.common.Hashing;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Base64;
import java.util.Locale;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The CI request signature of docs/protocol.md §7.1: HMAC-SHA256 over {@code ts \n METHOD \n
 * sha256hex(body)}, written as unpadded base64url and compared as text in constant time.
 */
public final class CiSignature {
  public static final long WINDOW_SECONDS = 300;

  private CiSignature() {}

  public static String sign(String secret, String ts, String method, byte[] body) {
    String message = ts.trim() + "\n" + method.toUpperCase(Locale.ROOT) + "\n" + Hashing.sha256Hex(body);
    return base64Url(hmacSha256(secret.getBytes(StandardCharsets.UTF_8), message));
  }

  /** True when {@code ts} is an integer within ±300 s (inclusive) of {@code nowSeconds}. */
  public static boolean timestampInWindow(String ts, long nowSeconds) {
    try {
      long value = Long.parseLong(ts.trim());
      return Math.abs(nowSeconds - value) <= WINDOW_SECONDS;
    } catch (NumberFormatException e) {
      return false;
    }
  }

  public static boolean matches(String secret, String ts, String method, byte[] body, String signature) {
    return Hashing.constantTimeEquals(sign(secret, ts, method, body), signature);
  }

  static byte[] hmacSha256(byte[] key, String message) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key, "HmacSHA256"));
      return mac.doFinal(message.getBytes(StandardCharsets.UTF_8));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 unavailable", e);
    }
  }

  static String base64Url(byte[] bytes) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }
}
