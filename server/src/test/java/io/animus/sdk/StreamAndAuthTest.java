package io.animus.sdk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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
    String exp = client.createExperiment(LiveServer.unique("stream"), "", null).experimentId();
    String run = client.createRun(exp, NewRun.withStatus("running")).runId();
    try (RunTelemetryLogger logger = RunTelemetryLogger.builder().gatewayUrl(LiveServer.url()).runId(run).build()) {
      logger.logEvent("info", "before");
      assertThat(logger.flush(Duration.ofSeconds(30))).isTrue();
      try (RunStream stream = client.streamRun(run, 0L)) {
        CompletableFuture<List<StreamFrame>> frames = CompletableFuture.supplyAsync(() -> {
          List<StreamFrame> seen = new ArrayList<>();
          boolean after = false;
          boolean metrics = false;
          while (!(after && metrics) && stream.hasNext()) {
            StreamFrame f = stream.next();
            seen.add(f);
            after |= f instanceof StreamFrame.Event e && "after".equals(e.event().message());
            metrics |= f instanceof StreamFrame.Metrics;
          }
          return seen;
        });
        Thread.sleep(200);
        logger.logEvent("warn", "after");
        logger.logMetric(7, "loss", Double.NaN);
        List<StreamFrame> seen = frames.get(60, TimeUnit.SECONDS);
        assertThat(seen.get(0)).isInstanceOfSatisfying(StreamFrame.Ready.class, r -> {
          assertThat(r.runId()).isEqualTo(run);
          assertThat(r.serverTs()).isPositive();
        });
        assertThat(seen.get(1)).isInstanceOfSatisfying(StreamFrame.Status.class,
            s -> assertThat(s.state().status()).isEqualTo("running"));
        List<RunEvent> events = seen.stream().filter(f -> f instanceof StreamFrame.Event)
            .map(f -> ((StreamFrame.Event) f).event()).toList();
        assertThat(events).extracting(RunEvent::message).containsExactly("before", "after");
        assertThat(events).extracting(RunEvent::level).containsExactly("info", "warn");
        assertThat(events.get(1).eventId()).isGreaterThan(events.get(0).eventId());
        assertThat(events.get(1).runId()).isEqualTo(run);
        // non-finite values arrive as "NaN"/"Infinity" strings on the wire and are read back as doubles
        List<MetricPoint> pushed = seen.stream().filter(f -> f instanceof StreamFrame.Metrics)
            .flatMap(f -> ((StreamFrame.Metrics) f).samples().stream()).toList();
        assertThat(pushed).hasSize(1);
        assertThat(pushed.get(0).name()).isEqualTo("loss");
        assertThat(pushed.get(0).step()).isEqualTo(7);
        assertThat(pushed.get(0).value()).isNaN();
      }
    }
    assertThatThrownBy(() -> client.streamRun("00000000-0000-4000-8000-000000000000", null))
        .isInstanceOfSatisfying(AnimusApiException.class, e -> assertThat(e.status()).isEqualTo(404));
  }

  @Test
  void projectsAndCiContextsAreListed() {
    String exp = client.createExperiment(LiveServer.unique("proj"), "", null).experimentId();
    String run = client.createRun(exp, NewRun.withStatus("running")).runId();
    CiContext posted = client.postCiWebhook(Map.of("run_id", run, "provider", "gitlab_ci", "context",
        Map.of("job", "j")));
    List<CiContext> contexts = client.listCiContexts(run, 10).items();
    assertThat(contexts).hasSize(1);
    assertThat(contexts.get(0).provider()).isEqualTo("gitlab_ci");
    assertThat(contexts.get(0).contextId()).isEqualTo(posted.contextId());
    assertThat(contexts.get(0).payloadSha256()).isEqualTo(posted.payloadSha256()).matches("[0-9a-f]{64}");
    assertThat(contexts.get(0).receivedBy()).isEqualTo("ci");
    assertThat(contexts.get(0).payload()).containsEntry("context", Map.of("job", "j"));
    List<Project> projects = client.listProjects();
    assertThat(projects).extracting(Project::projectId).contains("default");
    Project def = projects.stream().filter(p -> p.projectId().equals("default")).findFirst().orElseThrow();
    assertThat(def.experimentCount()).isPositive();
  }

  @Test
  void apiTokensAreCreatedUsedAndRevoked() {
    WhoAmI me = client.whoAmI();
    assertThat(me.subject()).isEqualTo("dev-user");
    assertThat(me.role()).isEqualTo("admin");
    assertThat(me.auth()).isEqualTo("dev");
    assertThat(me.runId()).isNull();
    Instant expires = Instant.now().plusSeconds(3600).truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
    String name = LiveServer.unique("ci-bot");
    CreatedApiToken created = client.createApiToken(name, "editor", expires);
    String secret = created.secret();
    assertThat(secret).startsWith("dp_").hasSize(46);
    assertThat(created.toString()).doesNotContain(secret);
    String id = created.token().tokenId();
    assertThat(created.token().role()).isEqualTo("editor");
    assertThat(created.token().name()).isEqualTo(name);
    assertThat(created.token().expiresAt()).isEqualTo(expires);
    assertThat(secret).startsWith(created.token().tokenPrefix());
    assertThat(client.listApiTokens(500).items()).extracting(ApiToken::tokenId).contains(id);
    client.deleteApiToken(id);
    assertThat(client.listApiTokens(500).items()).extracting(ApiToken::tokenId).doesNotContain(id);
    assertThatThrownBy(() -> client.createApiToken("x", "root", null)).isInstanceOfSatisfying(
        AnimusApiException.class, e -> assertThat(e.code()).isEqualTo("invalid_role"));
  }
}
