package io.animus.datapilot.testing.fuzz;

import static io.animus.datapilot.testing.fuzz.FuzzJson.arr;
import static io.animus.datapilot.testing.fuzz.FuzzJson.obj;
import static io.animus.datapilot.testing.fuzz.FuzzJson.raw;
import static io.animus.datapilot.testing.fuzz.FuzzJson.str;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * A valid request for every route (the live stream left out: it stays open by design), each one
 * answered 2xx as it stands (or 501 for {@code runs:execute} without an executor), built fresh for
 * each use so that names stay unique.
 */
public final class FuzzRoutes {
  /** The ids of what the fuzzer created first; {@code cancelRun} is a run the cancel route may end. */
  public record Ids(String experiment, String run, String cancelRun, String token, String dataset, String version,
                    String artifact, String digest, String ciSecret) {}

  /** A template: whether its unmutated form must be answered 2xx. */
  public record Template(String route, boolean answersOk, Supplier<FuzzRequest> build) {}

  private static int counter;

  private FuzzRoutes() {}

  private static String unique(String prefix) {
    return prefix + "-" + (++counter);
  }

  public static List<Template> all(Ids ids) {
    String run = "/api/experiments/experiment-runs/" + ids.run();
    String version = "/api/dataset-registry/dataset-versions/" + ids.version();
    List<Template> t = new ArrayList<>();
    get(t, "/healthz");
    get(t, "/readyz");
    get(t, "/metrics");
    get(t, "/console/");
    get(t, "/api/auth/tokens", "limit", "10");
    get(t, "/api/auth/me");
    get(t, "/api/experiments/projects");
    get(t, "/api/experiments/experiments", "limit", "10", "name", "fuzz", "q", "fu");
    get(t, "/api/experiments/experiments/" + ids.experiment());
    get(t, "/api/experiments/experiments/" + ids.experiment() + "/runs", "order_by", "param:lr", "order", "asc",
        "status", "running", "limit", "5", "include", "latest_metrics");
    get(t, "/api/experiments/experiment-runs", "active", "true", "status", "running", "limit", "5");
    get(t, run);
    get(t, run + "/states");
    get(t, run + "/metrics", "name", "loss", "limit", "5");
    get(t, run + "/metrics/series", "name", "loss", "max_points", "100");
    get(t, run + "/events", "limit", "5", "before_event_id", "1000000");
    get(t, run + "/ci-contexts", "limit", "5");
    // a run that no executor started has neither: 404 is their valid answer
    t.add(new Template("GET R/execution", false, () -> new FuzzRequest("GET R/execution", "GET", run + "/execution")));
    t.add(new Template("GET R/build-context", false,
        () -> new FuzzRequest("GET R/build-context", "GET", run + "/build-context")));
    get(t, run + "/artifacts", "kind", "file", "limit", "5");
    get(t, run + "/artifacts/" + ids.artifact());
    get(t, run + "/artifacts/" + ids.artifact() + "/download");
    get(t, "/api/experiments/model-images", "repo", "fuzz/repo", "commit_sha", "abc", "limit", "5");
    get(t, "/api/experiments/model-images/" + ids.digest());
    get(t, "/api/dataset-registry/datasets", "limit", "5");
    get(t, "/api/dataset-registry/datasets/" + ids.dataset());
    get(t, "/api/dataset-registry/datasets/" + ids.dataset() + "/versions", "limit", "5");
    get(t, version);
    get(t, version + "/download");
    get(t, version + "/quality-evaluations", "limit", "5");
    json(t, "/api/auth/tokens", () -> obj("name", str(unique("fuzz-token")), "role", str("viewer"),
        "expires_at", str("2099-01-05T10:11:12Z")));
    json(t, "/api/experiments/experiments", () -> obj("name", str(unique("fuzz-experiment")),
        "description", str("d"), "metadata", obj("team", str("fuzz"), "n", raw("1"))));
    json(t, "/api/experiments/experiments/" + ids.experiment() + "/runs", () -> obj("status", str("running"),
        "started_at", str("2026-01-05T10:11:12.5Z"), "git_repo", str("https://example.invalid/r.git"),
        "git_commit", str("abc123"), "params", obj("lr", raw("0.1"), "layers", arr(raw("1"), raw("2"))),
        "metrics", obj("acc", raw("0.5")), "artifacts_prefix", str("fuzz/prefix")));
    json(t, run + "/metrics", () -> obj("step", raw("1"), "metrics", obj("loss", raw("0.5"), "acc", raw("1")),
        "metadata", obj("epoch", raw("1"))));
    json(t, run + "/metrics:batch", () -> obj("points", arr(
        obj("name", str("loss"), "step", raw("1"), "value", raw("0.25"), "timestamp", str("2026-01-05T10:11:12Z")),
        obj("name", str("acc"), "step", raw("2"), "value", raw("1")))));
    json(t, run + "/events", () -> obj("level", str("info"), "message", str("fuzz event"),
        "metadata", obj("k", str("v")), "occurred_at", str("2026-01-05T10:11:12Z")));
    json(t, run + "/events:batch", () -> obj("events", arr(obj("message", str("one"), "level", str("warn")),
        obj("message", str("two"), "client_event_id", str(unique("ce"))))));
    json(t, run + "/status", () -> obj("status", str("running"), "message", str("still going")));
    json(t, run + "/heartbeat", () -> obj());
    json(t, "/api/dataset-registry/datasets", () -> obj("name", str(unique("fuzz-dataset")), "description",
        str("d"), "metadata", obj()));
    json(t, version + "/quality-evaluations", () -> obj("status", str("pass"), "summary", obj("rows", raw("3"))));
    t.add(new Template("POST runs:execute", false, () -> {
      FuzzRequest r = new FuzzRequest("POST runs:execute", "POST", "/api/experiments/experiments/runs:execute");
      r.json = obj("experiment_id", str(ids.experiment()), "dataset_version_id", str(ids.version()),
          "image_ref", str("example.invalid/img@" + ids.digest()), "command", arr(str("python"), str("train.py")));
      return r;
    }));
    t.add(new Template("POST {run_id}:cancel", false, () -> {
      FuzzRequest r = new FuzzRequest("POST {run_id}:cancel", "POST",
          "/api/experiments/experiment-runs/" + ids.cancelRun() + ":cancel");
      r.json = obj();
      return r;
    }));
    t.add(new Template("DELETE /api/auth/tokens/{token_id}", false, () ->
        new FuzzRequest("DELETE /api/auth/tokens/{token_id}", "DELETE", "/api/auth/tokens/" + ids.token())));
    signed(t, "/api/experiments/ci/webhook", ids, () -> obj("build", obj("number", raw("7")),
        "provider", str("github"), "run_id", str(ids.run()), "note", str(unique("webhook"))));
    signed(t, "/api/experiments/ci/report", ids, () -> obj("commit_sha", str("abc"), "image_digest",
        str("sha256:" + String.format("%064x", ++counter)), "pipeline_id", str("p1"), "provider", str("github"),
        "repo", str("fuzz/repo")));
    t.add(new Template("POST " + run + "/artifacts", true, () -> {
      FuzzRequest r = new FuzzRequest("POST R/artifacts", "POST", run + "/artifacts");
      r.parts = new ArrayList<>(List.of(text("kind", "file"), text("name", unique("artifact")),
          text("metadata", "{\"k\":\"v\"}"), file("fuzz.txt", "text/plain", unique("artifact bytes"))));
      return r;
    }));
    t.add(new Template("POST datasets/{id}/versions/upload", true, () -> {
      FuzzRequest r = new FuzzRequest("POST versions/upload", "POST",
          "/api/dataset-registry/datasets/" + ids.dataset() + "/versions/upload");
      r.parts = new ArrayList<>(List.of(text("metadata", "{\"source\":\"fuzz\"}"), text("quality_rule_id", "rule-1"),
          file("data.csv", "text/csv", "a,b\n" + unique("1,2"))));
      return r;
    }));
    return t;
  }

