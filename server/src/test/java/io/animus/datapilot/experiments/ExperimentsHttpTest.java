package io.animus.datapilot.experiments;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.animus.datapilot.kernel.Json;
import io.animus.datapilot.testing.TestClient;
import io.animus.datapilot.testing.ServerExtension;
import io.animus.datapilot.testing.TestServer;
import io.animus.sdk.Experiment;
import io.animus.sdk.ExperimentsClient;
import io.animus.sdk.NewRun;
import io.animus.sdk.Page;
import io.animus.sdk.Run;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** docs/protocol.md §1.2, §1.6, §1.7, §1.9 and §3.1 over real HTTP. */
class ExperimentsHttpTest {
  private static final String EXPERIMENTS = "/api/experiments/experiments";
  static TestServer server;
  static TestClient client;

  @RegisterExtension
  static final ServerExtension SERVER = ServerExtension.started(s -> {
    server = s;
    client = s.client();
  });

  // ---- create and read -------------------------------------------------------------------------

  @Test
  void createExperimentAnswers201WithItsFields() {
    var r = client.post(EXPERIMENTS,
        "{\"description\":\" Baseline training run \",\"metadata\":{\"team\":\"ml\"},\"name\":\" baseline-create \"}");
    assertThat(r.status()).isEqualTo(201);
    JsonNode body = r.json();
    String id = body.get("experiment_id").asText();
    assertThat(id).matches("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}");
    assertThat(r.header("Location")).isEqualTo("/api/experiments/experiments/" + id);
    assertThat(r.header("Content-Type")).startsWith("application/json");
    assertThat(body.get("project_id").asText()).isEqualTo("default");
    assertThat(body.get("name").asText()).isEqualTo("baseline-create");
    assertThat(body.get("description").asText()).isEqualTo("Baseline training run");
    assertThat(body.get("metadata").toString()).isEqualTo("{\"team\":\"ml\"}");
    assertThat(body.get("created_by").asText()).isEqualTo("dev-user");
    assertThat(body.get("created_at").asText()).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d(\\.\\d{1,6})?Z");
    assertThat(fieldNames(body)).containsExactly("experiment_id", "project_id", "name", "description", "metadata",
        "created_at", "created_by");
    var fetched = client.get("/api/experiments/experiments/" + id);
    assertThat(fetched.status()).isEqualTo(200);
    assertThat(fetched.json()).isEqualTo(body);
  }

  @Test
  void emptyDescriptionIsOmittedAndMissingMetadataIsAnEmptyObject() {
    var r = client.post(EXPERIMENTS, "{\"description\":\"   \",\"name\":\"no-description\"}");
    assertThat(r.status()).isEqualTo(201);
    assertThat(r.json().has("description")).isFalse();
    assertThat(r.json().get("metadata").toString()).isEqualTo("{}");
  }

  @Test
  void duplicateNameAnswers409WithTheExistingId() {
    String first = create(null, "duplicate-name").experimentId();
    var again = client.post(EXPERIMENTS, "{\"name\":\"  duplicate-name \",\"description\":\"other\"}");
    assertThat(again.status()).isEqualTo(409);
    assertThat(again.error()).isEqualTo("experiment_name_exists");
    assertThat(again.json().at("/details/experiment_id").asText()).isEqualTo(first);
    assertThat(again.json().get("message").asText()).contains("duplicate-name");
    assertThat(again.json().get("request_id").asText()).isEqualTo(again.header("X-Request-Id"));
  }

  @Test
  void unknownIdAnswers404NotFound() {
    var r = client.get(EXPERIMENTS + "/" + UUID.randomUUID());
    assertThat(r.status()).isEqualTo(404);
    assertThat(r.error()).isEqualTo("not_found");
  }

  @Test
  void malformedIdAnswers404NotFoundNever400() {
    String upper = create(null, "upper-case-id").experimentId().toUpperCase();
    for (String id : List.of("not-a-uuid", "12345", upper, "0b6f3c1e-0000-4000-8000-00000000000")) {
      var r = client.get(EXPERIMENTS + "/" + id);
      assertThat(r.status()).as(id).isEqualTo(404);
      assertThat(r.error()).as(id).isEqualTo("not_found");
    }
  }

  // ---- validation ------------------------------------------------------------------------------

