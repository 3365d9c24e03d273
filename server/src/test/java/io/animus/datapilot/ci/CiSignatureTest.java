package io.animus.datapilot.ci;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

import io.animus.datapilot.common.Hashing;
import io.animus.datapilot.kernel.ApiException;
import io.animus.datapilot.kernel.ErrorCode;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** docs/protocol.md §7.1: the CI signature, its test vector, its window, canonical payloads and the order of checks. */
@Timeout(60)
class CiSignatureTest {
  private static final String SECRET = "test-secret";
  private static final String TS = "1734200000";
  private static final String VECTOR_BODY =
      "{\"context\":{\"sha\":\"abc\"},\"provider\":\"github_actions\",\"run_id\":\"run-123\"}";
  private static final String VECTOR_H = "a8f3d68ef23f5d0a89e3571f6ea6cfd0f4b953e2332a2c26e09587186a4b9ce8";
  private static final String VECTOR_SIG = "W8DZwxZW8jKJeHNF-6yDAZ1JgEH1JNiSrsipBOSvfJY";

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  // ---- test vector -----------------------------------------------------------------------------

  @Test
  void theTestVectorGivesTheDocumentedBodyHashAndSignature() {
    assertThat(Hashing.sha256Hex(bytes(VECTOR_BODY))).isEqualTo(VECTOR_H);
    assertThat(CiSignature.sign(SECRET, TS, "POST", bytes(VECTOR_BODY))).isEqualTo(VECTOR_SIG);
    assertThat(CiSignature.matches(SECRET, TS, "POST", bytes(VECTOR_BODY), VECTOR_SIG)).isTrue();
  }

  @Test
  void theSignedMessageUsesTheTrimmedTimestampAndTheUpperCaseMethod() {
    assertThat(CiSignature.sign(SECRET, "  " + TS + " ", "post", bytes(VECTOR_BODY))).isEqualTo(VECTOR_SIG);
    assertThat(CiSignature.matches(SECRET, " " + TS + "\t", "Post", bytes(VECTOR_BODY), VECTOR_SIG)).isTrue();
    assertThat(CiSignature.matches(SECRET, TS, "PUT", bytes(VECTOR_BODY), VECTOR_SIG)).isFalse();
    assertThat(CiSignature.matches("test-secret2", TS, "POST", bytes(VECTOR_BODY), VECTOR_SIG)).isFalse();
  }

  @Test
  void aSignatureIs43UnpaddedBase64UrlCharactersOfA32ByteMac() {
    String sig = CiSignature.sign("another secret", "1", "POST", new byte[0]);
    assertThat(sig).matches("[A-Za-z0-9_-]{43}");
    assertThat(Base64.getUrlDecoder().decode(sig)).hasSize(32);
  }

  // ---- property: any single changed byte fails ------------------------------------------------

  @Test
  void changingAnySingleByteOfTheBodyToAnyOtherValueFailsVerification() {
    byte[] body = bytes(VECTOR_BODY);
    int checked = 0;
    for (int pos = 0; pos < body.length; pos++) {
      for (int v = 0; v < 256; v++) {
        if ((byte) v == body[pos]) {
          continue;
        }
        byte[] changed = body.clone();
        changed[pos] = (byte) v;
        if (CiSignature.matches(SECRET, TS, "POST", changed, VECTOR_SIG)) {
          fail("body byte %d changed to %d still verifies", pos, v);
        }
        checked++;
      }
    }
    assertThat(checked).isEqualTo(body.length * 255);
  }

  @Test
  void removingOrAddingAByteOfTheBodyFailsVerification() {
    byte[] body = bytes(VECTOR_BODY);
    for (int pos = 0; pos < body.length; pos++) {
      byte[] shorter = new byte[body.length - 1];
      System.arraycopy(body, 0, shorter, 0, pos);
      System.arraycopy(body, pos + 1, shorter, pos, body.length - pos - 1);
      assertThat(CiSignature.matches(SECRET, TS, "POST", shorter, VECTOR_SIG)).as("without byte %d", pos).isFalse();
    }
    byte[] longer = Arrays.copyOf(body, body.length + 1);
    longer[body.length] = '\n';
    assertThat(CiSignature.matches(SECRET, TS, "POST", longer, VECTOR_SIG)).isFalse();
  }

