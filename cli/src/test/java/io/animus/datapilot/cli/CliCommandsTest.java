package io.animus.datapilot.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.animus.datapilot.testing.TestServer;
import io.animus.sdk.CiSignature;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** Every client command against a real server: tables, --json, and exit codes 0 / 1 / 2 / 3. */
class CliCommandsTest {
  static TestServer server;
  static Cli cli;

  @BeforeAll
  static void start() {
    server = TestServer.start(Map.of("ANIMUS_CI_WEBHOOK_SECRET", Cli.CI_SECRET));
    cli = new Cli(server.baseUrl());
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  @TempDir
  Path dir;

  @Test
  void experimentsCreateListShowAsTablesAndJson() {
    String name = Cli.unique("baseline");
    Cli.Result created = cli.run("experiments", "create", name, "--description", "first try", "--metadata", "{\"team\":\"ml\"}");
    assertThat(created.exit()).as(created.toString()).isZero();
    assertThat(created.out()).containsPattern("Experiment id:\\s+[0-9a-f-]{36}").contains("Name:").contains(name)
        .contains("team=ml");

    Cli.Result json = cli.run("experiments", "show", name, "--json");
    assertThat(json.exit()).isZero();
    String id = json.json().path("experiment_id").asText();
    assertThat(json.json().path("description").asText()).isEqualTo("first try");
    assertThat(cli.run("experiments", "show", id, "--json").json().path("name").asText()).isEqualTo(name);

    Cli.Result table = cli.run("experiments", "list");
    assertThat(table.exit()).isZero();
    String[] lines = table.out().split("\n");
    assertThat(lines[0]).startsWith("EXPERIMENT ID").contains("NAME").contains("RUNS");
    assertThat(table.out()).containsPattern(id + "\\s+" + name + "\\s+0\\s+");
    // columns are aligned: every row's NAME starts where the header's does
    int nameColumn = lines[0].indexOf("NAME");
    for (String line : lines) {
      assertThat(line.length()).isGreaterThan(nameColumn);
    }
    assertThat(lines[1].charAt(nameColumn - 1)).isEqualTo(' ');
    assertThat(cli.run("--json", "experiments", "list", "--name", name).json().path("experiments")).hasSize(1);
    // a page that is not the last says so on standard error, never in the table
    cli.run("experiments", "create", name + "-second");
    Cli.Result first = cli.run("experiments", "list", "--limit", "1");
    assertThat(first.exit()).isZero();
    assertThat(first.out().split("\n")).hasSize(2);
    assertThat(first.err()).contains("More experiments exist than shown here; raise --limit to see more.");
    assertThat(cli.run("experiments", "list", "--limit", "1000").err()).doesNotContain("More experiments");

    Cli.Result dup = cli.run("experiments", "create", name);
    assertThat(dup.exit()).isEqualTo(1);
    assertThat(dup.out()).isEmpty();
    assertThat(dup.err()).contains("experiment_name_exists").contains("HTTP 409").containsPattern("request id [0-9a-f]{32}");
    Cli.Result dupJson = cli.run("experiments", "create", name, "--json");
    assertThat(dupJson.exit()).isEqualTo(1);
    assertThat(dupJson.err()).contains("\"error\":\"experiment_name_exists\"").contains("\"request_id\"");

    Cli.Result missing = cli.run("experiments", "show", "no-such-experiment");
    assertThat(missing.exit()).isEqualTo(1);
    assertThat(missing.err()).contains("not_found").contains("no experiment named no-such-experiment");
  }

  @Test
  void projectsListInTheNamedProject() {
    String project = Cli.unique("vision");
    assertThat(cli.run("datasets", "create", Cli.unique("imgs"), "--project", project).exit()).isZero();
    Cli.Result table = cli.run("projects", "list");
    assertThat(table.exit()).isZero();
    assertThat(table.out()).startsWith("PROJECT").containsPattern(project + "\\s+0\\s+1\\s+");
    JsonNode json = cli.run("projects", "list", "--json").json();
    List<String> ids = new ArrayList<>();
    json.path("projects").forEach(p -> ids.add(p.path("project_id").asText()));
    assertThat(ids).contains(project);
    assertThat(cli.run("datasets", "list", "--project", project, "--json").json().path("datasets")).hasSize(1);
  }

  @Test
  void tokensCreateListRevoke() {
    Cli.Result created = cli.run("tokens", "create", "ci-bot", "--role", "editor", "--expires-in", "30d");
    assertThat(created.exit()).as(created.toString()).isZero();
    assertThat(created.out()).containsPattern("Token:\\s+dp_[A-Za-z0-9_-]{43}").contains("Role:").contains("editor");
    assertThat(created.err()).contains("not shown again");

    JsonNode json = cli.run("tokens", "create", "ci-bot-2", "--json").json();
    String tokenId = json.path("token_id").asText();
    assertThat(json.path("role").asText()).isEqualTo("viewer");
    assertThat(json.path("token").asText()).startsWith("dp_");

    Cli.Result list = cli.run("tokens", "list");
    assertThat(list.out()).startsWith("TOKEN ID").containsPattern(tokenId + "\\s+ci-bot-2\\s+viewer\\s+dp_");
    assertThat(list.out()).doesNotContain(json.path("token").asText());

    Cli.Result revoked = cli.run("tokens", "revoke", tokenId);
    assertThat(revoked.exit()).isZero();
    assertThat(revoked.out()).contains("Revoked token " + tokenId);
    assertThat(cli.run("tokens", "list", "--json").out()).doesNotContain(tokenId);
    assertThat(cli.run("tokens", "revoke", tokenId).exit()).isEqualTo(1);
    assertThat(cli.run("tokens", "create", "x", "--expires-in", "soon").exit()).isEqualTo(2);
  }

  @Test
  void datasetsCreateListVersionsPushDuplicate() throws Exception {
    String name = Cli.unique("fraud");
    Cli.Result created = cli.run("datasets", "create", name, "--description", "card transactions");
    assertThat(created.exit()).isZero();
    assertThat(created.out()).contains("Dataset id:").contains(name);
    Path csv = dir.resolve("train.csv");
    Files.writeString(csv, "a,b\n1,2\n");

    Cli.Result pushed = cli.run("datasets", "push", name, csv.toString(), "--metadata", "{\"rows\":1}");
    assertThat(pushed.exit()).as(pushed.toString()).isZero();
    assertThat(pushed.out()).contains("Pushed train.csv as version 1").contains("(8 B, sha256 ");
    assertThat(pushed.err()).doesNotContain("[");   // no progress bar when not on a terminal

    Cli.Result list = cli.run("datasets", "list");
    assertThat(list.out()).startsWith("DATASET ID").contains(name).contains("card transactions");
    Cli.Result versions = cli.run("datasets", "versions", name);
    assertThat(versions.out()).startsWith("VERSION ID").containsPattern("\\s1\\s+8 B\\s+[0-9a-f]{12}\\s+train.csv\\s");
    JsonNode v = cli.run("datasets", "versions", name, "--json").json().path("versions").get(0);
    assertThat(v.path("metadata").path("rows").asInt()).isEqualTo(1);
    assertThat(v.path("metadata").path("content_type").asText()).isEqualTo("text/csv");

    Cli.Result dup = cli.run("datasets", "push", name, csv.toString());
    assertThat(dup.exit()).isEqualTo(1);
    assertThat(dup.err()).contains("duplicate_content").contains("HTTP 409");
    assertThat(cli.run("datasets", "push", name, dir.resolve("absent.csv").toString()).exit()).isEqualTo(2);
    assertThat(cli.run("datasets", "push", "no-such-dataset", csv.toString()).exit()).isEqualTo(1);
    assertThat(cli.run("datasets", "versions", name, "--json").json().path("versions")).hasSize(1);
  }

  @Test
  void runsListShowStatusCancelAndArtifacts() throws Exception {
    String exp = cli.run("experiments", "create", Cli.unique("runs"), "--json").json().path("experiment_id").asText();
    String runId = server.client().post("/api/experiments/experiments/" + exp + "/runs",
        "{\"status\":\"running\",\"params\":{\"lr\":0.01}}").json().path("run_id").asText();
    server.client().post("/api/experiments/experiment-runs/" + runId + "/metrics",
        "{\"step\":2,\"metrics\":{\"loss\":0.25}}");

    Cli.Result list = cli.run("runs", "list", "--experiment", exp);
    assertThat(list.exit()).as(list.toString()).isZero();
    assertThat(list.out()).startsWith("RUN ID").containsPattern(runId + "\\s+[a-z]+-[a-z]+-\\d+\\s+running\\s+.*lr=0.01\\s+loss=0.25");
    assertThat(cli.run("runs", "list", "--json").json().path("runs").findValuesAsText("run_id")).contains(runId);
    assertThat(cli.run("runs", "list", "--order-by", "nonsense:lr").exit()).isEqualTo(1);

    Cli.Result show = cli.run("runs", "show", runId);
    assertThat(show.out()).containsPattern("Status:\\s+running").containsPattern("Params:\\s+lr=0.01")
        .containsPattern("Metrics:\\s+loss=0.25");
    assertThat(cli.run("runs", "show", runId, "--json").json().path("params").path("lr").asDouble()).isEqualTo(0.01);

    Path model = dir.resolve("model.onnx");
    Files.write(model, new byte[] {1, 2, 3, 4, 5});
    Cli.Result put = cli.run("artifacts", "put", runId, model.toString(), "--kind", "model", "--metadata", "{\"format\":\"onnx\"}");
    assertThat(put.exit()).as(put.toString()).isZero();
    assertThat(put.out()).contains("Uploaded model.onnx as model artifact").contains("(5 B");
    Cli.Result artifacts = cli.run("artifacts", "list", runId);
    assertThat(artifacts.out()).startsWith("ARTIFACT ID").containsPattern("\\s+model\\s+model.onnx\\s+5 B\\s");
    String artifactId = cli.run("artifacts", "list", runId, "--json").json().path("artifacts").get(0).path("artifact_id").asText();
    Path got = dir.resolve("got.onnx");
    Cli.Result get = cli.run("artifacts", "get", runId, artifactId, "-o", got.toString(), "--json");
    assertThat(get.exit()).as(get.toString()).isZero();
    assertThat(Files.readAllBytes(got)).containsExactly(1, 2, 3, 4, 5);
    assertThat(get.json().path("verified").asBoolean()).isTrue();
    assertThat(get.json().path("size_bytes").asLong()).isEqualTo(5);
    assertThat(cli.run("artifacts", "put", runId, model.toString(), "--kind", "weights").exit()).isEqualTo(2);

    Cli.Result status = cli.run("runs", "status", runId);
    assertThat(status.out()).startsWith("Status: running").contains("STATUS").containsPattern("\nrunning\\s+20");
    Cli.Result moved = cli.run("runs", "status", runId, "--set", "succeeded", "--message", "done");
    assertThat(moved.out()).contains("is succeeded");
    JsonNode history = cli.run("runs", "status", runId, "--json").json();
    assertThat(history.path("status").asText()).isEqualTo("succeeded");
    assertThat(history.path("states").findValuesAsText("status")).containsExactly("running", "succeeded");
    Cli.Result cancel = cli.run("runs", "cancel", runId);
    assertThat(cancel.exit()).isEqualTo(1);
    assertThat(cancel.err()).contains("invalid_status_transition");

    String other = server.client().post("/api/experiments/experiments/" + exp + "/runs", "{\"status\":\"running\"}")
        .json().path("run_id").asText();
    assertThat(cli.run("runs", "cancel", other).out()).contains("Run " + other + " is canceled");
    assertThat(cli.run("runs", "cancel", other, "--json").json().path("status").asText()).isEqualTo("canceled");
  }

  @Test
  void ciSignOutputIsAcceptedWhenReplayedWithThoseHeaders() throws Exception {
    String exp = cli.run("experiments", "create", Cli.unique("ci"), "--json").json().path("experiment_id").asText();
    String runId = server.client().post("/api/experiments/experiments/" + exp + "/runs", "{\"status\":\"running\"}")
        .json().path("run_id").asText();
    // deliberately not canonical (spaces, key order): the signature covers the bytes as given
    String body = "{ \"run_id\": \"" + runId + "\", \"provider\": \"gitlab\", \"sha\": \"abc\" }";

    Cli.Result signed = cli.run("ci", "sign", "--data", body);
    assertThat(signed.exit()).as(signed.toString()).isZero();
    List<String[]> headers = new ArrayList<>();
    for (String line : signed.out().strip().split("\n")) {
      headers.add(line.split(": ", 2));
    }
    assertThat(headers).hasSize(2);
    assertThat(headers.get(0)[0]).isEqualTo("X-Animus-CI-Ts");
    assertThat(headers.get(1)[0]).isEqualTo("X-Animus-CI-Sig");
    assertThat(replay("/ci/webhook", body, headers).statusCode()).isEqualTo(201);
    HttpResponse<String> tampered = replay("/ci/webhook", body.replace("abc", "abd"), headers);
    assertThat(tampered.statusCode()).isEqualTo(401);
    assertThat(tampered.body()).contains("ci_signature_invalid");

    Path file = dir.resolve("payload.json");
    Files.writeString(file, body);
    JsonNode json = cli.run("ci", "sign", "--file", file.toString(), "--timestamp", "1734200000", "--json").json();
    assertThat(json.path("headers").path("X-Animus-CI-Ts").asText()).isEqualTo("1734200000");
    assertThat(json.path("signature").asText()).isEqualTo(CiSignature.compute(Cli.CI_SECRET, "1734200000", "POST",
        body.getBytes(StandardCharsets.UTF_8)));
    // the SDK's published test vector
    Cli.Result vector = new Cli(server.baseUrl()).run("ci", "sign", "--timestamp", "1734200000", "--data",
        "{\"context\":{\"sha\":\"abc\"},\"provider\":\"github_actions\",\"run_id\":\"run-123\"}", "--json");
    assertThat(vector.json().path("body_sha256").asText())
        .isEqualTo("a8f3d68ef23f5d0a89e3571f6ea6cfd0f4b953e2332a2c26e09587186a4b9ce8");

    assertThat(cli.run("ci", "sign").exit()).isEqualTo(2);
    Cli.Result noSecret = new Cli(server.baseUrl()).without("ANIMUS_CI_WEBHOOK_SECRET").run("ci", "sign", "--data", "{}");
    assertThat(noSecret.exit()).isEqualTo(2);
    assertThat(noSecret.err()).contains("ANIMUS_CI_WEBHOOK_SECRET");
  }

  private HttpResponse<String> replay(String path, String body, List<String[]> headers) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(server.baseUrl() + "/api/experiments" + path))
        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body));
    headers.forEach(h -> b.header(h[0], h[1]));
    return HttpClient.newHttpClient().send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void ciReportWebhookAndImages() {
    String digest = "sha256:" + "b".repeat(56) + Long.toHexString(Instant.now().toEpochMilli() | (1L << 31)).substring(0, 8);
    String report = "{\"image_digest\":\"" + digest + "\",\"repo\":\"ghcr.io/acme/train\",\"commit_sha\":\"deadbeef\","
        + "\"pipeline_id\":\"build-1\",\"provider\":\"github_actions\"}";
    Cli.Result created = cli.run("ci", "report", "--data", report);
    assertThat(created.exit()).as(created.toString()).isZero();
    assertThat(created.out()).contains("Image " + digest + ": created");
    assertThat(cli.run("ci", "report", "--data", report, "--json").json().path("status").asText()).isEqualTo("duplicate");
    Cli.Result conflict = cli.run("ci", "report", "--data", report.replace("deadbeef", "cafebabe"));
    assertThat(conflict.exit()).isEqualTo(1);
    assertThat(conflict.err()).contains("model_image_conflict");

    Cli.Result images = cli.run("images", "list", "--repo", "ghcr.io/acme/train");
    assertThat(images.out()).startsWith("DIGEST").containsPattern(digest + "\\s+ghcr.io/acme/train\\s+deadbeef\\s+build-1");
    Cli.Result show = cli.run("images", "show", digest);
    assertThat(show.out()).containsPattern("Pipeline:\\s+build-1").contains("Payload:");
    assertThat(cli.run("images", "show", digest, "--json").json().path("payload").path("repo").asText())
        .isEqualTo("ghcr.io/acme/train");
    assertThat(cli.run("images", "show", "sha256:nothex").exit()).isEqualTo(1);

    Cli.Result hook = cli.run("ci", "webhook", "--data", "{\"run_id\":\"" + java.util.UUID.randomUUID() + "\"}");
    assertThat(hook.exit()).isEqualTo(1);
    assertThat(hook.err()).contains("not_found");
    assertThat(cli.run("ci", "report", "--data", "[1,2]").exit()).isEqualTo(2);
    assertThat(cli.run("ci", "report", "--data", "{oops").exit()).isEqualTo(2);
  }

  @Test
  void usageErrorsExitTwoAndChangeNothing() {
    int before = cli.run("experiments", "list", "--json").json().path("experiments").size();
    Cli.Result unknown = cli.run("experiments", "create", "x", "--colour", "red");
    assertThat(unknown.exit()).isEqualTo(2);
    assertThat(unknown.err()).contains("Unknown options: '--colour'").contains("Usage: datapilot experiments create");
    assertThat(cli.run("experiments", "create").exit()).isEqualTo(2);
    Cli.Result badJson = cli.run("experiments", "create", "x", "--metadata", "{not json");
    assertThat(badJson.exit()).isEqualTo(2);
    assertThat(badJson.err()).contains("--metadata is not valid JSON");
    assertThat(cli.run("experiments", "create", "x", "--metadata", "[1]").exit()).isEqualTo(2);
    assertThat(cli.run("nonsense").exit()).isEqualTo(2);
    assertThat(cli.run("datasets", "pull", "v", "--limit-rate", "fast").exit()).isEqualTo(2);
    assertThat(cli.run("experiments", "list", "--json").json().path("experiments").size()).isEqualTo(before);
  }

  @Test
  void unreachableServerExitsThree() {
    Cli.Result r = new Cli("http://127.0.0.1:1").run("experiments", "list");
    assertThat(r.exit()).isEqualTo(3);
    assertThat(r.out()).isEmpty();
    assertThat(r.err()).contains("network error").contains("connection refused");
    assertThat(cli.run("--url", "http://127.0.0.1:1", "datasets", "list", "--json").exit()).isEqualTo(3);
    assertThat(cli.run("runs", "tail", "x", "--url", "http://127.0.0.1:1").exit()).isEqualTo(3);
  }

  @Test
  void everyCommandHasHelpWithAnExampleAndCompletionIsGenerated() {
    List<String[]> paths = new ArrayList<>();
    collect(Main.commandLine(new Terminal(System.out, System.err, Map.of(), false)), new ArrayList<>(), paths);
    assertThat(paths).hasSizeGreaterThan(30);
    for (String[] path : paths) {
      String[] args = java.util.Arrays.copyOf(path, path.length + 1);
      args[path.length] = "--help";
      Cli.Result help = cli.run(args);
      assertThat(help.exit()).as(String.join(" ", args)).isZero();
      assertThat(help.out()).as(String.join(" ", args)).contains("Usage: datapilot");
      if (path.length > 0 && !"serve".equals(path[0]) && !"completion".equals(path[0])) {
        assertThat(help.out()).as(String.join(" ", args)).contains("Example");
      }
    }
    Cli.Result completion = cli.run("completion");
    assertThat(completion.exit()).isZero();
    assertThat(completion.out()).contains("complete -F").contains("datasets").contains("tail");
    assertThat(cli.run("--version").out()).startsWith("datapilot ");
  }

  private static void collect(CommandLine cmd, List<String> prefix, List<String[]> out) {
    out.add(prefix.toArray(String[]::new));
    cmd.getSubcommands().forEach((name, sub) -> {
      List<String> next = new ArrayList<>(prefix);
      next.add(name);
      collect(sub, next, out);
    });
  }
}
