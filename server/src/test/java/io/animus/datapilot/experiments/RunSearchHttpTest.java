package io.animus.datapilot.experiments;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.animus.datapilot.testing.ServerExtension;
import io.animus.datapilot.testing.TestClient;
import io.animus.datapilot.testing.TestServer;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.function.Predicate;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * docs/protocol.md §3.5 over HTTP: seeded random runs (summary metrics incl. NaN-free and missing,
 * telemetry for some, params of several JSON types, tags), and filters whose answer is checked
 * against a plain Java predicate over the same facts.
 */
class RunSearchHttpTest {
  private static final String EXPERIMENTS = "/api/experiments/experiments";
  private static final String RUNS = "/api/experiments/experiment-runs";
  static TestServer server;
  static TestClient client;
  static String experimentId;
  static final List<Facts> RUNS_MADE = new ArrayList<>();

  @RegisterExtension
  static final ServerExtension SERVER = ServerExtension.started(s -> {
    server = s;
    client = s.client();
  });

  /** What the test knows of a run: summary acc (nullable), telemetry acc (nullable), lr, opt, team tag. */
  record Facts(String runId, String name, Double summaryAcc, Double latestAcc, Object lr, String opt, String team,
               String status) {
    Double acc() {
      return summaryAcc != null ? summaryAcc : latestAcc;
    }
  }

  @BeforeAll
  static void seed() {
    var e = client.post(EXPERIMENTS, "{\"name\":\"search-" + UUID.randomUUID() + "\"}");
    experimentId = e.json().get("experiment_id").asText();
    Random random = new Random(17);
    String[] opts = {"adam", "sgd", "Adam", "rmsprop"};
    String[] teams = {"vision", "nlp", "speech's"};
    String[] statuses = {"running", "succeeded", "failed"};
    for (int i = 0; i < 40; i++) {
      Double summary = random.nextInt(3) == 0 ? null : Math.round(random.nextDouble() * 100) / 100.0;
      Double latest = random.nextInt(2) == 0 ? null : Math.round(random.nextDouble() * 100) / 100.0;
      Object lr = switch (random.nextInt(4)) {
        case 0 -> 0.01;
        case 1 -> "0.001";
        case 2 -> 0.1;
        default -> null;
      };
      String opt = random.nextInt(5) == 0 ? null : opts[random.nextInt(opts.length)];
      String team = random.nextInt(4) == 0 ? null : teams[random.nextInt(teams.length)];
      String status = statuses[random.nextInt(statuses.length)];
      StringBuilder params = new StringBuilder("{");
      if (lr != null) {
        params.append("\"lr\":").append(lr instanceof String s ? "\"" + s + "\"" : lr);
      }
      if (opt != null) {
        params.append(lr != null ? "," : "").append("\"opt\":\"").append(opt).append("\"");
      }
      params.append("}");
      String body = "{\"status\":\"" + status + "\",\"name\":\"run-" + i + "\",\"params\":" + params
          + ",\"metrics\":" + (summary == null ? "{}" : "{\"acc\":" + summary + "}")
          + ",\"tags\":" + (team == null ? "{}" : "{\"team\":\"" + team.replace("'", "'") + "\"}") + "}";
      var r = client.post(EXPERIMENTS + "/" + experimentId + "/runs", body);
      assertThat(r.status()).as(r.text()).isEqualTo(201);
      String runId = r.json().get("run_id").asText();
      if (latest != null) {
        var m = client.post(RUNS + "/" + runId + "/metrics", "{\"step\":1,\"metrics\":{\"acc\":" + latest + "}}");
        assertThat(m.status()).as(m.text()).isEqualTo(201);
      }
      RUNS_MADE.add(new Facts(runId, "run-" + i, summary, latest, lr, opt, team, status));
    }
  }

  private static Set<String> search(String filter) {
    Set<String> ids = new HashSet<>();
    String token = null;
    do {
      var r = client.get(EXPERIMENTS + "/" + experimentId + "/runs?limit=7&filter="
          + URLEncoder.encode(filter, StandardCharsets.UTF_8) + (token == null ? "" : "&page_token=" + token));
      assertThat(r.status()).as(filter + " -> " + r.text()).isEqualTo(200);
      r.json().get("runs").forEach(run -> ids.add(run.get("run_id").asText()));
      token = r.json().path("next_page_token").asText(null);
    } while (token != null);
    return ids;
  }

  private static Set<String> expected(Predicate<Facts> p) {
    Set<String> ids = new HashSet<>();
    RUNS_MADE.stream().filter(p).forEach(f -> ids.add(f.runId()));
    return ids;
  }

  private static double lrNumber(Facts f) {
    return f.lr() instanceof Double d ? d : f.lr() instanceof String s ? Double.parseDouble(s) : Double.NaN;
  }

