package io.animus.sdk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** What the run-curation calls (docs/protocol.md §3.4–§3.6) send and how they read the answers, on a fake gateway. */
class RunCurationWireTest {
  record Seen(String method, String path, Map<String, String> query, String body) {}

  private static final String RUN = "{\"run_id\":\"r1\",\"experiment_id\":\"e1\",\"status\":\"running\","
      + "\"name\":\"brisk-river-7\",\"tags\":{\"stage\":\"prod\"},\"notes\":\"# best\","
      + "\"archived_at\":\"2026-11-02T10:00:00Z\",\"params\":{},\"metrics\":{\"acc\":0.93}}";

  private HttpServer server;
  private final List<Seen> seen = new CopyOnWriteArrayList<>();

  private ExperimentsClient start(Function<Seen, String[]> handler) throws IOException {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext("/", (HttpExchange ex) -> {
      String body = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
      Map<String, String> query = new LinkedHashMap<>();
      String raw = ex.getRequestURI().getRawQuery();
      if (raw != null) {
        for (String pair : raw.split("&")) {
          String[] kv = pair.split("=", 2);
          query.put(kv[0], URLDecoder.decode(kv[1], StandardCharsets.UTF_8));
        }
      }
      Seen s = new Seen(ex.getRequestMethod(), ex.getRequestURI().getRawPath(), query, body);
      seen.add(s);
      String[] answer = handler.apply(s);
      byte[] out = answer[1].getBytes(StandardCharsets.UTF_8);
      ex.getResponseHeaders().add("Content-Type", "application/json");
      ex.sendResponseHeaders(Integer.parseInt(answer[0]), out.length);
      ex.getResponseBody().write(out);
      ex.close();
    });
    server.start();
    return ExperimentsClient.builder().gatewayUrl("http://127.0.0.1:" + server.getAddress().getPort())
        .projectId("team-a").build();
  }

  @AfterEach
  void stop() {
    if (server != null) {
      server.stop(0);
    }
  }

  @Test
  void newRunSendsNameTagsAndNotesOnlyWhenGiven() throws Exception {
    ExperimentsClient client = start(s -> new String[] {"201", RUN});
    client.createRun("e1", NewRun.withStatus("running").name("resnet-a").tags(Map.of("stage", "dev"))
        .notes("first try"));
    client.createRun("e1", NewRun.withStatus("running"));
    assertThat(seen.get(0).body()).isEqualTo("{\"metrics\":{},\"name\":\"resnet-a\",\"notes\":\"first try\","
        + "\"params\":{},\"status\":\"running\",\"tags\":{\"stage\":\"dev\"}}");
    assertThat(seen.get(1).body()).isEqualTo("{\"metrics\":{},\"params\":{},\"status\":\"running\"}");
  }

  @Test
  void updateRunPatchesWithNullsForRemovalsAndReadsTheRun() throws Exception {
    RunsClient runs = start(s -> new String[] {"200", RUN}).runs();
    Run run = runs.updateRun("r1", RunPatch.create().name("best").notes("").tag("stage", "prod").removeTag("debug")
        .metric("acc", 0.93).removeMetric("old"));
    Seen s = seen.get(0);
    assertThat(s.method()).isEqualTo("PATCH");
    assertThat(s.path()).isEqualTo("/api/experiments/experiment-runs/r1");
    assertThat(s.body()).isEqualTo("{\"metrics\":{\"acc\":0.93,\"old\":null},\"name\":\"best\",\"notes\":\"\","
        + "\"tags\":{\"debug\":null,\"stage\":\"prod\"}}");
    assertThat(run.name()).isEqualTo("brisk-river-7");
    assertThat(run.tags()).isEqualTo(Map.of("stage", "prod"));
    assertThat(run.notes()).isEqualTo("# best");
    assertThat(run.archived()).isTrue();
    assertThat(run.archivedAt()).isEqualTo(Instant.parse("2026-11-02T10:00:00Z"));
    assertThat(run.summaryMetric("acc")).hasValue(0.93);
  }

  @Test
  void anEmptyPatchOrNullValuesAreRefusedBeforeSending() throws Exception {
    RunsClient runs = start(s -> new String[] {"200", RUN}).runs();
    assertThatThrownBy(() -> runs.updateRun("r1", RunPatch.create())).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("must change something");
    assertThatThrownBy(() -> RunPatch.create().tag("k", null)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> RunPatch.create().metric(" ", 1)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> runs.addParams("r1", Map.of())).isInstanceOf(IllegalArgumentException.class);
    assertThat(seen).isEmpty();
  }

