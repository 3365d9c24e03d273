package io.animus.sdk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class CiSignatureTest {
  private static final String BODY = "{\"context\":{\"sha\":\"abc\"},\"provider\":\"github_actions\",\"run_id\":\"run-123\"}";

  @Test
  void protocolTestVectorMatches() {
    assertThat(CiSignature.compute("test-secret", 1734200000L, "POST", BODY))
        .isEqualTo("W8DZwxZW8jKJeHNF-6yDAZ1JgEH1JNiSrsipBOSvfJY");
    assertThat(CiSignature.compute("test-secret", " 1734200000 ", "post", BODY.getBytes(StandardCharsets.UTF_8)))
        .isEqualTo("W8DZwxZW8jKJeHNF-6yDAZ1JgEH1JNiSrsipBOSvfJY");
  }

  @Test
  void bodyHashIsTheVectorsHash() {
    assertThat(CiSignature.sha256Hex(BODY.getBytes(StandardCharsets.UTF_8)))
        .isEqualTo("a8f3d68ef23f5d0a89e3571f6ea6cfd0f4b953e2332a2c26e09587186a4b9ce8");
  }

  @Test
  void canonicalJsonOfTheVectorPayloadIsTheVectorBody() {
    var payload = new java.util.LinkedHashMap<String, Object>();
    payload.put("run_id", "run-123");
    payload.put("provider", "github_actions");
    payload.put("context", java.util.Map.of("sha", "abc"));
    assertThat(new String(Json.canonicalBytes(payload), StandardCharsets.US_ASCII)).isEqualTo(BODY);
  }

  @Test
  void emptySecretIsRefused() {
    assertThatThrownBy(() -> CiSignature.compute("", 1L, "POST", "{}")).isInstanceOf(IllegalArgumentException.class);
  }
}
