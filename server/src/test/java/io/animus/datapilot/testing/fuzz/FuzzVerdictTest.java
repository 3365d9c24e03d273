package io.animus.datapilot.testing.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import io.animus.datapilot.testing.RawAnswer;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The fuzzer's own verdicts: which 5xx answers docs/protocol.md prescribes, and which requests
 * carry unstorable text the server actually reads (so that accepting them is a bug).
 */
class FuzzVerdictTest {
  private static final Map<String, String> JSON = Map.of("content-type", "application/json");
  private static final String NOT_READY = "{\"checks\":[{\"name\":\"database\",\"status\":\"fail\",\"duration_ms\":751,"
      + "\"error\":\"database unreachable or too slow\"},{\"name\":\"blob_store\",\"status\":\"ok\",\"duration_ms\":1}],"
      + "\"service\":\"datapilot\",\"status\":\"not_ready\"}";

  private static RawAnswer answer(int status, Map<String, String> headers, String body) {
    return new RawAnswer(status, headers, body.getBytes(StandardCharsets.UTF_8));
  }

  private static FuzzRequest request(String method, String path) {
    return new FuzzRequest(method + " " + path, method, path);
  }

  @Test
  void aNotReadyAnswerOfReadyzWithAFailingCheckIsPrescribed() {
    assertThat(MutationFuzzer.prescribed(request("GET", "/readyz"), answer(503, JSON, NOT_READY))).isTrue();
    // its HEAD: the same status and headers, no body
    assertThat(MutationFuzzer.prescribed(request("HEAD", "/readyz"), answer(503, JSON, ""))).isTrue();
  }

  @Test
  void otherServerErrorsOfReadyzAreProblems() {
    assertThat(MutationFuzzer.prescribed(request("GET", "/readyz"), answer(503, JSON,
        NOT_READY.replace("\"status\":\"fail\"", "\"status\":\"ok\"")))).as("not_ready without a failing check")
        .isFalse();
    assertThat(MutationFuzzer.prescribed(request("GET", "/readyz"), answer(503, JSON,
        NOT_READY.replace("not_ready", "ready")))).as("503 that says ready").isFalse();
    assertThat(MutationFuzzer.prescribed(request("GET", "/readyz"), answer(503, JSON,
        "{\"error\":\"service_unavailable\",\"message\":\"the database is busy; retry shortly\"}")))
        .as("a pool timeout").isFalse();
    assertThat(MutationFuzzer.prescribed(request("GET", "/readyz"), answer(500, JSON, NOT_READY))).isFalse();
    assertThat(MutationFuzzer.prescribed(request("GET", "/readyz"), answer(503, Map.of("content-type",
        "text/html"), NOT_READY))).as("not JSON").isFalse();
    assertThat(MutationFuzzer.prescribed(request("GET", "/readyz"), answer(503, JSON, "not json"))).isFalse();
    assertThat(MutationFuzzer.prescribed(request("POST", "/readyz"), answer(503, JSON, NOT_READY))).isFalse();
    assertThat(MutationFuzzer.prescribed(request("HEAD", "/readyz"), answer(503, JSON, NOT_READY)))
        .as("a HEAD answer with a body").isFalse();
  }

  @Test
  void aNotReadyBodyElsewhereIsAProblem() {
    assertThat(MutationFuzzer.prescribed(request("GET", "/healthz"), answer(503, JSON, NOT_READY))).isFalse();
    assertThat(MutationFuzzer.prescribed(request("GET", "/api/experiments/experiments"), answer(503, JSON,
        NOT_READY))).isFalse();
  }

  @Test
  void executeWithoutAnExecutorIsPrescribedOnlyWithItsCode() {
    FuzzRequest execute = request("POST", "/api/experiments/experiments/runs:execute");
    assertThat(MutationFuzzer.prescribed(execute, answer(501, JSON,
        "{\"error\":\"training_executor_disabled\",\"message\":\"m\",\"request_id\":\"r\"}"))).isTrue();
    assertThat(MutationFuzzer.prescribed(execute, answer(501, JSON,
        "{\"error\":\"internal_error\",\"message\":\"m\",\"request_id\":\"r\"}"))).isFalse();
    assertThat(MutationFuzzer.prescribed(execute, answer(500, JSON,
        "{\"error\":\"training_executor_disabled\"}"))).isFalse();
  }

  private static FuzzRequest unstorable() {
    FuzzRequest r = request("POST", "/api/experiments/experiment-runs/x/heartbeat");
    r.json = FuzzJson.obj("unexpected", FuzzJson.str("a\u0000b"));
    return r;
  }

  @Test
  void unstorableTextTheServerReadsMustBeRefused() {
    assertThat(unstorable().mustBeRefused()).isTrue();
    FuzzRequest sameLength = unstorable();
    sameLength.headers.add(new String[] {"Content-Length", Integer.toString(sameLength.body().length)});
    assertThat(sameLength.mustBeRefused()).isTrue();
    FuzzRequest oneChunk = unstorable();
    oneChunk.headers.add(new String[] {"Transfer-Encoding", "chunked"});
    oneChunk.chunked = 1;
    assertThat(oneChunk.mustBeRefused()).isTrue();
  }

  @Test
  void unstorableTextTheFramingKeepsFromTheServerIsNotJudged() {
    // seen in a soak (seed 8): a heartbeat with Content-Length: 0 read an empty body and was rightly 200
    FuzzRequest empty = unstorable();
    empty.headers.add(new String[] {"Content-Length", "0"});
    assertThat(empty.mustBeRefused()).isFalse();
    FuzzRequest badChunk = unstorable();
    badChunk.headers.add(new String[] {"Transfer-Encoding", "chunked"});
    badChunk.chunked = 2;
    assertThat(badChunk.mustBeRefused()).isFalse();
    FuzzRequest gzip = unstorable();
    gzip.headers.add(new String[] {"Transfer-Encoding", "gzip"});
    assertThat(gzip.mustBeRefused()).isFalse();
  }
}