  @Test
  void filtersAgreeWithTheFacts() {
    Map<String, Predicate<Facts>> cases = new java.util.LinkedHashMap<>();
    cases.put("metrics.acc > 0.5", f -> f.acc() != null && f.acc() > 0.5);
    cases.put("not metrics.acc > 0.5", f -> !(f.acc() != null && f.acc() > 0.5));
    cases.put("metrics.acc <= 0.5", f -> f.acc() != null && f.acc() <= 0.5);
    cases.put("metrics.acc is null", f -> f.acc() == null);
    cases.put("metrics.acc is not null and metrics.acc != 0.3", f -> f.acc() != null && f.acc() != 0.3);
    cases.put("metrics.acc > 0.5 or params.opt = 'adam'",
        f -> (f.acc() != null && f.acc() > 0.5) || "adam".equals(f.opt()));
    cases.put("params.lr = 0.001", f -> f.lr() != null && lrNumber(f) == 0.001);
    cases.put("params.lr = '0.01'", f -> f.lr() != null && String.valueOf(f.lr()).equals("0.01"));
    cases.put("params.lr in (0.01, 0.1)", f -> f.lr() != null && (lrNumber(f) == 0.01 || lrNumber(f) == 0.1));
    cases.put("params.opt not in ('adam', 'sgd')", f -> f.opt() != null && !List.of("adam", "sgd").contains(f.opt()));
    cases.put("params.opt ilike 'ADAM'", f -> f.opt() != null && f.opt().equalsIgnoreCase("adam"));
    cases.put("params.opt like 'a%'", f -> f.opt() != null && f.opt().startsWith("a"));
    cases.put("params.opt not like '%a%'", f -> f.opt() != null && !f.opt().contains("a"));
    cases.put("params.opt is null", f -> f.opt() == null);
    cases.put("tags.team = 'speech''s'", f -> "speech's".equals(f.team()));
    cases.put("tags.team < 'o'", f -> f.team() != null && f.team().compareTo("o") < 0);
    cases.put("(status = 'failed' or status = 'succeeded') and not tags.team in ('nlp')",
        f -> !f.status().equals("running") && !"nlp".equals(f.team()));
    cases.put("status in ('running') and (metrics.acc >= 0.2 or tags.team is null)",
        f -> f.status().equals("running") && ((f.acc() != null && f.acc() >= 0.2) || f.team() == null));
    cases.put("name like 'run-1_'", f -> f.name().matches("run-1."));
    cases.put("attributes.name = 'run-3' OR NOT (metrics.acc < 0.9)",
        f -> f.name().equals("run-3") || !(f.acc() != null && f.acc() < 0.9));
    cases.put("started_at > '2000-01-01' and ended_at is null", f -> f.status().equals("running"));
    cases.put("experiment_id = '" + experimentId + "'", f -> true);
    for (Map.Entry<String, Predicate<Facts>> c : cases.entrySet()) {
      assertThat(search(c.getKey())).as(c.getKey()).isEqualTo(expected(c.getValue()));
    }
    assertThat(expected(cases.get("metrics.acc > 0.5"))).as("the seed gives non-trivial sets").isNotEmpty()
        .hasSizeLessThan(RUNS_MADE.size());
  }

  @Test
  void malformedFiltersAre400WithPositionAndExpected() {
    String list = EXPERIMENTS + "/" + experimentId + "/runs?filter=";
    Map<String, Integer> bad = new java.util.LinkedHashMap<>();
    bad.put("metrics.acc >", 13);
    bad.put("metrics.acc > 'high'", 14);
    bad.put("foo.bar = 1", 0);
    bad.put("attributes.nope = 1", 0);
    bad.put("status = 'runing'", 9);
    bad.put("(metrics.acc > 1", 16);
    bad.put("metrics.acc > 1 metrics.acc < 2", 16);
    bad.put("started_at > 'yesterday'", 13);
    bad.put("tags.team = 'unterminated", 12);
    bad.put("name like 'ends\\'", 10);
    bad.put("params.x in (1, 'a')", 9);
    for (Map.Entry<String, Integer> b : bad.entrySet()) {
      var r = client.get(list + URLEncoder.encode(b.getKey(), StandardCharsets.UTF_8));
      assertThat(r.status()).as(b.getKey() + " -> " + r.text()).isEqualTo(400);
      assertThat(r.error()).as(b.getKey()).isEqualTo("invalid_filter");
      JsonNode details = r.json().get("details");
      assertThat(details.get("position").asInt()).as(b.getKey() + " " + r.text()).isEqualTo(b.getValue());
      assertThat(details.get("expected").asText()).as(b.getKey()).isNotBlank();
    }
    var deep = client.post(RUNS + ":search", "{\"filter\":\"" + "(".repeat(150) + "status = 'running'"
        + ")".repeat(150) + "\"}");
    assertThat(deep.status()).as(deep.text()).isEqualTo(400);
    assertThat(deep.error()).isEqualTo("invalid_filter");
    var hostile = client.get(list + URLEncoder.encode("name = '''; DROP TABLE runs; --'", StandardCharsets.UTF_8));
    assertThat(hostile.status()).as(hostile.text()).isEqualTo(200);
    assertThat(hostile.json().get("runs")).isEmpty();
    assertThat(search("name like '%'")).hasSize(RUNS_MADE.size());
  }

  @Test
  void archivedRunsAreHiddenUnlessAskedFor() {
    String runId = RUNS_MADE.get(0).runId();
    assertThat(client.post(RUNS + "/" + runId + ":archive", "").status()).isEqualTo(200);
    try {
      assertThat(search("name = 'run-0'")).isEmpty();
      assertThat(search("archived = true")).containsExactly(runId);
      var r = client.get(EXPERIMENTS + "/" + experimentId + "/runs?include_archived=true&filter=name%20%3D%20'run-0'");
      assertThat(r.json().get("runs")).hasSize(1);
    } finally {
      assertThat(client.post(RUNS + "/" + runId + ":restore", "").status()).isEqualTo(200);
    }
  }
}