  @Test
  void addParamsPostsThemAndAConflictKeepsItsCodeAndDetails() throws Exception {
    RunsClient runs = start(s -> s.body().contains("\"lr\"") ? new String[] {"409", "{\"error\":\"param_already_set\","
        + "\"message\":\"param lr is already set\",\"request_id\":\"rq1\",\"details\":{\"key\":\"lr\",\"value\":0.1}}"}
        : new String[] {"200", RUN}).runs();
    runs.addParams("r1", Map.of("epochs", 10));
    assertThat(seen.get(0).method()).isEqualTo("POST");
    assertThat(seen.get(0).path()).isEqualTo("/api/experiments/experiment-runs/r1/params");
    assertThat(seen.get(0).body()).isEqualTo("{\"params\":{\"epochs\":10}}");
    assertThatThrownBy(() -> runs.addParams("r1", Map.of("lr", 0.2))).isInstanceOfSatisfying(AnimusApiException.class,
        e -> {
          assertThat(e.status()).isEqualTo(409);
          assertThat(e.code()).isEqualTo("param_already_set");
          assertThat(e.details()).containsEntry("key", "lr").containsEntry("value", 0.1);
          assertThat(e.requestId()).isEqualTo("rq1");
        });
  }

  @Test
  void searchSendsTheWholeQueryAndStreamsEveryPage() throws Exception {
    RunsClient runs = start(s -> {
      boolean first = !s.body().contains("page_token");
      return new String[] {"200", first ? "{\"runs\":[" + RUN + "],\"next_page_token\":\"t2\"}"
          : "{\"runs\":[{\"run_id\":\"r2\",\"name\":\"b\"}]}"};
    }).runs();
    RunQuery q = RunQuery.where("metrics.acc > 0.9 and tags.stage = 'prod'").experimentIds("e1", "e2")
        .orderBy("metrics.acc").ascending().limit(1).includeLatestMetrics(true).includeArchived(true);
    Page<Run> page = runs.searchRuns(q);
    assertThat(page.items()).extracting(Run::runId).containsExactly("r1");
    assertThat(page.nextPageToken()).isEqualTo("t2");
    Seen s = seen.get(0);
    assertThat(s.method()).isEqualTo("POST");
    assertThat(s.path()).isEqualTo("/api/experiments/experiment-runs:search");
    assertThat(s.body()).isEqualTo("{\"experiment_ids\":[\"e1\",\"e2\"],\"filter\":\"metrics.acc > 0.9 and "
        + "tags.stage = 'prod'\",\"include\":[\"latest_metrics\"],\"include_archived\":true,\"limit\":1,"
        + "\"order\":\"asc\",\"order_by\":\"metrics.acc\"}");
    seen.clear();
    assertThat(runs.searchAll(q)).extracting(Run::runId).containsExactly("r1", "r2");
    assertThat(seen).hasSize(2);
    assertThat(seen.get(1).body()).contains("\"page_token\":\"t2\"");
    // the query itself is unchanged by paging
    assertThat(q.searchBody(null)).doesNotContainKey("page_token");
    seen.clear();
    runs.searchRuns(RunQuery.all());
    assertThat(seen.get(0).body()).isEqualTo("{}");
  }

