package io.animus.datapilot.execution;

import static org.assertj.core.api.Assertions.assertThat;

import io.animus.datapilot.config.ExecutorKind;
import org.junit.jupiter.api.Test;

/** The executor kinds by name and what each needs (docs/protocol.md §8.1-§8.4). */
class ExecutorKindTest {
  @Test
  void aKindIsFoundByItsWireNameInAnyCase() {
    assertThat(ExecutorKind.parse("local")).contains(ExecutorKind.LOCAL);
    assertThat(ExecutorKind.parse(" Docker ")).contains(ExecutorKind.DOCKER);
    assertThat(ExecutorKind.parse("KUBERNETES")).contains(ExecutorKind.KUBERNETES);
    assertThat(ExecutorKind.parse("k8s")).isEmpty();
    for (ExecutorKind kind : ExecutorKind.values()) {
      assertThat(ExecutorKind.parse(kind.wire())).contains(kind);
    }
  }

  @Test
  void eachKindHasTheCapabilitiesTheProtocolGivesIt() {
    assertThat(ExecutorKind.LOCAL.needsCommand()).isTrue();
    assertThat(ExecutorKind.LOCAL.inheritsServerEnv()).isTrue();
    assertThat(ExecutorKind.LOCAL.needsPinnedImage()).isFalse();
    assertThat(ExecutorKind.DOCKER.needsCommand()).isFalse();
    assertThat(ExecutorKind.DOCKER.inheritsServerEnv()).isFalse();
    assertThat(ExecutorKind.DOCKER.needsPinnedImage()).isFalse();
    assertThat(ExecutorKind.KUBERNETES.needsPinnedImage()).isTrue();
    assertThat(ExecutorKind.KUBERNETES.needsPublicUrl()).isTrue();
    assertThat(ExecutorKind.KUBERNETES.needsCommand()).isFalse();
  }

  @Test
  void onlyAKindThatInheritsTheServersEnvironmentPassesAnyOfIt() {
    var server = java.util.Map.of("PATH", "/usr/bin", "LC_ALL", "C", "SECRET", "s", "EXTRA", "e");
    assertThat(JobEnvironment.inherited(ExecutorKind.LOCAL, server, java.util.List.of("EXTRA")))
        .containsOnlyKeys("PATH", "LC_ALL", "EXTRA");
    assertThat(JobEnvironment.inherited(ExecutorKind.DOCKER, server, java.util.List.of("EXTRA"))).isEmpty();
    assertThat(JobEnvironment.inherited(ExecutorKind.KUBERNETES, server, java.util.List.of())).isEmpty();
  }
}