  @Test
  void changingAnySingleCharacterOfTheTimestampToAnyOtherValueFailsVerification() {
    for (int pos = 0; pos < TS.length(); pos++) {
      for (char c = 0; c < 256; c++) {
        if (c == TS.charAt(pos)) {
          continue;
        }
        String changed = TS.substring(0, pos) + c + TS.substring(pos + 1);
        if (CiSignature.matches(SECRET, changed, "POST", bytes(VECTOR_BODY), VECTOR_SIG)) {
          fail("timestamp %s still verifies", changed);
        }
      }
    }
  }

  @Test
  void changingAnySingleCharacterOfTheSignatureToAnyOtherValueFailsVerification() {
    for (int pos = 0; pos < VECTOR_SIG.length(); pos++) {
      for (char c = 0; c < 256; c++) {
        if (c == VECTOR_SIG.charAt(pos)) {
          continue;
        }
        String changed = VECTOR_SIG.substring(0, pos) + c + VECTOR_SIG.substring(pos + 1);
        if (CiSignature.matches(SECRET, TS, "POST", bytes(VECTOR_BODY), changed)) {
          fail("signature %s (position %d) still verifies", changed, pos);
        }
      }
    }
  }

  @Test
  void nonCanonicalEncodingsOfTheRightMacFailVerification() {
    byte[] mac = Base64.getUrlDecoder().decode(VECTOR_SIG);
    List<String> variants = new ArrayList<>();
    variants.add(VECTOR_SIG + "=");
    variants.add(Base64.getEncoder().encodeToString(mac));
    variants.add(Base64.getEncoder().withoutPadding().encodeToString(mac));
    variants.add(VECTOR_SIG.replace('-', '+').replace('_', '/'));
    // The last character carries 4 bits of the MAC and 2 zero bits: the other three values of those
    // 2 bits decode to the very same MAC but are not the canonical text.
    String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    int last = alphabet.indexOf(VECTOR_SIG.charAt(VECTOR_SIG.length() - 1));
    for (int low = 1; low < 4; low++) {
      String variant = VECTOR_SIG.substring(0, VECTOR_SIG.length() - 1) + alphabet.charAt((last & ~3) | ((last + low) & 3));
      assertThat(Base64.getMimeDecoder().decode(variant.replace('-', '+').replace('_', '/')))
          .as("%s decodes to the same MAC", variant).isEqualTo(mac);
      variants.add(variant);
    }
    variants.add(VECTOR_SIG + " ");
    variants.add(" " + VECTOR_SIG);
    variants.add(VECTOR_SIG.toLowerCase());
    variants.add(VECTOR_SIG.substring(0, 42));
    variants.add("");
    assertThat(variants).doesNotContain(VECTOR_SIG).hasSizeGreaterThanOrEqualTo(10);
    for (String variant : variants) {
      assertThat(CiSignature.matches(SECRET, TS, "POST", bytes(VECTOR_BODY), variant)).as(variant).isFalse();
    }
  }

  // ---- window ----------------------------------------------------------------------------------

  @Test
  void timestampsWithin300SecondsInclusiveAreInTheWindow() {
    long now = 1_734_200_000L;
    assertThat(CiSignature.timestampInWindow(Long.toString(now), now)).isTrue();
    assertThat(CiSignature.timestampInWindow(Long.toString(now - 300), now)).isTrue();
    assertThat(CiSignature.timestampInWindow(Long.toString(now + 300), now)).isTrue();
    assertThat(CiSignature.timestampInWindow(" " + (now + 300) + " ", now)).isTrue();
    assertThat(CiSignature.timestampInWindow(Long.toString(now - 301), now)).isFalse();
    assertThat(CiSignature.timestampInWindow(Long.toString(now + 301), now)).isFalse();
    for (String bad : List.of("", "abc", "1734200000.0", "1.7342e9", "0x675d3cc0", "17342 00000",
        "99999999999999999999999")) {
      assertThat(CiSignature.timestampInWindow(bad, now)).as(bad).isFalse();
    }
  }

  // ---- order of checks (CiVerifier.verify with a fixed clock) ----------------------------------

  private static final long NOW = 1_734_200_000L;
  private static final long MIB = 1L << 20;

  private static CiVerifier service(String secret) {
    return new CiVerifier(Optional.ofNullable(secret), () -> Instant.ofEpochSecond(NOW));
  }

  private static ApiException rejection(CiVerifier service, CiVerifier.SignedRequest request) {
    try {
      service.verify(request);
    } catch (ApiException e) {
      return e;
    }
    throw new AssertionError("the request was accepted");
  }

  private static CiVerifier.SignedRequest signed(long ts, byte[] body) {
    String t = Long.toString(ts);
    return new CiVerifier.SignedRequest("POST", body.length, MIB, t, CiSignature.sign(SECRET, t, "POST", body),
        () -> body);
  }

