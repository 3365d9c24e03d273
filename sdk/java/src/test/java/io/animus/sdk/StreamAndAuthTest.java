package io.animus.sdk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The live stream, projects, CI contexts and API tokens against the real server. */
@Timeout(120)
class StreamAndAuthTest {
  private final ExperimentsClient client = LiveServer.experiments();

  @Test
  void theLiveStreamReplaysAndPushesEvents() throws Exception {
    String exp = client.createExperiment(LiveServer.unique("stream"), "", null).path("experiment_id").asText();
    String run = client.createRun(exp, NewRun.withStatus("running")).path("run_id").asText();
    try (RunTelemetryLogger logger = RunTelemetryLogger.builder().gatewayUrl(LiveServer.url()).runId(run).build()) {
      logger.logEvent("info", "before");
      assertThat(logger.flush(Duration.ofSeconds(30))).isTrue();
      try (RunStream stream = client.streamRun(run, 0L)) {
        CompletableFuture<List<RunStream.Frame>> frames = CompletableFuture.supplyAsync(() -> {
          List<RunStream.Frame> seen = new ArrayList<>();
          while (stream.hasNext()) {
            RunStream.Frame f = stream.next();
            seen.add(f);
            if ("event".equals(f.event()) && "after".equals(f.data().path("message").asText())) {
              break;
            }
          }
          return seen;
        });
        Thread.sleep(200);
        logger.logEvent("warn", "after");
        List<RunStream.Frame> seen = frames.get(60, TimeUnit.SECONDS);
        assertThat(seen.get(0).event()).isEqualTo("ready");
        assertThat(seen.get(0).data().path("run_id").asText()).isEqualTo(run);
        List<String> messages = seen.stream().filter(f -> "event".equals(f.event()))
            .map(f -> f.data().path("message").asText()).toList();
        assertThat(messages).containsExactly("before", "after");
        RunStream.Frame last = seen.get(seen.size() - 1);
        assertThat(last.id()).isEqualTo(last.data().path("event_id").asText());
      }
    }
    assertThatThrownBy(() -> client.streamRun("00000000-0000-4000-8000-000000000000", null))
        .isInstanceOfSatisfying(AnimusApiException.class, e -> assertThat(e.status()).isEqualTo(404));
  }

  @Test
  void projectsAndCiContextsAreListed() {
    String exp = client.createExperiment(LiveServer.unique("proj"), "", null).path("experiment_id").asText();
    String run = client.createRun(exp, NewRun.withStatus("running")).path("run_id").asText();
    client.postCiWebhook(Map.of("run_id", run, "provider", "gitlab_ci", "context", Map.of("job", "j")));
    JsonNode contexts = client.listCiContexts(run, 10).path("contexts");
    assertThat(contexts.size()).isEqualTo(1);
    assertThat(contexts.get(0).path("provider").asText()).isEqualTo("gitlab_ci");
    assertThat(client.listProjects().path("projects").findValuesAsText("project_id")).contains("default");
  }

  @Test
  void apiTokensAreCreatedUsedAndRevoked() {
    JsonNode me = client.whoAmI();
    assertThat(me.path("subject").asText()).isNotBlank();
    assertThat(me.path("auth").asText()).isEqualTo("dev");
    JsonNode created = client.createApiToken(LiveServer.unique("ci-bot"), "editor", Instant.now().plusSeconds(3600));
    String secret = created.path("token").asText();
    assertThat(secret).startsWith("dp_");
    String id = created.path("token_id").asText();
    assertThat(client.listApiTokens(500).path("tokens").findValuesAsText("token_id")).contains(id);
    assertThat(created.path("role").asText()).isEqualTo("editor");
    assertThat(secret).startsWith(created.path("token_prefix").asText());
    client.deleteApiToken(id);
    assertThat(client.listApiTokens(500).path("tokens").findValuesAsText("token_id")).doesNotContain(id);
    assertThatThrownBy(() -> client.createApiToken("x", "root", null)).isInstanceOfSatisfying(
        AnimusApiException.class, e -> assertThat(e.code()).isEqualTo("invalid_role"));
  }
}
