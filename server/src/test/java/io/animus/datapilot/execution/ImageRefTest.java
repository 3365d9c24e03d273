package io.animus.datapilot.execution;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Optional;
import org.junit.jupiter.api.Test;

/** What an image reference says about itself (docs/protocol.md §8.3). */
class ImageRefTest {
  static final String HEX = "AB".repeat(32);

  @Test
  void pinnedReferencesYieldTheirLowerCaseDigest() {
    assertThat(new ImageRef("ghcr.io/acme/train:v1@sha256:" + HEX).digest())
        .contains("sha256:" + HEX.toLowerCase());
    assertThat(new ImageRef("sha256:" + HEX).digest()).contains("sha256:" + HEX.toLowerCase());
    assertThat(new ImageRef("ghcr.io/acme/train:v1").digest()).isEqualTo(Optional.empty());
    assertThat(new ImageRef("train@sha256:abc").digest()).isEmpty();
  }

  @Test
  void onlyANamePinnedByAFullDigestIsANamedDigest() {
    assertThat(new ImageRef("ghcr.io/acme/train@sha256:" + HEX).namedDigest()).isTrue();
    assertThat(new ImageRef("ghcr.io/acme/train:v1@sha256:" + HEX).namedDigest()).isTrue();
    assertThat(new ImageRef("sha256:" + HEX).namedDigest()).isFalse();
    assertThat(new ImageRef("@sha256:" + HEX).namedDigest()).isFalse();
    assertThat(new ImageRef("ghcr.io/acme/train:v1").namedDigest()).isFalse();
    assertThat(new ImageRef("ghcr.io/acme/train@sha256:abc").namedDigest()).isFalse();
  }

  @Test
  void aPinnedReferenceIsPulledFromItsRepositoryWithoutTagByItsDigest() {
    ImageRef tagged = new ImageRef("127.0.0.1:5000/acme/train:v1@sha256:" + HEX);
    assertThat(tagged.repository()).contains("127.0.0.1:5000/acme/train");
    assertThat(tagged.pinnedPart()).contains("sha256:" + HEX);
    assertThat(new ImageRef("127.0.0.1:5000/train@sha256:" + HEX).repository()).contains("127.0.0.1:5000/train");
    assertThat(new ImageRef("sha256:" + HEX).repository()).isEmpty();
    assertThat(new ImageRef("sha256:" + HEX).pinnedPart()).isEmpty();
  }
}
