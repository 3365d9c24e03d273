package io.animus.datapilot.console;

import static org.assertj.core.api.Assertions.assertThat;

import io.animus.datapilot.testing.RawHttp;
import io.animus.datapilot.testing.ServerExtension;
import io.animus.datapilot.testing.TestClient;
import io.animus.datapilot.testing.TestServer;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The console's static files over real HTTP: types, caching, no way out of the two folders. */
class ConsoleResourceHttpTest {
  static TestServer server;
  static TestClient client;

  @RegisterExtension
  static ServerExtension serverExtension = ServerExtension.started(s -> {
    server = s;
    client = s.client();
  });

  @Test
  void rootLeadsToTheConsolePage() {
    var root = client.get("/");
    assertThat(root.status()).isEqualTo(302);
    assertThat(root.header("Location")).isEqualTo("/console/");
    assertThat(client.get("/console").header("Location")).isEqualTo("/console/");

    var page = client.get("/console/");
    assertThat(page.status()).isEqualTo(200);
    assertThat(page.header("Content-Type").replace(" ", "")).isEqualTo("text/html;charset=utf-8");
    assertThat(page.header("Cache-Control")).isEqualTo("no-cache");
    assertThat(page.header("X-Content-Type-Options")).isEqualTo("nosniff");
    assertThat(page.header("Content-Security-Policy")).contains("default-src 'self'").contains("frame-ancestors 'none'");
    assertThat(page.text()).contains("<main id=\"main\"").contains("/console/app.js");
  }

  @Test
  void everyFileThePageNamesIsServedWithItsType() {
    String page = client.get("/console/").text();
    Matcher m = Pattern.compile("(?:src|href)=\"(/[^\"]+)\"").matcher(page);
    int count = 0;
    while (m.find()) {
      String path = m.group(1);
      var r = client.get(path);
      assertThat(r.status()).as(path).isEqualTo(200);
      String expected = path.endsWith(".js") ? "text/javascript;charset=utf-8"
          : path.endsWith(".css") ? "text/css;charset=utf-8" : "image/svg+xml";
      assertThat(r.header("Content-Type").replace(" ", "")).as(path).isEqualTo(expected);
      assertThat(r.bytes().length).as(path).isEqualTo(Integer.parseInt(r.header("Content-Length")));
      count++;
    }
    assertThat(count).as("icon, uPlot's script and style, console style, modules").isGreaterThanOrEqualTo(5);
  }

  @Test
  void everyModuleTheConsoleImportsExists() {
    Pattern importFrom = Pattern.compile("from '\\./([a-z-]+\\.js)'");
    List<String> seen = new java.util.ArrayList<>(List.of("app.js"));
    for (int i = 0; i < seen.size(); i++) {
      var r = client.get("/console/" + seen.get(i));
      assertThat(r.status()).as(seen.get(i)).isEqualTo(200);
      Matcher m = importFrom.matcher(r.text());
      while (m.find()) {
        if (!seen.contains(m.group(1))) {
          seen.add(m.group(1));
        }
      }
    }
    assertThat(seen).contains("api.js", "stream.js", "charts.js", "page-run.js", "page-dataset.js");
  }

  @Test
  void uplotComesFromItsWebjarAndIsCachedForever() {
    var js = client.get("/webjars/uplot/1.6.30/dist/uPlot.iife.min.js");
    assertThat(js.status()).isEqualTo(200);
    assertThat(js.header("Content-Type").replace(" ", "")).isEqualTo("text/javascript;charset=utf-8");
    assertThat(js.header("Cache-Control")).isEqualTo("public, max-age=31536000, immutable");
    assertThat(js.text()).contains("uPlot");
    var css = client.get("/webjars/uplot/1.6.30/dist/uPlot.min.css");
    assertThat(css.header("Content-Type").replace(" ", "")).isEqualTo("text/css;charset=utf-8");
    assertThat(client.get("/webjars/uplot/9.9.9/dist/uPlot.iife.min.js").error()).isEqualTo("route_not_found");
  }

  @Test
  void aMatchingEtagAnswers304AndHeadHasNoBody() {
    var first = client.get("/console/app.js");
    String etag = first.header("ETag");
    assertThat(etag).matches("\"[0-9a-f]{32}\"");
    var again = client.send("GET", "/console/app.js", null, Map.of("If-None-Match", etag));
    assertThat(again.status()).isEqualTo(304);
    assertThat(again.bytes()).isEmpty();
    var head = client.send("HEAD", "/console/app.js", null, Map.of());
    assertThat(head.status()).isEqualTo(200);
    assertThat(head.header("Content-Length")).isEqualTo(Integer.toString(first.bytes().length));
    assertThat(head.bytes()).isEmpty();
  }

  @ParameterizedTest
  @ValueSource(strings = {"/console/missing.js", "/console/logback.xml", "/console/.hidden.js",
      "/console/..%2Flogback.xml", "/console/%2e%2e", "/console/..", "/console/sub/app.js",
      "/console/App.class", "/webjars/uplot/1.6.30/dist/..%2F..%2Fpackage.json", "/webjars/uplot/..%2F/dist/x.js",
      "/console/app.js/"})
  void namesOutsideTheConsoleFilesAreNotFound(String path) {
    var r = new RawHttp(server.baseUrl()).send("GET", path, List.of(), null);
    assertThat(r.status()).as(path).isIn(400, 404);
    assertThat(r.header("Content-Type")).as(path).startsWith("application/json");
    assertThat(r.text()).as(path).doesNotContain("<html").doesNotContain("logback");
  }

  @Test
  void writingToAConsolePathIsNotAllowed() {
    var r = client.post("/console/app.js", "{}");
    assertThat(r.status()).isEqualTo(405);
    assertThat(r.header("Allow")).isEqualTo("GET, HEAD, OPTIONS");
  }
}