  @Test
  void timestampsAtExactlyPlusAndMinus300SecondsAreAcceptedAnd301Rejected() {
    CiVerifier ci = service(SECRET);
    byte[] body = bytes(VECTOR_BODY);
    assertThat(ci.verify(signed(NOW - 300, body)).fields()).containsKeys("context", "provider", "run_id");
    assertThat(ci.verify(signed(NOW + 300, body)).fields()).containsKeys("context", "provider", "run_id");
    assertThat(ci.verify(signed(NOW, body)).fields()).hasSize(3);
    assertThat(rejection(ci, signed(NOW - 301, body)).code()).isEqualTo(ErrorCode.CI_SIGNATURE_INVALID);
    assertThat(rejection(ci, signed(NOW + 301, body)).code()).isEqualTo(ErrorCode.CI_SIGNATURE_INVALID);
  }

  @Test
  void withoutASecretEverythingIsCiNotConfiguredNamingTheSetting() {
    for (String secret : new String[] {null, "", "   "}) {
      ApiException e = rejection(service(secret),
          new CiVerifier.SignedRequest("POST", 5 * MIB, MIB, null, null, () -> fail("body read")));
      assertThat(e.code()).isEqualTo(ErrorCode.CI_NOT_CONFIGURED);
      assertThat(e.getMessage()).contains("ANIMUS_CI_WEBHOOK_SECRET");
    }
  }

  @Test
  void checksRunInTheDocumentedOrder() {
    CiVerifier ci = service(SECRET);
    AtomicInteger reads = new AtomicInteger();
    Supplier<byte[]> counted = () -> {
      reads.incrementAndGet();
      return bytes("[1]");
    };
    String now = Long.toString(NOW);
    // 413 before the headers are looked at.
    assertThat(rejection(ci, new CiVerifier.SignedRequest("POST", MIB + 1, MIB, null, null, counted)).code())
        .isEqualTo(ErrorCode.PAYLOAD_TOO_LARGE);
    // Exactly the limit is not too large.
    assertThat(rejection(ci, new CiVerifier.SignedRequest("POST", MIB, MIB, null, null, counted)).code())
        .isEqualTo(ErrorCode.CI_SIGNATURE_REQUIRED);
    // A missing or empty header before a bad timestamp.
    assertThat(rejection(ci, new CiVerifier.SignedRequest("POST", 3, MIB, "", "x", counted)).code())
        .isEqualTo(ErrorCode.CI_SIGNATURE_REQUIRED);
    assertThat(rejection(ci, new CiVerifier.SignedRequest("POST", 3, MIB, "nope", null, counted)).code())
        .isEqualTo(ErrorCode.CI_SIGNATURE_REQUIRED);
    assertThat(rejection(ci, new CiVerifier.SignedRequest("POST", 3, MIB, "nope", " ", counted)).code())
        .isEqualTo(ErrorCode.CI_SIGNATURE_REQUIRED);
    // A bad timestamp before the body is read.
    assertThat(rejection(ci, new CiVerifier.SignedRequest("POST", 3, MIB, "nope", "x", counted)).code())
        .isEqualTo(ErrorCode.CI_SIGNATURE_INVALID);
    assertThat(rejection(ci, new CiVerifier.SignedRequest("POST", 3, MIB, Long.toString(NOW - 301), "x", counted))
        .code()).isEqualTo(ErrorCode.CI_SIGNATURE_INVALID);
    assertThat(reads).hasValue(0);
    // An unreadable body before the HMAC.
    assertThat(rejection(ci, new CiVerifier.SignedRequest("POST", 3, MIB, now, "x", () -> {
      throw new ApiException(ErrorCode.INVALID_BODY, "request body could not be read");
    })).code()).isEqualTo(ErrorCode.INVALID_BODY);
    // The HMAC before the JSON.
    assertThat(rejection(ci, new CiVerifier.SignedRequest("POST", 3, MIB, now, "x", counted)).code())
        .isEqualTo(ErrorCode.CI_SIGNATURE_INVALID);
    assertThat(reads).hasValue(1);
    // A correctly signed non-object is invalid_json.
    byte[] array = bytes("[1]");
    assertThat(rejection(ci, signed(NOW, array)).code()).isEqualTo(ErrorCode.INVALID_JSON);
  }

