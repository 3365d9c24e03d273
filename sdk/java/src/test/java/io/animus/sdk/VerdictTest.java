package io.animus.sdk;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpHeaders;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** How an answer to a telemetry request is read. */
class VerdictTest {
  private static Transport.Response answer(int status, String body, String... headers) {
    Map<String, List<String>> map = new java.util.HashMap<>();
    for (int i = 0; i < headers.length; i += 2) {
      map.put(headers[i], List.of(headers[i + 1]));
    }
    return new Transport.Response(status, HttpHeaders.of(map, (a, b) -> true),
        body.getBytes(StandardCharsets.UTF_8), "req-1");
  }

  @Test
  void eachAnswerHasItsVerdict() {
    assertThat(Verdict.of(null, 3)).isInstanceOf(Verdict.NoAnswer.class);
    assertThat(Verdict.of(answer(201, "{}"), 3)).isEqualTo(new Verdict.Accepted(201));
    assertThat(Verdict.of(answer(503, "{\"error\":\"unavailable\"}", "Retry-After", "2"), 3))
        .isInstanceOfSatisfying(Verdict.Retry.class, r -> {
          assertThat(r.status()).isEqualTo(503);
          assertThat(r.retryAfterNanos()).isEqualTo(2_000_000_000L);
          assertThat(r.error().code()).isEqualTo("unavailable");
        });
    assertThat(Verdict.of(answer(429, "{}", "Retry-After", "soon"), 3))
        .isInstanceOfSatisfying(Verdict.Retry.class, r -> assertThat(r.retryAfterNanos()).isEqualTo(-1));
    assertThat(Verdict.of(answer(404, "{\"error\":\"route_not_found\"}"), 3))
        .isInstanceOf(Verdict.RouteMissing.class);
    assertThat(Verdict.of(answer(404, "{\"error\":\"not_found\"}"), 3))
        .isInstanceOfSatisfying(Verdict.Rejected.class, r -> assertThat(r.status()).isEqualTo(404));
    assertThat(Verdict.of(answer(400, "{\"error\":\"bad\",\"details\":{\"index\":1}}"), 3))
        .isInstanceOfSatisfying(Verdict.RejectedItem.class, r -> {
          assertThat(r.index()).isEqualTo(1);
          assertThat(r.error().code()).isEqualTo("bad");
        });
    assertThat(Verdict.of(answer(400, "{\"error\":\"bad\",\"details\":{\"index\":3}}"), 3))
        .isInstanceOf(Verdict.Rejected.class);
    assertThat(Verdict.of(answer(400, "{\"error\":\"bad\",\"details\":{\"index\":\"1\"}}"), 3))
        .isInstanceOf(Verdict.Rejected.class);
    assertThat(Verdict.of(answer(403, "not json"), 3))
        .isInstanceOfSatisfying(Verdict.Rejected.class, r -> assertThat(r.error().body()).isEqualTo("not json"));
  }
}