  @Test
  void missingOrBlankNameAnswers400NameRequired() {
    for (String body : List.of("{}", "{\"name\":\"   \"}", "{\"name\":null,\"description\":\"d\"}")) {
      var r = client.post(EXPERIMENTS, body);
      assertThat(r.status()).as(body).isEqualTo(400);
      assertThat(r.error()).as(body).isEqualTo("name_required");
    }
  }

  @Test
  void nameOf256CharactersAnswers400InvalidNameAnd255IsAccepted() {
    var tooLong = client.post(EXPERIMENTS, "{\"name\":\"" + "n".repeat(256) + "\"}");
    assertThat(tooLong.status()).isEqualTo(400);
    assertThat(tooLong.error()).isEqualTo("invalid_name");

    var longest = client.post(EXPERIMENTS, "{\"name\":\"  " + "m".repeat(255) + "  \"}");
    assertThat(longest.status()).isEqualTo(201);
    assertThat(longest.json().get("name").asText()).isEqualTo("m".repeat(255));
  }

  @Test
  void metadataThatIsNotAnObjectAnswers400InvalidMetadata() {
    for (String metadata : List.of("[1,2]", "\"team\"", "42", "true")) {
      var r = client.post(EXPERIMENTS, "{\"name\":\"bad-metadata\",\"metadata\":" + metadata + "}");
      assertThat(r.status()).as(metadata).isEqualTo(400);
      assertThat(r.error()).as(metadata).isEqualTo("invalid_metadata");
    }
  }

  @Test
  void unknownFieldAnswers400InvalidJsonNamingTheField() {
    var r = client.post(EXPERIMENTS, "{\"name\":\"unknown-field\",\"colour\":\"red\"}");
    assertThat(r.status()).isEqualTo(400);
    assertThat(r.error()).isEqualTo("invalid_json");
    assertThat(r.json().get("message").asText()).contains("colour");
  }

  @Test
  void fieldOfTheWrongTypeAnswers400InvalidJsonNamingTheField() {
    var r = client.post(EXPERIMENTS, "{\"name\":\"wrong-type\",\"description\":42}");
    assertThat(r.status()).isEqualTo(400);
    assertThat(r.error()).isEqualTo("invalid_json");
    assertThat(r.json().get("message").asText()).contains("description");
  }

  @Test
  void trailingDataOrInvalidJsonAnswers400InvalidJson() {
    List<String> bodies = List.of("{\"name\":\"trailing\"} {}", "{\"name\":\"trailing\"}x", "{\"name\":",
        "not json", "", "[]", "\"just a string\"", "{\"name\":\"a\",}");
    for (String body : bodies) {
      var r = client.post(EXPERIMENTS, body);
      assertThat(r.status()).as(body).isEqualTo(400);
      assertThat(r.error()).as(body).isEqualTo("invalid_json");
    }
    assertThat(list(null, "").findValuesAsText("name")).doesNotContain("trailing");
  }

  // ---- redaction -------------------------------------------------------------------------------

  @Test
  void secretLookingMetadataKeysAreRedactedAtAnyDepthAndLookalikesAreKept() {
    String metadata = """
        {"db_password":"hunter2","githubToken":"ghp_x","AWS_SECRET_ACCESS_KEY":"aws","api-key":"k1",\
        "privateKey":{"pem":"-----BEGIN"},"max_tokens":512,"tokenizer":"bpe","keyword":"kw","passkey":"pk",\
        "nested":{"db_password":"p","items":[{"githubToken":"t","keyword":"k"}],"deeper":{"privateKey":[1,2]}}}""";
    var r = client.post(EXPERIMENTS, "{\"name\":\"redaction\",\"metadata\":" + metadata + "}");
    assertThat(r.status()).isEqualTo(201);
    String expected = """
        {"db_password":"[REDACTED]","githubToken":"[REDACTED]","AWS_SECRET_ACCESS_KEY":"[REDACTED]",\
        "api-key":"[REDACTED]","privateKey":"[REDACTED]","max_tokens":512,"tokenizer":"bpe","keyword":"kw",\
        "passkey":"pk","nested":{"db_password":"[REDACTED]","items":[{"githubToken":"[REDACTED]","keyword":"k"}],\
        "deeper":{"privateKey":"[REDACTED]"}}}""";
    assertThat(r.json().get("metadata").toString()).isEqualTo(expected);
    var stored = client.get(r.header("Location"));
    assertThat(stored.json().get("metadata").toString()).isEqualTo(expected);
  }