  @Test
  void aBodyWithoutDeclaredLengthIsSizedBeforeTheHeadersButAnUnreadableOneStillComesAfterTheTimestamp() {
    CiVerifier ci = service(SECRET);
    Supplier<byte[]> tooLarge = () -> {
      throw new ApiException(ErrorCode.PAYLOAD_TOO_LARGE, "request body is larger than 1048576 bytes");
    };
    Supplier<byte[]> unreadable = () -> {
      throw new ApiException(ErrorCode.INVALID_BODY, "request body could not be read");
    };
    String now = Long.toString(NOW);
    assertThat(rejection(ci, new CiVerifier.SignedRequest("POST", -1, MIB, null, null, tooLarge)).code())
        .isEqualTo(ErrorCode.PAYLOAD_TOO_LARGE);
    assertThat(rejection(ci, new CiVerifier.SignedRequest("POST", -1, MIB, "nope", "x", tooLarge)).code())
        .isEqualTo(ErrorCode.PAYLOAD_TOO_LARGE);
    assertThat(rejection(ci, new CiVerifier.SignedRequest("POST", -1, MIB, null, null, unreadable)).code())
        .isEqualTo(ErrorCode.CI_SIGNATURE_REQUIRED);
    assertThat(rejection(ci, new CiVerifier.SignedRequest("POST", -1, MIB, "nope", "x", unreadable)).code())
        .isEqualTo(ErrorCode.CI_SIGNATURE_INVALID);
    assertThat(rejection(ci, new CiVerifier.SignedRequest("POST", -1, MIB, now, "x", unreadable)).code())
        .isEqualTo(ErrorCode.INVALID_BODY);
    byte[] body = bytes(VECTOR_BODY);
    AtomicInteger reads = new AtomicInteger();
    CanonicalJson.Obj ok = ci.verify(new CiVerifier.SignedRequest("POST", -1, MIB, now,
        CiSignature.sign(SECRET, now, "POST", body), () -> {
          reads.incrementAndGet();
          return body;
        }));
    assertThat(ok.fields()).containsKey("run_id");
    assertThat(reads).hasValue(1);
  }

  @Test
  void rejectionMessagesNeverContainTheSecretOrTheExpectedSignature() {
    String secret = "s3cr3t-value-that-must-not-leak";
    CiVerifier ci = new CiVerifier(Optional.of(secret), () -> Instant.ofEpochSecond(NOW));
    byte[] body = bytes(VECTOR_BODY);
    String now = Long.toString(NOW);
    String expected = CiSignature.sign(secret, now, "POST", body);
    List<CiVerifier.SignedRequest> bad = List.of(
        new CiVerifier.SignedRequest("POST", body.length, MIB, now, "AAAA", () -> body),
        new CiVerifier.SignedRequest("POST", body.length, MIB, now, expected + "=", () -> body),
        new CiVerifier.SignedRequest("POST", body.length, MIB, Long.toString(NOW + 301), expected, () -> body),
        new CiVerifier.SignedRequest("POST", body.length, MIB, null, expected, () -> body),
        new CiVerifier.SignedRequest("POST", 2 * MIB, MIB, now, expected, () -> body));
    for (CiVerifier.SignedRequest r : bad) {
      ApiException e = rejection(ci, r);
      assertThat(e.getMessage()).doesNotContain(secret).doesNotContain(expected);
      assertThat(String.valueOf(e.details())).doesNotContain(secret).doesNotContain(expected);
    }
  }

  // ---- canonical JSON --------------------------------------------------------------------------

  private static String canonical(String json) {
    return CanonicalJson.write(CanonicalJson.parseObject(bytes(json)));
  }

  @Test
  void theTestVectorBodyIsAlreadyCanonicalSoItsPayloadHashEqualsH() {
    assertThat(canonical(VECTOR_BODY)).isEqualTo(VECTOR_BODY);
    assertThat(Hashing.sha256Hex(canonical(VECTOR_BODY))).isEqualTo(VECTOR_H);
    assertThat(canonical("{ \"run_id\" : \"run-123\",\n \"provider\":\"github_actions\", \"context\": {\"sha\":\"abc\"} }"))
        .isEqualTo(VECTOR_BODY);
  }

  @Test
  void keysAreSortedAtEveryLevelAndTheOutputIsCompact() {
    assertThat(canonical("{ \"b\" : [ 3, { \"z\" : 1, \"a\" : 2 }, [ {\"y\":true, \"x\":false} ] ],\n"
        + "  \"a\" : { \"d\" : null, \"c\" : { \"f\":\"\", \"e\":{} } }, \"A\": [] }"))
        .isEqualTo("{\"A\":[],\"a\":{\"c\":{\"e\":{},\"f\":\"\"},\"d\":null},"
            + "\"b\":[3,{\"a\":2,\"z\":1},[{\"x\":false,\"y\":true}]]}");
  }

