package io.animus.datapilot.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.animus.datapilot.testing.TestServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Run curation from the command line against a real server: search, tags, names, notes, archive and delete. */
class CliCurationTest {
  static TestServer server;
  static Cli cli;

  @TempDir
  Path dir;

  @BeforeAll
  static void start() {
    server = TestServer.start(Map.of());
    cli = new Cli(server.baseUrl());
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  private static String experiment() {
    return cli.run("experiments", "create", Cli.unique("cur"), "--json").json().path("experiment_id").asText();
  }

  /** A run through the SDK (the CLI records runs only by executing them). */
  private static String run(String experimentId, Map<String, ?> params, Map<String, ?> metrics) {
    return server.sdk().createRun(experimentId, io.animus.sdk.NewRun.withStatus("running").params(params)
        .metrics(metrics)).runId();
  }

  private static List<String> ids(Cli.Result r) {
    assertThat(r.exit()).as(r.toString()).isZero();
    return r.json().path("runs").findValuesAsText("run_id");
  }

  @Test
  void listFiltersOrdersAndExplainsABadFilter() {
    String exp = experiment();
    String low = run(exp, Map.of("opt", "sgd"), Map.of("acc", 0.5));
    String mid = run(exp, Map.of("opt", "adam"), Map.of("acc", 0.8));
    String high = run(exp, Map.of("opt", "adam"), Map.of("acc", 0.95));
    assertThat(ids(cli.run("runs", "list", "-e", exp, "--filter", "params.opt = 'adam'", "--order-by", "metrics.acc",
        "--json"))).containsExactly(high, mid);
    assertThat(ids(cli.run("runs", "list", "-e", exp, "--order-by", "metrics.acc", "--asc", "--json")))
        .containsExactly(low, mid, high);
    assertThat(ids(cli.run("runs", "list", "--filter", "experiment_id = '" + exp + "' and metrics.acc < 0.6",
        "--json"))).containsExactly(low);
    assertThat(ids(cli.run("runs", "list", "-e", exp, "--status", "succeeded", "--json"))).isEmpty();

    Cli.Result table = cli.run("runs", "list", "-e", exp, "--order-by", "metrics.acc");
    assertThat(table.out()).startsWith("RUN ID").contains("NAME").containsPattern(high + "\\s+\\S+\\s+running\\s+.*opt=adam\\s+acc=0.95");

    Cli.Result bad = cli.run("runs", "list", "--filter", "metrics.acc >> 1");
    assertThat(bad.exit()).isEqualTo(1);
    assertThat(bad.err()).contains("invalid_filter").contains("HTTP 400");
    Cli.Result badJson = cli.run("runs", "list", "--filter", "metrics.acc >> 1", "--json");
    assertThat(badJson.err()).contains("\"position\"");
  }

  @Test
  void tagRenameNoteAndShow() throws Exception {
    String exp = experiment();
    String runId = run(exp, Map.of("lr", 0.01), Map.of("acc", 0.9));
    // a synchronous metric post: the SDK has no call for it
    server.client().post("/api/experiments/experiment-runs/" + runId + "/metrics", "{\"step\":3,\"metrics\":{\"acc\":0.7,\"loss\":0.25}}");

    Cli.Result tagged = cli.run("runs", "tag", runId, "stage=prod", "owner=ana");
    assertThat(tagged.exit()).as(tagged.toString()).isZero();
    assertThat(tagged.out()).contains("tags: ").contains("stage=prod").contains("owner=ana");
    JsonNode removed = cli.run("runs", "tag", runId, "--remove", "owner", "--json").json();
    assertThat(removed.path("tags").toString()).isEqualTo("{\"stage\":\"prod\"}");
    assertThat(cli.run("runs", "tag", runId).exit()).isEqualTo(2);
    assertThat(cli.run("runs", "tag", runId, "novalue").exit()).isEqualTo(2);

    String name = Cli.unique("resnet");
    assertThat(cli.run("runs", "rename", runId, name).out()).contains("(" + name + ") renamed");
    String other = run(exp, Map.of(), Map.of());
    Cli.Result taken = cli.run("runs", "rename", other, name);
    assertThat(taken.exit()).isEqualTo(1);
    assertThat(taken.err()).contains("run_name_exists");

    Path notes = dir.resolve("NOTES.md");
    Files.writeString(notes, "# Best so far\nlr 0.01 beats 0.1\n");
    assertThat(cli.run("runs", "note", runId, "--file", notes.toString()).out()).contains("notes saved");
    assertThat(cli.run("runs", "note", runId).exit()).isEqualTo(2);
    assertThat(cli.run("runs", "note", runId, "--text", "a", "--file", notes.toString()).exit()).isEqualTo(2);

    Cli.Result show = cli.run("runs", "show", runId);
    assertThat(show.out()).containsPattern("Name:\\s+" + name).containsPattern("Tags:\\s+stage=prod")
        .containsPattern("Metrics:\\s+acc=0.9 \\(latest 0.7\\) loss=0.25")
        .contains("Notes:\n  # Best so far\n  lr 0.01 beats 0.1");
    assertThat(cli.run("runs", "note", runId, "--text", "").out()).contains("notes cleared");
    assertThat(cli.run("runs", "show", runId).out()).doesNotContain("Notes:");
  }

  @Test
  void archiveRestoreAndDeleteRunsExperimentsAndDatasets() throws Exception {
    String exp = experiment();
    String runId = run(exp, Map.of(), Map.of());
    Cli.Result archived = cli.run("runs", "archive", runId);
    assertThat(archived.exit()).as(archived.toString()).isZero();
    assertThat(archived.out()).contains("is archived (since ");
    assertThat(ids(cli.run("runs", "list", "-e", exp, "--json"))).doesNotContain(runId);
    assertThat(ids(cli.run("runs", "list", "-e", exp, "--archived", "--json"))).contains(runId);
    assertThat(cli.run("runs", "list", "-e", exp, "--archived").out()).contains("(archived)");
    assertThat(cli.run("runs", "restore", runId).out()).contains("is not archived");
    Cli.Result deleted = cli.run("runs", "delete", runId, "--json");
    assertThat(deleted.json().path("kind").asText()).isEqualTo("run");
    assertThat(deleted.json().path("target_id").asText()).isEqualTo(runId);
    assertThat(cli.run("runs", "show", runId).exit()).isEqualTo(1);

    String name = Cli.unique("exp");
    cli.run("experiments", "create", name);
    assertThat(cli.run("experiments", "archive", name).out()).contains("Experiment " + name + " is archived");
    assertThat(cli.run("experiments", "list", "--json").json().path("experiments").findValuesAsText("name"))
        .doesNotContain(name);
    assertThat(cli.run("experiments", "list", "--archived").out()).contains(name + " (archived)");
    assertThat(cli.run("experiments", "restore", name).out()).contains("is not archived");
    assertThat(cli.run("experiments", "delete", name).out()).startsWith("Deleted experiment " + name + " (deletion ");
    assertThat(cli.run("experiments", "show", name).exit()).isEqualTo(1);

    String dataset = Cli.unique("data");
    cli.run("datasets", "create", dataset);
    Path csv = dir.resolve("d.csv");
    Files.writeString(csv, "x\n1\n");
    String version = cli.run("datasets", "push", dataset, csv.toString(), "--json").json().path("version_id").asText();
    assertThat(cli.run("datasets", "archive", dataset).out()).contains("is archived");
    assertThat(cli.run("datasets", "restore", dataset).out()).contains("is not archived");
    assertThat(cli.run("datasets", "delete", dataset, "--force").exit()).isEqualTo(2);
    Cli.Result versionGone = cli.run("datasets", "delete", dataset, "--dataset-version", version);
    assertThat(versionGone.exit()).as(versionGone.toString()).isZero();
    assertThat(versionGone.out()).startsWith("Deleted version " + version);
    assertThat(cli.run("datasets", "delete", dataset).exit()).isZero();
    assertThat(cli.run("datasets", "versions", dataset).exit()).isEqualTo(1);
  }
}
