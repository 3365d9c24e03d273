package io.animus.datapilot.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

import io.animus.datapilot.config.Config;
import io.animus.datapilot.kernel.ApiException;
import io.animus.datapilot.kernel.ErrorCode;
import io.animus.datapilot.http.Router.Access;
import io.animus.datapilot.kernel.Principal;
import io.animus.datapilot.kernel.Role;
import io.animus.datapilot.testing.RunTokenRoutes;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** docs/protocol.md §2.3: run-token format, test vector, verification, lifetime and scope. */
@Timeout(60)
class RunTokenTest {
  private static final String VECTOR = "animus_run_v1."
      + "eyJydW5faWQiOiJydW4tMTIzIiwiZGF0YXNldF92ZXJzaW9uX2lkIjoiZHYtMSIsImlhdCI6MTczNDIwMDAwMCwiZXhwIjoxNzM0MjAzNjAwfQ"
      + ".LCXMnsHyV1hdFWBrxZmW-uz0sldr5e3Sa4V06tndAC8";
  private static final long IAT = 1_734_200_000L;
  private static final long EXP = 1_734_203_600L;
  private static final String ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  private static final RunTokens TEST_SECRET = new RunTokens("test-secret".getBytes(StandardCharsets.UTF_8));

  private static void assertUnauthorized(RunTokens tokens, String token, long now) {
    assertThatThrownBy(() -> tokens.verify(token, now)).as(token)
        .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.UNAUTHORIZED));
  }

  private static boolean verifies(RunTokens tokens, String token, long now) {
    try {
      tokens.verify(token, now);
      return true;
    } catch (ApiException e) {
      assertThat(e.code()).isEqualTo(ErrorCode.UNAUTHORIZED);
      return false;
    }
  }

  /** A token over arbitrary claims text, signed as §2.3 says, to test what verification does with odd claims. */
  private static String sign(String secret, String claimsJson) throws Exception {
    String b = Base64.getUrlEncoder().withoutPadding().encodeToString(claimsJson.getBytes(StandardCharsets.UTF_8));
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
    byte[] raw = mac.doFinal(("animus-run-token-v1\n" + b).getBytes(StandardCharsets.UTF_8));
    return "animus_run_v1." + b + "." + Base64.getUrlEncoder().withoutPadding().encodeToString(raw);
  }

  // ---- format and test vector -------------------------------------------------------------------

  @Test
  void theTestVectorIsIssuedExactly() {
    assertThat(TEST_SECRET.issue(new RunTokens.Claims("run-123", "dv-1", IAT, EXP))).isEqualTo(VECTOR);
  }

  @Test
  void theTestVectorVerifiesToItsClaims() {
    RunTokens.Claims claims = TEST_SECRET.verify(VECTOR, IAT);
    assertThat(claims).isEqualTo(new RunTokens.Claims("run-123", "dv-1", IAT, EXP));
  }

  @Test
  void aConfiguredSecretIsUsedAsItsUtf8Bytes(@TempDir Path dir) {
    RunTokens loaded = RunTokens.load(Optional.of("test-secret"), dir);
    assertThat(loaded.issue(new RunTokens.Claims("run-123", "dv-1", IAT, EXP))).isEqualTo(VECTOR);
    assertThat(dir.resolve("secrets")).doesNotExist();
  }

  @Test
  void claimsAreCompactJsonInTheDocumentedKeyOrderWithoutAnEmptyDatasetVersion() {
    String withDv = TEST_SECRET.issue(new RunTokens.Claims("r1", "dv-9", 10, 20));
    assertThat(decodedClaims(withDv)).isEqualTo("{\"run_id\":\"r1\",\"dataset_version_id\":\"dv-9\",\"iat\":10,\"exp\":20}");
    String withoutDv = TEST_SECRET.issue(new RunTokens.Claims("r1", null, 10, 20));
    assertThat(decodedClaims(withoutDv)).isEqualTo("{\"run_id\":\"r1\",\"iat\":10,\"exp\":20}");
    assertThat(TEST_SECRET.issue(new RunTokens.Claims("r1", "", 10, 20))).isEqualTo(withoutDv);
    for (String token : List.of(withDv, withoutDv)) {
      String[] parts = token.split("\\.", -1);
      assertThat(parts).hasSize(3);
      assertThat(parts[0]).isEqualTo("animus_run_v1");
      assertThat(parts[1]).matches("[A-Za-z0-9_-]+");
      assertThat(parts[2]).matches("[A-Za-z0-9_-]{43}");
    }
  }

  private static String decodedClaims(String token) {
    return new String(Base64.getUrlDecoder().decode(token.split("\\.")[1]), StandardCharsets.UTF_8);
  }

  @Test
  void aTokenRoundTripsItsClaims() {
    RunTokens tokens = new RunTokens(new byte[] {1, 2, 3, 4, 5, 6, 7, 8});
    String run = UUID.randomUUID().toString();
    String dv = UUID.randomUUID().toString();
    long now = Instant.now().getEpochSecond();
    RunTokens.Claims claims = new RunTokens.Claims(run, dv, now, now + 30L * 86_400);
    assertThat(tokens.verify(tokens.issue(claims), now)).isEqualTo(claims);
    RunTokens.Claims noDv = new RunTokens.Claims(run, null, now, now + 60);
    assertThat(tokens.verify(tokens.issue(noDv), now + 59)).isEqualTo(noDv);
  }

  // ---- tampering ---------------------------------------------------------------------------------

  @Test
  void changingAnyCharacterOfTheTokenMakesItUnauthorized() {
    int checked = 0;
    String candidates = ALPHABET + "=+/. ~";
    for (int pos = 0; pos < VECTOR.length(); pos++) {
      for (char c : candidates.toCharArray()) {
        if (c == VECTOR.charAt(pos)) {
          continue;
        }
        String changed = VECTOR.substring(0, pos) + c + VECTOR.substring(pos + 1);
        if (verifies(TEST_SECRET, changed, IAT)) {
          fail("token changed at %d to '%s' still verifies: %s", pos, c, changed);
        }
        checked++;
      }
    }
    assertThat(checked).isGreaterThan(VECTOR.length() * 60);
  }

  @Test
  void paddedStandardAlphabetOrNonCanonicalSignaturesAreUnauthorized() {
    int dot = VECTOR.lastIndexOf('.');
    String head = VECTOR.substring(0, dot + 1);
    String sig = VECTOR.substring(dot + 1);
    byte[] mac = Base64.getUrlDecoder().decode(sig);
    List<String> variants = new ArrayList<>();
    variants.add(head + sig + "=");
    variants.add(head + Base64.getEncoder().encodeToString(mac));
    variants.add(head + Base64.getEncoder().withoutPadding().encodeToString(mac));
    variants.add(head + Base64.getUrlEncoder().encodeToString(mac));
    int last = ALPHABET.indexOf(sig.charAt(sig.length() - 1));
    for (int low = 1; low < 4; low++) {
      String nonCanonical = sig.substring(0, sig.length() - 1) + ALPHABET.charAt((last & ~3) | ((last + low) & 3));
      assertThat(Base64.getMimeDecoder().decode(nonCanonical.replace('-', '+').replace('_', '/'))).isEqualTo(mac);
      variants.add(head + nonCanonical);
    }
    assertThat(variants).doesNotContain(VECTOR);
    for (String variant : variants) {
      assertUnauthorized(TEST_SECRET, variant, IAT);
    }
  }

  @Test
  void aPaddedOrStandardAlphabetClaimsPartIsUnauthorized() {
    String[] parts = VECTOR.split("\\.");
    byte[] claims = Base64.getUrlDecoder().decode(parts[1]);
    assertUnauthorized(TEST_SECRET, parts[0] + "." + Base64.getUrlEncoder().encodeToString(claims) + "." + parts[2],
        IAT);
    assertUnauthorized(TEST_SECRET, parts[0] + "." + Base64.getEncoder().encodeToString(claims) + "." + parts[2], IAT);
  }

  @Test
  void aWrongPrefixOrAWrongNumberOfPartsIsUnauthorized() {
    String rest = VECTOR.substring("animus_run_v1.".length());
    for (String token : List.of("animus_run_v2." + rest, "ANIMUS_RUN_V1." + rest, "animus_run_v1" + rest,
        "xanimus_run_v1." + rest, " animus_run_v1." + rest, "animus_run_v1..", "animus_run_v1.", "animus_run_v1",
        VECTOR + ".", VECTOR + ".x", rest, "animus_run_v1." + rest.substring(0, rest.indexOf('.')), "")) {
      assertUnauthorized(TEST_SECRET, token, IAT);
    }
  }

  @Test
  void aTokenSignedWithAnotherSecretIsUnauthorized() {
    RunTokens other = new RunTokens("test-secret ".getBytes(StandardCharsets.UTF_8));
    assertUnauthorized(other, VECTOR, IAT);
  }

  // ---- lifetime and claims ----------------------------------------------------------------------

  @Test
  void aTokenIsValidStrictlyBeforeItsExpiry() {
    assertThat(verifies(TEST_SECRET, VECTOR, EXP - 1)).isTrue();
    assertUnauthorized(TEST_SECRET, VECTOR, EXP);
    assertUnauthorized(TEST_SECRET, VECTOR, EXP + 1);
    assertUnauthorized(TEST_SECRET, VECTOR, EXP + 86_400);
  }

  @Test
  void claimsWithoutAUsableRunIdOrExpiryAreUnauthorizedEvenWhenCorrectlySigned() throws Exception {
    long now = 100;
    assertThat(verifies(TEST_SECRET, sign("test-secret", "{\"run_id\":\"r\",\"iat\":1,\"exp\":200}"), now)).isTrue();
    for (String claims : List.of(
        "{\"run_id\":\"r\",\"iat\":1,\"exp\":0}",
        "{\"run_id\":\"r\",\"iat\":1}",
        "{\"run_id\":\"r\",\"iat\":1,\"exp\":\"200\"}",
        "{\"run_id\":\"r\",\"iat\":1,\"exp\":50}",
        "{\"run_id\":\"\",\"iat\":1,\"exp\":200}",
        "{\"iat\":1,\"exp\":200}",
        "{\"run_id\":7,\"iat\":1,\"exp\":200}",
        "{\"run_id\":null,\"iat\":1,\"exp\":200}",
        "[\"r\",1,200]",
        "\"r\"",
        "not json",
        "")) {
      assertUnauthorized(TEST_SECRET, sign("test-secret", claims), now);
    }
  }

  // ---- the generated secret ---------------------------------------------------------------------

  @Test
  void aGeneratedSecretIsKeptInTheDataDirectoryAndReused(@TempDir Path dir) throws Exception {
    RunTokens first = RunTokens.load(Optional.empty(), dir);
    Path file = dir.resolve("secrets").resolve("run-token-secret");
    assertThat(file).exists();
    String stored = Files.readString(file).trim();
    assertThat(stored).matches("[0-9a-f]{64}");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
    String token = first.issue(new RunTokens.Claims("run-1", null, 1, 1000));

    RunTokens again = RunTokens.load(Optional.empty(), dir);
    assertThat(again.verify(token, 2).runId()).isEqualTo("run-1");
    assertThat(Files.readString(file).trim()).isEqualTo(stored);
  }

  @Test
  void twoDataDirectoriesGenerateDifferentSecrets(@TempDir Path a, @TempDir Path b) {
    String token = RunTokens.load(Optional.empty(), a).issue(new RunTokens.Claims("run-1", null, 1, 1000));
    assertUnauthorized(RunTokens.load(Optional.empty(), b), token, 2);
  }

  // ---- Authenticator: runs, grace, modes --------------------------------------------------------

  private static final Instant NOW = Instant.parse("2026-01-05T10:00:00Z");

  private static Authenticator authenticator(Config.AuthMode mode, Map<UUID, Authenticator.RunStanding> runs,
                                             Duration grace, AtomicReference<Instant> clock) {
    return new Authenticator(new Config.Auth(mode, Optional.of("admin-token-0123456789")), null, TEST_SECRET,
        id -> Optional.ofNullable(runs.get(id)), grace, clock::get);
  }

  private static String tokenFor(UUID run, String dv) {
    return TEST_SECRET.issue(new RunTokens.Claims(run.toString(), dv, NOW.getEpochSecond() - 10,
        NOW.getEpochSecond() + 30L * 86_400));
  }

  @Test
  void aValidRunTokenGivesTheRunIdentityInEveryMode() {
    UUID run = UUID.randomUUID();
    UUID dv = UUID.randomUUID();
    for (Config.AuthMode mode : Config.AuthMode.values()) {
      Authenticator auth = authenticator(mode, Map.of(run, new Authenticator.RunStanding(false, null)),
          Duration.ofMinutes(10), new AtomicReference<>(NOW));
      Principal p = auth.authenticate("Bearer " + tokenFor(run, dv.toString()));
      assertThat(p.subject()).isEqualTo("run:" + run + ":dv:" + dv);
      assertThat(p.auth()).isEqualTo("run_token");
      assertThat(p.role()).isEqualTo(Role.EDITOR);
      assertThat(p.runId()).isEqualTo(run.toString());
      assertThat(p.datasetVersionId()).isEqualTo(dv.toString());
      Principal noDv = auth.authenticate("bearer " + tokenFor(run, null));
      assertThat(noDv.subject()).isEqualTo("run:" + run);
      assertThat(noDv.datasetVersionId()).isNull();
    }
  }

  @Test
  void aBadRunTokenIsUnauthorizedInEveryModeAndNeverFallsBackToTheDevUser() {
    UUID run = UUID.randomUUID();
    String good = tokenFor(run, null);
    String tampered = good.substring(0, good.length() - 2) + (good.endsWith("A") ? "BB" : "AA");
    UUID unknown = UUID.randomUUID();
    for (Config.AuthMode mode : Config.AuthMode.values()) {
      Authenticator auth = authenticator(mode, Map.of(run, new Authenticator.RunStanding(false, null)),
          Duration.ofMinutes(10), new AtomicReference<>(NOW));
      for (String bearer : List.of(tampered, "animus_run_v1.", "animus_run_v1.x.y", tokenFor(unknown, null),
          TEST_SECRET.issue(new RunTokens.Claims("run-123", null, 1, NOW.getEpochSecond() + 60)),
          TEST_SECRET.issue(new RunTokens.Claims(run.toString(), null, 1, NOW.getEpochSecond())))) {
        assertThatThrownBy(() -> auth.authenticate("Bearer " + bearer)).as(mode + " " + bearer)
            .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.UNAUTHORIZED));
      }
    }
  }

  @Test
  void aTerminalRunsTokenIsValidOnlyWhileTheRunBecameTerminalLessThanTheGraceAgo() {
    UUID run = UUID.randomUUID();
    Instant terminalAt = NOW.minusSeconds(30);
    AtomicReference<Instant> clock = new AtomicReference<>(NOW);
    Authenticator auth = authenticator(Config.AuthMode.TOKEN,
        Map.of(run, new Authenticator.RunStanding(true, terminalAt)), Duration.ofMinutes(10), clock);
    String token = tokenFor(run, null);
    assertThat(auth.authenticate("Bearer " + token).runId()).isEqualTo(run.toString());
    clock.set(terminalAt.plus(Duration.ofMinutes(10)).minusNanos(1000));
    assertThat(auth.authenticate("Bearer " + token).runId()).isEqualTo(run.toString());
    for (Instant later : List.of(terminalAt.plus(Duration.ofMinutes(10)),
        terminalAt.plus(Duration.ofMinutes(10)).plusNanos(1000), terminalAt.plus(Duration.ofHours(5)))) {
      clock.set(later);
      assertThatThrownBy(() -> auth.authenticate("Bearer " + token)).as(later.toString())
          .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.UNAUTHORIZED));
    }
  }

  @Test
  void aTerminalRunWithoutAKnownTerminalTimeDoesNotAcceptItsToken() {
    UUID run = UUID.randomUUID();
    Authenticator auth = authenticator(Config.AuthMode.TOKEN, Map.of(run, new Authenticator.RunStanding(true, null)),
        Duration.ofMinutes(10), new AtomicReference<>(NOW));
    assertThatThrownBy(() -> auth.authenticate("Bearer " + tokenFor(run, null)))
        .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.UNAUTHORIZED));
  }

  @Test
  void aRunningRunsTokenStaysValidUntilItsExpiry() {
    UUID run = UUID.randomUUID();
    AtomicReference<Instant> clock = new AtomicReference<>(NOW.plus(Duration.ofDays(29)));
    Authenticator auth = authenticator(Config.AuthMode.DEV, Map.of(run, new Authenticator.RunStanding(false, null)),
        Duration.ofMinutes(10), clock);
    String token = tokenFor(run, null);
    assertThatCode(() -> auth.authenticate("Bearer " + token)).doesNotThrowAnyException();
    clock.set(NOW.plus(Duration.ofDays(30)));
    assertThatThrownBy(() -> auth.authenticate("Bearer " + token)).isInstanceOf(ApiException.class);
  }

  // ---- scope (AccessPolicy) ---------------------------------------------------------------------

  private static final String RUNS = "/api/experiments/experiment-runs/";
  private static final String VERSIONS = "/api/dataset-registry/dataset-versions/";
  private static final RunTokenRoutes.PathPolicy POLICY = RunTokenRoutes.policy();
  private static final String RUN = "7d1e0c4a-1b2c-4d3e-8f90-a1b2c3d4e5f6";
  private static final String OTHER_RUN = "7d1e0c4a-1b2c-4d3e-8f90-a1b2c3d4e5f7";
  private static final String DV = "5a2c0c4a-1b2c-4d3e-8f90-a1b2c3d4e5f6";
  private static final String OTHER_DV = "5a2c0c4a-1b2c-4d3e-8f90-a1b2c3d4e5f7";
  private static final Principal WITH_DV = new Principal("run:" + RUN + ":dv:" + DV, Role.EDITOR, "run_token", RUN, DV);
  private static final Principal NO_DV = new Principal("run:" + RUN, Role.EDITOR, "run_token", RUN, null);

  private static boolean allowed(Principal p, Access access, String method, String path) {
    try {
      POLICY.check(p, access, method, path);
      return true;
    } catch (ApiException e) {
      assertThat(e.code()).as(method + " " + path).isEqualTo(ErrorCode.FORBIDDEN);
      return false;
    }
  }

  @Test
  void everyReadRowOfTheScopeTableIsAllowedForTheTokensRun() {
    String r = RUNS + RUN;
    List<String> paths = List.of(r, r + "/metrics", r + "/metrics/series", r + "/events", r + "/states", r + "/stream",
        r + "/artifacts", r + "/artifacts/" + UUID.randomUUID(), r + "/artifacts/" + UUID.randomUUID() + "/download");
    for (String path : paths) {
      for (String method : List.of("GET", "HEAD", "OPTIONS")) {
        assertThat(allowed(NO_DV, Access.VIEWER, method, path)).as(method + " " + path).isTrue();
        assertThat(allowed(WITH_DV, Access.VIEWER, method, path)).as(method + " " + path).isTrue();
      }
    }
    assertThat(allowed(NO_DV, Access.VIEWER, "GET", "/api/auth/me")).isTrue();
  }

  @Test
  void theDatasetVersionRowsAreAllowedOnlyForTheTokensOwnVersion() {
    for (String method : List.of("GET", "HEAD", "OPTIONS")) {
      assertThat(allowed(WITH_DV, Access.VIEWER, method, VERSIONS + DV)).isTrue();
      assertThat(allowed(WITH_DV, Access.VIEWER, method, VERSIONS + DV + "/download")).isTrue();
      assertThat(allowed(WITH_DV, Access.VIEWER, method, VERSIONS + OTHER_DV)).isFalse();
      assertThat(allowed(WITH_DV, Access.VIEWER, method, VERSIONS + OTHER_DV + "/download")).isFalse();
      assertThat(allowed(NO_DV, Access.VIEWER, method, VERSIONS + DV)).isFalse();
      assertThat(allowed(NO_DV, Access.VIEWER, method, VERSIONS + DV + "/download")).isFalse();
    }
    assertThat(allowed(WITH_DV, Access.EDITOR, "POST", VERSIONS + DV)).isFalse();
    assertThat(allowed(WITH_DV, Access.EDITOR, "DELETE", VERSIONS + DV)).isFalse();
    assertThat(allowed(WITH_DV, Access.VIEWER, "GET", "/api/dataset-registry/datasets")).isFalse();
    assertThat(allowed(WITH_DV, Access.VIEWER, "GET", VERSIONS + DV + "/other")).isFalse();
  }

  @Test
  void everyWriteRowOfTheScopeTableIsAllowedForTheTokensRun() {
    String r = RUNS + RUN;
    for (String suffix : List.of("/metrics", "/metrics:batch", "/events", "/events:batch", "/artifacts", "/status",
        "/heartbeat")) {
      assertThat(allowed(NO_DV, Access.EDITOR, "POST", r + suffix)).as(suffix).isTrue();
      assertThat(allowed(NO_DV, Access.EDITOR, "POST", RUNS + OTHER_RUN + suffix)).as("other run " + suffix).isFalse();
      assertThat(allowed(NO_DV, Access.EDITOR, "PUT", r + suffix)).as("PUT " + suffix).isFalse();
      assertThat(allowed(NO_DV, Access.EDITOR, "DELETE", r + suffix)).as("DELETE " + suffix).isFalse();
    }
  }

  @Test
  void theForbiddenNeighboursOfEveryRowAreForbidden() {
    String r = RUNS + RUN;
    String other = RUNS + OTHER_RUN;
    List<String[]> forbidden = List.of(
        new String[] {"GET", other}, new String[] {"GET", other + "/metrics"}, new String[] {"GET", other + "/events"},
        new String[] {"GET", other + "/states"}, new String[] {"GET", other + "/stream"},
        new String[] {"GET", other + "/artifacts"}, new String[] {"GET", other + "/artifacts/x/download"},
        new String[] {"GET", other + "/metrics/series"},
        new String[] {"POST", r + ":cancel"}, new String[] {"POST", other + ":cancel"},
        new String[] {"GET", r + "/ci-contexts"}, new String[] {"GET", r + "/metrics:batch"},
        new String[] {"POST", r}, new String[] {"DELETE", r}, new String[] {"POST", r + "/states"},
        new String[] {"POST", r + "/stream"}, new String[] {"POST", r + "/metrics/series"},
        new String[] {"POST", r + "/artifacts/x"},
        new String[] {"GET", r + "x"}, new String[] {"GET", r + "/"}, new String[] {"GET", r + "/metricsx"},
        new String[] {"GET", "/api/experiments/experiment-runs"},
        new String[] {"GET", "/api/experiments/experiments"},
        new String[] {"POST", "/api/experiments/experiments"},
        new String[] {"GET", "/api/experiments/experiments/" + UUID.randomUUID() + "/runs"},
        new String[] {"POST", "/api/experiments/experiments/" + UUID.randomUUID() + "/runs"},
        new String[] {"POST", "/api/experiments/experiments/runs:execute"},
        new String[] {"GET", "/api/experiments/model-images"},
        new String[] {"GET", "/api/experiments/projects"},
        new String[] {"GET", "/api/dataset-registry/datasets"},
        new String[] {"HEAD", "/api/auth/me"}, new String[] {"POST", "/api/auth/me"},
        new String[] {"GET", "/api/auth/tokens"}, new String[] {"POST", "/api/auth/tokens"},
        new String[] {"DELETE", "/api/auth/tokens/" + UUID.randomUUID()});
    for (String[] call : forbidden) {
      Access access = call[0].equals("GET") || call[0].equals("HEAD") ? Access.VIEWER : Access.EDITOR;
      assertThat(allowed(WITH_DV, access, call[0], call[1])).as(call[0] + " " + call[1]).isFalse();
    }
    for (String path : List.of("/api/auth/tokens", "/api/auth/tokens/" + UUID.randomUUID())) {
      assertThat(allowed(WITH_DV, Access.ADMIN, "GET", path)).isFalse();
      assertThat(allowed(WITH_DV, Access.ADMIN, "POST", path)).isFalse();
      assertThat(allowed(WITH_DV, Access.ADMIN, "DELETE", path)).isFalse();
    }
  }

  @Test
  void aRunTokenCannotReachAdminRoutesEvenInsideItsRunPaths() {
    assertThat(allowed(NO_DV, Access.ADMIN, "GET", RUNS + RUN)).isFalse();
  }

  @Test
  void ciAndPublicRoutesAreNotDecidedByTheRunToken() {
    // CI routes are authenticated by their HMAC only (§2.5); the token neither grants nor blocks them.
    assertThat(allowed(NO_DV, Access.CI, "POST", "/api/experiments/ci/report")).isTrue();
    assertThat(allowed(NO_DV, Access.PUBLIC, "GET", "/healthz")).isTrue();
  }
}