  // ---- projects --------------------------------------------------------------------------------

  @Test
  void sameNameIsAllowedInAnotherProject() {
    String project = uniqueProject();
    String inDefault = create(null, "shared-name").experimentId();
    Experiment other = create(project, "shared-name");
    assertThat(other.projectId()).isEqualTo(project);
    assertThat(other.experimentId()).isNotEqualTo(inDefault);
  }

  @Test
  void projectCanBeNamedByQueryParameter() {
    String project = uniqueProject();
    var r = client.post(EXPERIMENTS + "?project_id=" + project, "{\"name\":\"by-query\"}");
    assertThat(r.status()).isEqualTo(201);
    assertThat(r.json().get("project_id").asText()).isEqualTo(project);
    assertThat(list(null, "?project_id=" + project).findValuesAsText("name")).containsExactly("by-query");
  }

  @Test
  void projectHeaderWinsOverQueryParameter() {
    String header = uniqueProject();
    String query = uniqueProject();
    var r = client.post(EXPERIMENTS + "?project_id=" + query, "{\"name\":\"header-wins\"}",
        Map.of("X-Project-Id", header));
    assertThat(r.status()).isEqualTo(201);
    assertThat(r.json().get("project_id").asText()).isEqualTo(header);
    assertThat(names(header, null)).containsExactly("header-wins");
    assertThat(list(null, "?project_id=" + query).get("experiments")).isEmpty();
  }

  @Test
  void malformedProjectIdAnswers400InvalidProjectId() {
    List<String> bad = List.of("bad project", "-leading-dash", ".dot", "x".repeat(65), "a/b", "", "caf\u00e9");
    for (String project : bad) {
      var r = client.send("GET", EXPERIMENTS, null, Map.of("X-Project-Id", project));
      assertThat(r.status()).as(project).isEqualTo(400);
      assertThat(r.error()).as(project).isEqualTo("invalid_project_id");
    }
    var byQuery = client.post(EXPERIMENTS + "?project_id=-x", "{\"name\":\"bad-project\"}");
    assertThat(byQuery.status()).isEqualTo(400);
    assertThat(byQuery.error()).isEqualTo("invalid_project_id");

    String longest = "P" + "a1._-".repeat(12) + "xyz";
    assertThat(longest).hasSize(64);
    var ok = client.post(EXPERIMENTS, "{\"name\":\"longest-project\"}", Map.of("X-Project-Id", longest));
    assertThat(ok.status()).isEqualTo(201);
    assertThat(ok.json().get("project_id").asText()).isEqualTo(longest);
  }

  @Test
  void experimentOfAnotherProjectIs404WhenTheRequestNamesAProjectButFoundWithoutOne() {
    String projectA = uniqueProject();
    String projectB = uniqueProject();
    String path = EXPERIMENTS + "/" + create(projectA, "scoped").experimentId();

    var namedB = client.send("GET", path, null, Map.of("X-Project-Id", projectB));
    assertThat(namedB.status()).isEqualTo(404);
    assertThat(namedB.error()).isEqualTo("not_found");
    var namedBByQuery = client.get(path + "?project_id=" + projectB);
    assertThat(namedBByQuery.status()).isEqualTo(404);
    assertThat(namedBByQuery.error()).isEqualTo("not_found");
    var namedDefault = client.send("GET", path, null, Map.of("X-Project-Id", "default"));
    assertThat(namedDefault.status()).isEqualTo(404);

    var unnamed = client.get(path);
    assertThat(unnamed.status()).isEqualTo(200);
    assertThat(unnamed.json().get("project_id").asText()).isEqualTo(projectA);
    var namedA = client.send("GET", path, null, Map.of("X-Project-Id", projectA));
    assertThat(namedA.status()).isEqualTo(200);
    assertThat(client.get(path + "?project_id=" + projectA).status()).isEqualTo(200);
  }

