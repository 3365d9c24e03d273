package io.animus.datapilot.auth;

import com.fasterxml.jackson.databind.JsonNode;
import io.animus.datapilot.common.Hashing;
import io.animus.datapilot.config.ConfigException;
import io.animus.datapilot.kernel.ApiException;
import io.animus.datapilot.kernel.ErrorCode;
import io.animus.datapilot.kernel.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Optional;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Run-scoped credentials (docs/protocol.md §2.3): {@code animus_run_v1.<claims>.<mac>}, where the MAC
 * is HMAC-SHA256 over {@code "animus-run-token-v1\n" + claims} written as unpadded base64url.
 * This class checks only the token itself; whether its run still accepts it is the caller's.
 */
public final class RunTokens {
  public static final String PREFIX = "animus_run_v1.";
  private static final String MAC_CONTEXT = "animus-run-token-v1\n";
  private final byte[] secret;

  public RunTokens(byte[] secret) {
    this.secret = secret.clone();
  }

  /** The verified claims of a token. */
  public record Claims(String runId, String datasetVersionId, long issuedAt, long expiresAt) {}

  /** The configured secret, else one generated at first start and kept in the data directory. */
  public static RunTokens load(Optional<String> configured, Path dataDir) {
    if (configured.isPresent()) {
      return new RunTokens(configured.get().getBytes(StandardCharsets.UTF_8));
    }
    Path file = dataDir.resolve("secrets").resolve("run-token-secret");
    try {
      if (!Files.exists(file)) {
        Files.createDirectories(file.getParent());
        byte[] bytes = new byte[32];
        new SecureRandom().nextBytes(bytes);
        Path tmp = file.resolveSibling("run-token-secret.tmp");
        Files.writeString(tmp, HexFormat.of().formatHex(bytes), StandardOpenOption.CREATE,
            StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.SYNC);
        try {
          Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-------"));
        } catch (UnsupportedOperationException e) {
          // not a POSIX file system: keep the default permissions
        }
        Files.move(tmp, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
      }
      return new RunTokens(HexFormat.of().parseHex(Files.readString(file).trim()));
    } catch (IOException | IllegalArgumentException e) {
      throw new ConfigException("cannot read or create the run-token secret under DATAPILOT_DATA_DIR; "
          + "set DATAPILOT_RUN_TOKEN_SECRET or fix the data directory");
    }
  }

  public String issue(Claims claims) {
    StringBuilder json = new StringBuilder("{\"run_id\":").append(Json.writeString(claims.runId()));
    if (claims.datasetVersionId() != null && !claims.datasetVersionId().isEmpty()) {
      json.append(",\"dataset_version_id\":").append(Json.writeString(claims.datasetVersionId()));
    }
    json.append(",\"iat\":").append(claims.issuedAt()).append(",\"exp\":").append(claims.expiresAt()).append('}');
    String body = Base64.getUrlEncoder().withoutPadding()
        .encodeToString(json.toString().getBytes(StandardCharsets.UTF_8));
    return PREFIX + body + "." + mac(body);
  }

  /** The claims of a well-formed, correctly signed, unexpired token; otherwise 401 unauthorized. */
  public Claims verify(String token, long nowSeconds) {
    String[] parts = token.split("\\.", -1);
    if (parts.length != 3 || !(parts[0] + ".").equals(PREFIX)) {
      throw invalid();
    }
    if (!Hashing.constantTimeEquals(mac(parts[1]), parts[2])) {
      throw invalid();
    }
    JsonNode claims;
    try {
      claims = Json.mapper().readTree(Base64.getUrlDecoder().decode(parts[1]));
    } catch (IOException | IllegalArgumentException e) {
      throw invalid();
    }
    if (claims == null || !claims.isObject() || !claims.path("run_id").isTextual()
        || claims.path("run_id").textValue().isEmpty() || !claims.path("exp").canConvertToLong()) {
      throw invalid();
    }
    long exp = claims.path("exp").asLong();
    if (exp == 0 || exp <= nowSeconds) {
      throw invalid();
    }
    JsonNode dv = claims.get("dataset_version_id");
    return new Claims(claims.get("run_id").textValue(), dv != null && dv.isTextual() ? dv.textValue() : null,
        claims.path("iat").asLong(), exp);
  }

  private String mac(String body) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(secret, "HmacSHA256"));
      byte[] raw = mac.doFinal((MAC_CONTEXT + body).getBytes(StandardCharsets.UTF_8));
      return Base64.getUrlEncoder().withoutPadding().encodeToString(raw);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 unavailable", e);
    }
  }

  private static ApiException invalid() {
    return new ApiException(ErrorCode.UNAUTHORIZED, "the run token is not valid");
  }
}