  @Test
  void listRunsPutsTheFilterInTheQueryString() throws Exception {
    RunsClient runs = start(s -> new String[] {"200", s.query().containsKey("page_token") ? "{\"runs\":[]}"
        : "{\"runs\":[" + RUN + "],\"next_page_token\":\"n\"}"}).runs();
    runs.listRuns("e1", RunQuery.where("params.optimizer = 'adam'").orderBy("params.lr").limit(5));
    assertThat(seen.get(0).method()).isEqualTo("GET");
    assertThat(seen.get(0).path()).isEqualTo("/api/experiments/experiments/e1/runs");
    assertThat(seen.get(0).query()).isEqualTo(Map.of("filter", "params.optimizer = 'adam'", "order_by", "params.lr",
        "limit", "5"));
    runs.listRuns(null, RunQuery.all().includeArchived(true).includeLatestMetrics(true));
    assertThat(seen.get(1).path()).isEqualTo("/api/experiments/experiment-runs");
    assertThat(seen.get(1).query()).isEqualTo(Map.of("include", "latest_metrics", "include_archived", "true"));
    assertThat(runs.listAll("e1", RunQuery.all())).hasSize(1);
    assertThat(seen.get(3).query()).containsEntry("page_token", "n");
    assertThatThrownBy(() -> runs.listRuns("e1", RunQuery.all().experimentIds("e2")))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void archiveRestoreAndDeleteUseTheirRoutes() throws Exception {
    String deletion = "{\"deletion_id\":\"d1\",\"kind\":\"run\",\"target_id\":\"r1\",\"state\":\"pending\"}";
    ExperimentsClient client = start(s -> {
      if (s.method().equals("DELETE")) {
        return new String[] {"202", deletion};
      }
      if (s.path().startsWith("/api/deletions/")) {
        return new String[] {"200", "{\"deletion_id\":\"d1\",\"kind\":\"run\",\"target_id\":\"r1\",\"state\":\"done\","
            + "\"requested_at\":\"2026-11-02T10:00:00Z\",\"done_at\":\"2026-11-02T10:00:01Z\"}"};
      }
      if (s.path().contains("/datasets/")) {
        return new String[] {"200", "{\"dataset_id\":\"ds1\",\"name\":\"d\",\"archived_at\":\"2026-11-02T10:00:00Z\"}"};
      }
      if (s.path().contains("/experiments/experiments/")) {
        return new String[] {"200", "{\"experiment_id\":\"e1\",\"name\":\"x\",\"archived_at\":\"2026-11-02T10:00:00Z\"}"};
      }
      return new String[] {"200", RUN};
    });
    RunsClient runs = client.runs();
    DatasetRegistryClient datasets = DatasetRegistryClient.builder()
        .gatewayUrl("http://127.0.0.1:" + server.getAddress().getPort()).build();
    assertThat(runs.archiveRun("r1").archived()).isTrue();
    runs.restoreRun("r1");
    Deletion d = runs.deleteRun("r1");
    assertThat(d).isEqualTo(new Deletion("d1", "run", "r1", "pending", null, null, d.raw()));
    assertThat(d.done()).isFalse();
    assertThat(runs.archiveExperiment("e1").archivedAt()).isEqualTo(Instant.parse("2026-11-02T10:00:00Z"));
    runs.restoreExperiment("e1");
    runs.deleteExperiment("e1");
    assertThat(datasets.archiveDataset("ds1").archivedAt()).isNotNull();
    datasets.restoreDataset("ds1");
    datasets.deleteDataset("ds1");
    datasets.deleteDatasetVersion("v1", true);
    datasets.deleteDatasetVersion("v2", false);
    Deletion done = runs.getDeletion("d1");
    assertThat(done.done()).isTrue();
    assertThat(done.doneAt()).isEqualTo(Instant.parse("2026-11-02T10:00:01Z"));
    assertThat(datasets.getDeletion("d1")).isEqualTo(done);
    assertThat(runs.setRunStatus("r1", "succeeded").runId()).isEqualTo("r1");
    assertThat(seen).extracting(s -> s.method() + " " + s.path() + (s.query().isEmpty() ? "" : "?" + s.query()))
        .containsExactly("POST /api/experiments/experiment-runs/r1:archive",
            "POST /api/experiments/experiment-runs/r1:restore",
            "DELETE /api/experiments/experiment-runs/r1",
            "POST /api/experiments/experiments/e1:archive",
            "POST /api/experiments/experiments/e1:restore",
            "DELETE /api/experiments/experiments/e1",
            "POST /api/dataset-registry/datasets/ds1:archive",
            "POST /api/dataset-registry/datasets/ds1:restore",
            "DELETE /api/dataset-registry/datasets/ds1",
            "DELETE /api/dataset-registry/dataset-versions/v1?{force=true}",
            "DELETE /api/dataset-registry/dataset-versions/v2?{force=false}",
            "GET /api/deletions/d1",
            "GET /api/deletions/d1",
            "POST /api/experiments/experiment-runs/r1/status");
    assertThat(seen.get(seen.size() - 1).body()).isEqualTo("{\"status\":\"succeeded\"}");
  }
}