  @Test
  void projectsListsEveryUsedProjectWithItsCounts() {
    String two = uniqueProject();
    String one = uniqueProject();
    create(two, "first");
    Experiment second = create(two, "second");
    Experiment only = create(one, "only");
    Run run = sdk(two).createRun(second.experimentId(), NewRun.withStatus("running"));
    assertThat(run.status()).isEqualTo("running");

    // raw HTTP: the test checks the wire shape (field names and timestamp text) of GET /projects
    var r = client.get("/api/experiments/projects");
    assertThat(r.status()).isEqualTo(200);
    JsonNode forTwo = project(r.json(), two);
    assertThat(forTwo.get("experiment_count").asLong()).isEqualTo(2);
    assertThat(forTwo.get("dataset_count").asLong()).isZero();
    assertThat(forTwo.get("last_activity_at").asText()).isEqualTo(run.raw().get("started_at"));
    JsonNode forOne = project(r.json(), one);
    assertThat(forOne.get("experiment_count").asLong()).isEqualTo(1);
    assertThat(forOne.get("dataset_count").asLong()).isZero();
    assertThat(forOne.get("last_activity_at").asText()).isEqualTo(only.raw().get("created_at"));
    assertThat(fieldNames(forOne)).containsExactly("project_id", "experiment_count", "dataset_count",
        "last_activity_at");
    assertThat(r.json().get("projects").findValuesAsText("project_id")).contains("default")
        .doesNotHaveDuplicates();
  }

  // ---- lists -----------------------------------------------------------------------------------

  @Test
  void walkingAllPagesWithLimit2ReturnsEveryExperimentOnceNewestFirst() {
    String project = uniqueProject();
    List<String> created = new ArrayList<>();
    for (int i = 0; i < 7; i++) {
      created.add(create(project, "walk-" + i).experimentId());
    }
    List<String> seen = new ArrayList<>();
    String token = null;
    int pages = 0;
    do {
      Page<Experiment> page = sdk(project).listExperiments(2, null, token);
      assertThat(page.items().size()).isLessThanOrEqualTo(2);
      page.items().forEach(e -> seen.add(e.experimentId()));
      token = page.nextPageToken();
      pages++;
    } while (token != null && pages < 10);
    assertThat(pages).isEqualTo(4);
    java.util.Collections.reverse(created);
    assertThat(seen).containsExactlyElementsOf(created);
  }

  @Test
  void lastPageHasNoNextPageToken() {
    String project = uniqueProject();
    create(project, "a");
    create(project, "b");
    JsonNode exact = list(project, "?limit=2");
    assertThat(exact.get("experiments")).hasSize(2);
    assertThat(exact.has("next_page_token")).isFalse();
  }

  @Test
  void nameFilterIsExactAndQIsACaseInsensitiveSubstring() {
    String project = uniqueProject();
    create(project, "ResNet-50 baseline");
    create(project, "resnet-101");
    create(project, "bert");
    assertThat(names(project, "resnet-101")).containsExactly("resnet-101");
    assertThat(names(project, "resnet")).isEmpty();
    // the SDK has no q filter: raw HTTP
    assertThat(list(project, "?q=RESNET").findValuesAsText("name"))
        .containsExactly("resnet-101", "ResNet-50 baseline");
    assertThat(list(project, "?q=%20baseline").findValuesAsText("name")).containsExactly("ResNet-50 baseline");
    assertThat(list(project, "?q=gpt").get("experiments")).isEmpty();
  }

  @Test
  void qTreatsLikeWildcardsAsPlainCharacters() {
    String project = uniqueProject();
    create(project, "under_score");
    create(project, "underscore");
    create(project, "100% done");
    assertThat(list(project, "?q=_").findValuesAsText("name")).containsExactly("under_score");
    assertThat(list(project, "?q=%25").findValuesAsText("name")).containsExactly("100% done");
    assertThat(list(project, "?q=r_c").findValuesAsText("name")).isEmpty();
  }

  @Test
  void qFilterPagesAcrossPages() {
    String project = uniqueProject();
    create(project, "match-1");
    create(project, "other");
    create(project, "match-2");
    create(project, "match-3");
    JsonNode first = list(project, "?q=match&limit=2");
    assertThat(first.findValuesAsText("name")).containsExactly("match-3", "match-2");
    JsonNode second = list(project, "?q=match&limit=2&page_token=" + first.get("next_page_token").asText());
    assertThat(second.findValuesAsText("name")).containsExactly("match-1");
    assertThat(second.has("next_page_token")).isFalse();
  }

