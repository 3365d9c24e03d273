package io.animus.datapilot.console;

import static org.assertj.core.api.Assertions.assertThat;

import io.animus.datapilot.testing.TestClient;
import io.animus.datapilot.testing.TestServer;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.IntStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** An experiment with 10,000 runs: the runs page pages and sorts on the server, so it stays quick. */
@Timeout(600)
class ConsoleScaleBrowserTest {
  static final int RUNS = 10_000;
  static TestServer server;
  static Browser browser;

  @RegisterExtension
  static final ConsoleExtension CONSOLE = ConsoleExtension.withDefaults();

  @BeforeAll
  static void bind() {
    server = CONSOLE.server();
    browser = CONSOLE.browser();
  }

  @Test
  void tenThousandRunsSortByAMetricOnTheServer() throws Exception {
    TestClient client = server.client();
    Seed seed = new Seed(client);
    String experimentId = seed.experiment("default", "sweep", "a large hyper-parameter sweep");
    long seeding = System.nanoTime();
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<?>> work = IntStream.range(0, RUNS).<Future<?>>mapToObj(i -> pool.submit(() -> {
        String runId = seed.run(experimentId, i % 10 == 0 ? "failed" : "succeeded", "{\"lr\":" + (i + 1) * 1e-5 + "}");
        // loss is smallest for run 7777, so sorting ascending must bring it to the top
        seed.metrics(runId, 0, "{\"loss\":" + (i == 7777 ? "0.0001" : Double.toString(1 + (i * 7919 % RUNS) / 1000.0)) + "}");
      })).toList();
      for (Future<?> f : work) {
        f.get();
      }
    } finally {
      pool.shutdown();
    }
    long seedMs = (System.nanoTime() - seeding) / 1_000_000;

    browser.load("/experiments/" + experimentId + "?order_by=metric%3Aloss&order=asc");
    double readyMs = ((Number) browser.script("return window.consoleReadyAt;")).doubleValue();
    assertThat(browser.findAll("#runs-table tbody tr")).hasSize(100);
    assertThat(browser.find("#runs-table tbody tr td[data-metric='loss']").getText()).isEqualTo("0.0001");
    assertThat(browser.text("#runs-table tbody tr")).contains("0.07778"); // lr of run 7777: 7778e-5

    browser.find("#run-results button.secondary").click();
    browser.waitUntil("the next page is appended", () -> browser.findAll("#runs-table tbody tr").size() == 200);
    Object requests = browser.script("return performance.getEntriesByType('resource')"
        + ".filter(e => e.name.includes('/runs?')).map(e => Math.round(e.duration) + ' ms').join(', ');");
    long asked = System.nanoTime();
    var page = client.get("/api/experiments/experiments/" + experimentId
        + "/runs?limit=100&order_by=metric%3Aloss&order=asc&include=latest_metrics");
    long apiMs = (System.nanoTime() - asked) / 1_000_000;
    assertThat(page.json().get("runs")).hasSize(100);
    System.out.printf(Locale.ROOT, "CONSOLE-MEASURE experiment with %,d runs sorted by metric: runs page ready %.0f ms "
        + "after navigation; runs requests (first page, next page) as the browser saw them: %s; the first page again "
        + "from Java %d ms (seeding %,d runs + %,d metric posts took %d ms)%n", RUNS, readyMs, requests, apiMs, RUNS,
        RUNS, seedMs);
    assertThat(browser.severeLogs()).isEmpty();
  }
}