  private static FuzzRequest.Part text(String name, String value) {
    return new FuzzRequest.Part(name, null, null, value.getBytes(StandardCharsets.UTF_8));
  }

  private static FuzzRequest.Part file(String filename, String contentType, String content) {
    return new FuzzRequest.Part("file", filename, contentType, content.getBytes(StandardCharsets.UTF_8));
  }

  private static void get(List<Template> t, String path, String... query) {
    t.add(new Template("GET " + path, true, () -> {
      FuzzRequest r = new FuzzRequest("GET " + path, "GET", path);
      for (int i = 0; i < query.length; i += 2) {
        r.query.put(query[i], query[i + 1]);
      }
      return r;
    }));
  }

  private static void json(List<Template> t, String path, Supplier<FuzzJson.Obj> body) {
    t.add(new Template("POST " + path, true, () -> {
      FuzzRequest r = new FuzzRequest("POST " + path, "POST", path);
      r.json = body.get();
      return r;
    }));
  }

  private static void signed(List<Template> t, String path, Ids ids, Supplier<FuzzJson.Obj> body) {
    t.add(new Template("POST " + path, true, () -> {
      FuzzRequest r = new FuzzRequest("POST " + path, "POST", path);
      r.json = body.get();
      r.ciSecret = ids.ciSecret();
      return r;
    }));
  }
}