  @Test
  void pageTokenReusedWithOtherFiltersAnswers400InvalidPageToken() {
    String project = uniqueProject();
    create(project, "token-a1");
    create(project, "token-a2");
    create(project, "token-b1");
    String token = list(project, "?q=token&limit=1").get("next_page_token").asText();

    for (String query : List.of("?q=token-a&limit=1", "?limit=1", "?name=token-a1&limit=1")) {
      var r = client.send("GET", EXPERIMENTS + query + "&page_token=" + token, null, Map.of("X-Project-Id", project));
      assertThat(r.status()).as(query).isEqualTo(400);
      assertThat(r.error()).as(query).isEqualTo("invalid_page_token");
    }
    var otherProject = client.send("GET", EXPERIMENTS + "?q=token&limit=1&page_token=" + token, null,
        Map.of("X-Project-Id", uniqueProject()));
    assertThat(otherProject.status()).isEqualTo(400);
    assertThat(otherProject.error()).isEqualTo("invalid_page_token");

    var same = client.send("GET", EXPERIMENTS + "?q=token&limit=1&page_token=" + token, null,
        Map.of("X-Project-Id", project));
    assertThat(same.status()).isEqualTo(200);
    assertThat(same.json().findValuesAsText("name")).containsExactly("token-a2");
  }

  @Test
  void garbagePageTokenAnswers400InvalidPageToken() {
    String project = uniqueProject();
    create(project, "g1");
    create(project, "g2");
    String real = list(project, "?limit=1").get("next_page_token").asText();
    ObjectNode decoded = (ObjectNode) readJson(Base64.getUrlDecoder().decode(real));
    List<String> garbage = new ArrayList<>(List.of("garbage", "%21%21%21", "e30", base64("[]"), base64("null"),
        real.substring(0, real.length() - 4)));
    ObjectNode badTime = decoded.deepCopy();
    badTime.withArray("k").set(0, Json.mapper().getNodeFactory().textNode("yesterday"));
    garbage.add(base64(badTime.toString()));
    ObjectNode badId = decoded.deepCopy();
    badId.withArray("k").set(1, Json.mapper().getNodeFactory().textNode("not-a-uuid"));
    garbage.add(base64(badId.toString()));
    ObjectNode wrongArity = decoded.deepCopy();
    wrongArity.withArray("k").removeAll();
    garbage.add(base64(wrongArity.toString()));

    for (String token : garbage) {
      var r = client.send("GET", EXPERIMENTS + "?limit=1&page_token=" + token, null, Map.of("X-Project-Id", project));
      assertThat(r.status()).as(token).isEqualTo(400);
      assertThat(r.error()).as(token).isEqualTo("invalid_page_token");
    }
  }

  @Test
  void limitIsParsedLenientlyAndClampedNeverRejected() {
    String project = uniqueProject();
    for (int i = 0; i < 501; i++) {
      create(project, String.format("bulk-%03d", i));
    }
    JsonNode unparsable = list(project, "?limit=abc");
    assertThat(unparsable.get("experiments")).hasSize(100);
    assertThat(unparsable.has("next_page_token")).isTrue();
    assertThat(list(project, "").get("experiments")).hasSize(100);

    JsonNode zero = list(project, "?limit=0");
    assertThat(zero.get("experiments")).hasSize(1);
    assertThat(zero.findValuesAsText("name")).containsExactly("bulk-500");
    assertThat(zero.has("next_page_token")).isTrue();
    assertThat(list(project, "?limit=-5").get("experiments")).hasSize(1);

    JsonNode huge = list(project, "?limit=100000");
    assertThat(huge.get("experiments")).hasSize(500);
    assertThat(huge.has("next_page_token")).isTrue();
    JsonNode rest = list(project, "?limit=100000&page_token=" + huge.get("next_page_token").asText());
    assertThat(rest.findValuesAsText("name")).containsExactly("bulk-000");
    assertThat(rest.has("next_page_token")).isFalse();
    assertThat(list(project, "?limit=99999999999999999999").get("experiments")).hasSize(100);
  }