  @Test
  void theOutputMatchesPythonJsonDumpsWithSortKeysAndCompactSeparators() {
    // json.dumps({"b":[1,{"z":"é","a":"😀"}],"a":"\x7f\x1f/\"\\","\uffff":1,"😀":2},
    //            sort_keys=True, separators=(",", ":"))
    String input = "{\"b\":[1,{\"z\":\"\u00e9\",\"a\":\"\uD83D\uDE00\"}],\"a\":\"\u007f\\u001f/\\\"\\\\\","
        + "\"\uffff\":1,\"\uD83D\uDE00\":2}";
    assertThat(canonical(input)).isEqualTo(
        "{\"a\":\"\\u007f\\u001f/\\\"\\\\\",\"b\":[1,{\"a\":\"\\ud83d\\ude00\",\"z\":\"\\u00e9\"}],"
            + "\"\\uffff\":1,\"\\ud83d\\ude00\":2}");
  }

  @Test
  void nonAsciiIsEscapedWithLowerCaseHexAndAstralCharactersAsSurrogatePairs() {
    assertThat(canonical("{\"k\":\"caf\u00e9 \u4e2d \u00ff\"}")).isEqualTo("{\"k\":\"caf\\u00e9 \\u4e2d \\u00ff\"}");
    assertThat(canonical("{\"k\":\"caf\\u00E9 \\u4E2D\"}")).isEqualTo("{\"k\":\"caf\\u00e9 \\u4e2d\"}");
    assertThat(canonical("{\"k\":\"\uD83D\uDE80\"}")).isEqualTo("{\"k\":\"\\ud83d\\ude80\"}");
    assertThat(canonical("{\"k\":\"\\uD83D\\uDE80\"}")).isEqualTo("{\"k\":\"\\ud83d\\ude80\"}");
    assertThat(canonical("{\"\u00e9\":\"\u00e9\"}")).isEqualTo("{\"\\u00e9\":\"\\u00e9\"}");
  }

  @Test
  void controlCharactersUseShortEscapesWherePythonDoesAndSlashIsNotEscaped() {
    assertThat(canonical("{\"k\":\"a\\nb\\tc\\rd\\be\\ff\\u0000g\\u001fh\\u007f\\/i\\\"j\\\\\"}"))
        .isEqualTo("{\"k\":\"a\\nb\\tc\\rd\\be\\ff\\u0000g\\u001fh\\u007f/i\\\"j\\\\\"}");
  }

  @Test
  void keysAreSortedByCodePointAsPythonSortsThem() {
    assertThat(canonical("{\"\uD83D\uDE00\":2,\"\uffff\":1,\"a\":3,\"B\":4,\"\u00e9\":5,\"aa\":6}"))
        .isEqualTo("{\"B\":4,\"a\":3,\"aa\":6,\"\\u00e9\":5,\"\\uffff\":1,\"\\ud83d\\ude00\":2}");
  }

  @Test
  void numbersAreWrittenExactlyAsReceived() {
    assertThat(canonical("{\"a\":1e5,\"b\":1.0,\"c\":-0,\"d\":1E+5,\"e\":-0.0,\"f\":123456789012345678901234567890,"
        + "\"g\":0.1000,\"h\":2.5e-3,\"i\":0,\"j\":[1.50,-7]}"))
        .isEqualTo("{\"a\":1e5,\"b\":1.0,\"c\":-0,\"d\":1E+5,\"e\":-0.0,\"f\":123456789012345678901234567890,"
            + "\"g\":0.1000,\"h\":2.5e-3,\"i\":0,\"j\":[1.50,-7]}");
  }

  @Test
  void aRepeatedKeyKeepsTheLastValueAsPythonDoes() {
    assertThat(canonical("{\"a\":1,\"b\":2,\"a\":3}")).isEqualTo("{\"a\":3,\"b\":2}");
  }

  @Test
  void anythingButOneJsonObjectIsInvalidJson() {
    for (String body : List.of("", " ", "[]", "[{\"a\":1}]", "1", "\"x\"", "null", "true", "{", "{\"a\":}",
        "{}{}", "{} 1", "{\"a\":1,}", "{'a':1}", "{\"a\":NaN}", "{\"a\":Infinity}", "{\"a\":-Infinity}",
        "{\"a\":01}", "{\"a\":+1}", "{\"a\":.5}")) {
      assertThatThrownBy(() -> CanonicalJson.parseObject(bytes(body))).as(body)
          .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_JSON));
    }
  }
}