  @Test
  void listedExperimentsCarryRunCountAndLastRunAt() {
    String project = uniqueProject();
    Experiment withRuns = create(project, "with-runs");
    create(project, "without-runs");
    String runs = EXPERIMENTS + "/" + withRuns.experimentId() + "/runs";
    ExperimentsClient sdk = sdk(project);
    assertThat(sdk.createRun(withRuns.experimentId(), NewRun.withStatus("succeeded")
        .startedAt(Instant.parse("2026-01-05T10:00:00Z"))).status()).isEqualTo("succeeded");
    // raw HTTP: the start time is sent with a +02:00 offset, which the SDK (Instant, UTC) cannot express
    assertThat(client.post(runs, "{\"status\":\"running\",\"started_at\":\"2026-01-06T12:30:00.25+02:00\"}")
        .status()).isEqualTo(201);
    assertThat(sdk.createRun(withRuns.experimentId(), NewRun.withStatus("failed")
        .startedAt(Instant.parse("2026-01-04T00:00:00Z"))).status()).isEqualTo("failed");

    JsonNode listed = list(project, "").get("experiments");
    assertThat(listed).hasSize(2);
    JsonNode without = listed.get(0);
    assertThat(without.get("name").asText()).isEqualTo("without-runs");
    assertThat(without.get("run_count").asLong()).isZero();
    assertThat(without.has("last_run_at")).isFalse();
    JsonNode with = listed.get(1);
    assertThat(with.get("name").asText()).isEqualTo("with-runs");
    assertThat(with.get("run_count").asLong()).isEqualTo(3);
    assertThat(with.get("last_run_at").asText()).isEqualTo("2026-01-06T10:30:00.250Z");
    assertThat(fieldNames(with)).endsWith("created_by", "run_count", "last_run_at");
  }

  @Test
  void listOfAProjectWithoutExperimentsIsEmptyWithoutToken() {
    JsonNode empty = list(uniqueProject(), "");
    assertThat(empty.toString()).isEqualTo("{\"experiments\":[]}");
  }

  // ---- helpers ---------------------------------------------------------------------------------

  /** Creates an experiment through the Java SDK in {@code project} (null: the default project). */
  private static Experiment create(String project, String name) {
    Experiment e = sdk(project).createExperiment(name, null, null);
    assertThat(e.name()).isEqualTo(name);
    assertThat(e.projectId()).isEqualTo(project == null ? "default" : project);
    return e;
  }

  private static final Map<String, ExperimentsClient> SDKS = new ConcurrentHashMap<>();

  /** The SDK client naming {@code project}, or the server's default project for null; one per project. */
  private static ExperimentsClient sdk(String project) {
    return project == null ? server.sdk() : SDKS.computeIfAbsent(server.baseUrl() + " " + project,
        k -> client.sdk(project));
  }

  /** The names the SDK lists in {@code project}, newest first, filtered by exact {@code name} when not null. */
  private static List<String> names(String project, String name) {
    return sdk(project).listExperiments(500, name).items().stream().map(Experiment::name).toList();
  }

  private static JsonNode list(String project, String query) {
    var r = client.send("GET", EXPERIMENTS + query, null,
        project == null ? Map.of() : Map.of("X-Project-Id", project));
    assertThat(r.status()).as(r.text()).isEqualTo(200);
    return r.json();
  }

  private static JsonNode project(JsonNode projects, String id) {
    for (JsonNode p : projects.get("projects")) {
      if (p.get("project_id").asText().equals(id)) {
        return p;
      }
    }
    throw new AssertionError("project " + id + " not listed in " + projects);
  }

  private static List<String> fieldNames(JsonNode node) {
    List<String> names = new ArrayList<>();
    node.fieldNames().forEachRemaining(names::add);
    return names;
  }

  private static final Set<String> USED = new HashSet<>();

  private static synchronized String uniqueProject() {
    String id;
    do {
      id = "p-" + UUID.randomUUID().toString().substring(0, 8);
    } while (!USED.add(id));
    return id;
  }

  private static String base64(String text) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(text.getBytes(StandardCharsets.UTF_8));
  }

  private static JsonNode readJson(byte[] bytes) {
    try {
      return Json.mapper().readTree(bytes);
    } catch (java.io.IOException e) {
      throw new IllegalStateException(e);
    }
  }
}
