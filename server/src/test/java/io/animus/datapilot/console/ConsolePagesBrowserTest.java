package io.animus.datapilot.console;

import static org.assertj.core.api.Assertions.assertThat;

import io.animus.datapilot.common.Hashing;
import io.animus.datapilot.testing.TestClient;
import io.animus.datapilot.testing.TestServer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.Select;

/** Each console page in headless Chromium against a real server seeded through the API. */
@Timeout(300)
class ConsolePagesBrowserTest {
  static final String CI_SECRET = "console-test-ci-secret";
  static final String DIGEST = "sha256:" + "4f2a".repeat(16);
  static TestClient client;
  static String baseUrl;
  static Seed seed;
  static Browser browser;
  static String experimentId;
  static String fastRun;
  static String nanRun;
  static String liveRun;
  static String streamRun;
  static String datasetId;

  static TestServer server;

  @RegisterExtension
  static final ConsoleExtension CONSOLE = ConsoleExtension.withSettings(java.util.Map.of("ANIMUS_CI_WEBHOOK_SECRET",
      CI_SECRET));

  @BeforeAll
  static void seed() {
    server = CONSOLE.server();
    client = CONSOLE.client();
    browser = CONSOLE.browser();
    baseUrl = server.baseUrl();
    seed = new Seed(client);
    experimentId = seed.experiment("vision", "resnet-baseline", "ResNet-50 on the flowers set");
    seed.experiment("vision", "bert-small", "text baseline");
    fastRun = seed.run(experimentId, "succeeded", "{\"lr\":0.1,\"batch\":64}");
    nanRun = seed.run(experimentId, "failed", "{\"lr\":0.01,\"batch\":32}");
    liveRun = seed.run(experimentId, "running", "{\"lr\":0.001,\"batch\":128}");
    seed.metric(fastRun, "loss", 0, 100, step -> Double.toString(2.0 - step * 0.0175));
    seed.metric(fastRun, "accuracy", 0, 100, step -> Double.toString(0.5 + step * 0.004));
    seed.metric(nanRun, "loss", 0, 50, step -> Double.toString(2.0 - step * 0.01));
    seed.metrics(nanRun, 50, "{\"loss\":NaN}");
    seed.metric(liveRun, "loss", 0, 40, step -> Double.toString(1.0 - step * 0.0125));
    String wide = seed.experiment("vision", "resnet-wide", "");
    streamRun = seed.run(wide, "running", "{\"lr\":0.001,\"batch\":128}");
    seed.metric(streamRun, "loss", 0, 40, step -> Double.toString(1.0 - step * 0.0125));
    seed.event(streamRun, "info", "status: training", "{\"status\":\"training\"}");
    seed.event(streamRun, "warn", "learning rate warm-up skipped", "{}");
    seed.artifact(streamRun, "preview", "samples.txt", "daisy,rose,tulip\n");
    datasetId = seed.dataset("vision", "flowers");
    seed.version(datasetId, "flowers-v1.csv", "path,label\na.jpg,daisy\n");
    seed.ciReport(CI_SECRET, DIGEST, "ghcr.io/acme/vision-train", "0123abc", "build-77");
  }

  @AfterEach
  void noScriptErrors() {
    if (browser != null) {
      assertThat(browser.severeLogs()).as("errors in the browser console").isEmpty();
      browser.resize(1280, 800);
    }
  }

  private List<String> column(String tableCss, int index) {
    return browser.findAll(tableCss + " tbody tr").stream()
        .map(tr -> tr.findElements(org.openqa.selenium.By.cssSelector("th, td")).get(index).getText()).toList();
  }

  private List<String> runOrder() {
    return browser.findAll("#runs-table tbody tr").stream().map(tr -> tr.getAttribute("data-run-id")).toList();
  }

  @Test
  void projectsPageListsEachProjectWithItsCounts() {
    browser.load("/");
    assertThat(browser.driver().getTitle()).isEqualTo("Projects · DataPilot");
    List<String> projects = column("#projects-table", 0);
    int row = projects.indexOf("vision");
    assertThat(row).isGreaterThanOrEqualTo(0);
    assertThat(column("#projects-table", 1).get(row)).isEqualTo("3");
    assertThat(column("#projects-table", 2).get(row)).isEqualTo("1");
    assertThat(browser.text("#whoami")).isEqualTo("dev-user (admin)");
    assertThat(browser.text("#time-zone")).isNotBlank();
    browser.screenshot("projects");
  }

  @Test
  void experimentSearchFiltersByPartOfTheName() {
    browser.load("/p/vision/experiments");
    assertThat(column("#experiments-table", 0)).containsExactlyInAnyOrder("resnet-baseline", "resnet-wide", "bert-small");
    int baseline = column("#experiments-table", 0).indexOf("resnet-baseline");
    assertThat(column("#experiments-table", 2).get(baseline)).isEqualTo("3");
    browser.screenshot("experiments");

    browser.find("#experiment-search").sendKeys("RESNET");
    browser.waitUntil("two experiments match", () -> browser.findAll("#experiments-table tbody tr").size() == 2);
    assertThat(column("#experiments-table", 0)).containsExactlyInAnyOrder("resnet-baseline", "resnet-wide");
    assertThat(browser.driver().getCurrentUrl()).endsWith("#/p/vision/experiments?q=RESNET");

    browser.find("#experiment-search").sendKeys("-nothing");
    browser.waitUntil("the empty state explains", () -> browser.findAll("#experiment-results .state.empty").size() == 1);
    assertThat(browser.text("#experiment-results")).contains("No experiment name contains “RESNET-nothing”");
  }

  @Test
  void runsTableSortsOnTheServerFiltersAndComparesSelectedRuns() {
    browser.load("/experiments/" + experimentId);
    assertThat(browser.find("h1").getText()).isEqualTo("resnet-baseline");
    assertThat(runOrder()).containsExactlyInAnyOrder(fastRun, nanRun, liveRun);
    WebElement nanCell = browser.find("tr[data-run-id='" + nanRun + "'] td[data-metric='loss']");
    assertThat(nanCell.getText()).isEqualTo("NaN");
    assertThat(browser.find("tr[data-run-id='" + fastRun + "'] td[data-metric='loss']").getText()).isEqualTo("0.2675");
    assertThat(browser.find("tr[data-run-id='" + liveRun + "'] .badge").getText()).isEqualTo("running");

    browser.find("button[data-order-by='metric:loss']").click();
    browser.waitUntil("sorted by loss, descending", () -> runOrder().equals(List.of(nanRun, liveRun, fastRun)));
    assertThat(browser.find("th[aria-sort='descending']").getText()).startsWith("loss");
    browser.find("button[data-order-by='metric:loss']").click();
    browser.waitUntil("sorted by loss, ascending", () -> runOrder().equals(List.of(fastRun, liveRun, nanRun)));
    assertThat(browser.driver().getCurrentUrl()).contains("order_by=metric%3Aloss").contains("order=asc");
    browser.find("button[data-order-by='param:lr']").click();
    browser.waitUntil("sorted by lr, descending", () -> runOrder().equals(List.of(fastRun, nanRun, liveRun)));
    browser.screenshot("experiment-runs");

    new Select(browser.find("#status-filter")).selectByValue("failed");
    browser.waitUntil("only the failed run", () -> runOrder().equals(List.of(nanRun)));
    new Select(browser.find("#status-filter")).selectByValue("canceled");
    browser.waitUntil("no canceled runs explained", () -> browser.findAll("#run-results .state.empty").size() == 1);
    assertThat(browser.text("#run-results")).contains("No canceled runs in this experiment.");
    new Select(browser.find("#status-filter")).selectByValue("");
    browser.waitUntil("all runs again", () -> runOrder().size() == 3);

    browser.find("tr[data-run-id='" + fastRun + "'] input.select-run").click();
    browser.find("tr[data-run-id='" + nanRun + "'] input.select-run").click();
    assertThat(browser.text("#compare-button")).isEqualTo("Compare selected (2)");
    browser.find("#compare-button").click();
    browser.waitReady();
    assertThat(browser.find("h1").getText()).isEqualTo("Compare 2 runs");
    assertThat(browser.findAll("#compare-table tbody tr")).hasSize(2);
    assertThat(browser.findAll("#compare-charts figure").stream().map(f -> f.getAttribute("data-metric")))
        .containsExactly("accuracy", "loss");
    browser.waitUntil("the loss chart is drawn",
        () -> !browser.findAll("#compare-charts figure[data-metric='loss'] canvas").isEmpty());
    assertThat(browser.text("#compare-charts figure[data-metric='loss'] .legend")).contains("latest NaN");
    browser.screenshot("compare");
  }

  @Test
  void runPageFollowsMetricsEventsAndStatusLive() {
    browser.load("/runs/" + streamRun);
    browser.waitFor(org.openqa.selenium.By.cssSelector("#live-state[data-state='live']"));
    WebElement lossChart = browser.find("figure[data-metric='loss']");
    assertThat(lossChart.getAttribute("data-points")).isEqualTo("40");
    assertThat(lossChart.findElements(org.openqa.selenium.By.tagName("canvas"))).isNotEmpty();
    assertThat(browser.text("#run-status")).contains("running").contains("reported: training");
    assertThat(browser.text("#event-log")).contains("learning rate warm-up skipped").contains("status: training");
    assertThat(browser.text("#artifacts-table")).contains("samples.txt").contains("17 B");
    assertThat(browser.find("#artifacts-table a[download]").getAttribute("href"))
        .endsWith("/api/experiments/experiment-runs/" + streamRun + "/artifacts/"
            + client.get(Seed.RUNS + streamRun + "/artifacts").json().at("/artifacts/0/artifact_id").asText() + "/download");
    Object downloaded = browser.driver().executeAsyncScript("const done = arguments[arguments.length - 1];"
        + "fetch(document.querySelector('#artifacts-table a[download]').href).then(r => r.text()).then(done);");
    assertThat(downloaded).isEqualTo("daisy,rose,tulip\n");
    assertThat(browser.text("#run-params")).contains("lr").contains("0.001").contains("batch").contains("128");
    assertThat(browser.text("#provenance")).contains("0123abc");
    assertThat(browser.find("#cancel-run").isDisplayed()).isTrue();

    String url = browser.driver().getCurrentUrl();
    seed.metrics(streamRun, 40, "{\"loss\":0.4,\"grad_norm\":1.5}");
    browser.waitUntil("the loss chart gets the new point", () -> "41".equals(lossChart.getAttribute("data-points")));
    assertThat(lossChart.findElement(org.openqa.selenium.By.cssSelector("[data-latest]")).getText()).isEqualTo("0.4");
    browser.waitUntil("a chart for the new metric", () -> browser.findAll("figure[data-metric='grad_norm']").size() == 1);

    seed.event(streamRun, "info", "checkpoint saved at epoch 3", "{}");
    browser.waitUntil("the event log follows", () -> browser.text("#event-log").contains("checkpoint saved at epoch 3"));
    seed.event(streamRun, "info", "progress", "{\"progress_step\":49,\"progress_total_steps\":100,\"progress_percent\":0.5}");
    browser.waitUntil("the progress bar appears", () -> browser.findAll("#run-progress progress").size() == 1);
    assertThat(browser.text("#run-progress")).contains("step 49 of 100 (50 %)");
    assertThat(browser.find("#run-progress progress").getAttribute("value")).isEqualTo("0.5");
    browser.screenshot("run");

    seed.status(streamRun, "succeeded");
    browser.waitUntil("the status badge follows", () -> browser.text("#run-status").contains("succeeded"));
    browser.waitUntil("no cancel button for a finished run", () -> !browser.find("#cancel-box").isDisplayed());
    assertThat(browser.text("#states-table")).contains("running").contains("succeeded");
    assertThat(browser.driver().getCurrentUrl()).as("no reload, no navigation").isEqualTo(url);
  }

  @Test
  void datasetVersionIsUploadedFromTheFilePicker() throws Exception {
    browser.load("/p/vision/datasets");
    assertThat(column("#datasets-table", 0)).containsExactly("flowers");
    browser.find("#datasets-table a").click();
    browser.waitReady();
    assertThat(browser.findAll("#versions-table tbody tr")).hasSize(1);

    String content = "path,label\na.jpg,daisy\nb.jpg,rose\n";
    Path file = Files.createTempDirectory("console-upload").resolve("flowers-v2.csv");
    Files.writeString(file, content);
    browser.find("#version-file").sendKeys(file.toAbsolutePath().toString());
    browser.find("#upload-button").click();
    browser.waitUntil("the new version is listed", () -> browser.findAll("#versions-table tbody tr").size() == 2);
    assertThat(browser.text("#upload-status")).contains("Uploaded version 2");
    WebElement newest = browser.find("#versions-table tbody tr.highlight");
    assertThat(newest.getText()).contains("flowers-v2.csv").contains(content.length() + " B");
    String sha = Hashing.sha256Hex(content.getBytes(StandardCharsets.UTF_8));
    assertThat(newest.findElement(org.openqa.selenium.By.cssSelector("code")).getAttribute("title")).isEqualTo(sha);
    var versions = client.get("/api/dataset-registry/datasets/" + datasetId + "/versions").json().get("versions");
    assertThat(versions).hasSize(2);
    assertThat(versions.get(0).get("content_sha256").asText()).isEqualTo(sha);
    browser.screenshot("dataset");

    browser.find("#version-file").sendKeys(file.toAbsolutePath().toString());
    browser.find("#upload-button").click();
    browser.waitUntil("the duplicate is explained", () -> browser.text("#upload-status").contains("already a version"));
    assertThat(client.get("/api/dataset-registry/datasets/" + datasetId + "/versions").json().get("versions")).hasSize(2);
  }

  @Test
  void modelImagesListAndDetail() {
    browser.load("/images");
    assertThat(browser.text("#images-table")).contains("ghcr.io/acme/vision-train").contains("build-77");
    browser.screenshot("model-images");
    browser.find("#images-table tbody a").click();
    browser.waitReady();
    assertThat(browser.text("#image-facts")).contains(DIGEST).contains("0123abc").contains("github_actions");
    assertThat(browser.text("pre.payload")).contains("\"pipeline_id\": \"build-77\"");

    browser.go("/images?repo=nobody%2Felse");
    assertThat(browser.text("#image-list")).contains("No registered image matches these filters.");
  }

  @Test
  void numbersSizesAndDurationsAreFormattedForPeople() {
    browser.load("/");
    Object formatted = browser.driver().executeAsyncScript("const done = arguments[arguments.length - 1];"
        + "import('/console/format.js').then(f => done([f.num('NaN'), f.num(NaN), f.num('Infinity'), f.num('-Infinity'),"
        + " f.num(1234567), f.num(0.000012345), f.num(0.123456789), f.num(2.5e12), f.num(null), f.bytes(1536),"
        + " f.bytes(512), f.duration(3723000), f.duration(4500), f.percent(0.5), f.param({a: 1}), f.param(0.25)]));");
    assertThat(formatted).isEqualTo(List.of("NaN", "NaN", "Infinity", "-Infinity", "1,234,567", "1.2345e-5",
        "0.123457", "2.5000e+12", "—", "1.50 KiB", "512 B", "1 h 02 min", "4.5 s", "50 %", "{\"a\":1}", "0.25"));
  }

  @Test
  void unknownThingsAreExplained() {
    browser.load("/runs/00000000-0000-4000-8000-000000000000");
    assertThat(browser.text("main .state.error")).contains("This page could not be loaded.").contains("HTTP 404")
        .contains("not_found").contains("request id");
    browser.load("/no/such/page");
    assertThat(browser.find("h1").getText()).isEqualTo("Page not found");
  }

  @Test
  void narrowWindowKeepsThePageInsideAndTheKeyboardWorks() {
    browser.resize(420, 800);
    browser.load("/experiments/" + experimentId);
    long overflow = (Long) browser.script(
        "return document.documentElement.scrollWidth - document.documentElement.clientWidth;");
    assertThat(overflow).as("no sideways scrolling of the page; wide tables scroll inside their box").isLessThanOrEqualTo(0);
    browser.screenshot("experiment-runs-narrow");

    String firstFocusable = (String) browser.script("return document.querySelector("
        + "'a[href], button:not([disabled]), input, select, [tabindex]:not([tabindex=\"-1\"])').id;");
    assertThat(firstFocusable).as("the skip link comes first in the tab order").isEqualTo("skip-link");
    browser.script("document.getElementById('skip-link').focus();");
    String url = browser.driver().getCurrentUrl();
    press(Keys.ENTER);
    assertThat(browser.driver().switchTo().activeElement().getAttribute("id")).isEqualTo("main");
    assertThat(browser.driver().getCurrentUrl()).as("the skip link keeps the page").isEqualTo(url);
    WebElement sortButton = browser.find("button[data-order-by='metric:loss']");
    for (int i = 0; i < 30 && !sortButton.equals(browser.driver().switchTo().activeElement()); i++) {
      press(Keys.TAB);
    }
    assertThat(browser.driver().switchTo().activeElement()).as("the loss sort button is reached by Tab")
        .isEqualTo(sortButton);
    press(Keys.ENTER);
    browser.waitUntil("Enter sorts by loss", () -> runOrder().equals(List.of(nanRun, liveRun, fastRun)));
  }

  private static void press(CharSequence key) {
    new org.openqa.selenium.interactions.Actions(browser.driver()).sendKeys(key).perform();
  }

  /**
   * A run page opened while points keep coming draws every one of them (issue 16 item 5): the chart's
   * series comes from the stream, read after the stream subscribed, so no point falls between the
   * series and the live frames (a page that read the series before opening the stream lost the points
   * written in between until a reload).
   */
  @Test
  void aRunPageOpenedDuringWritesShowsEveryPoint() throws Exception {
    String run = seed.run(seed.experiment("scale", "live-writes", ""), "running", "{}");
    seed.metric(run, "loss", 0, 50, step -> Double.toString(1.0 / (step + 1)));
    java.util.concurrent.atomic.AtomicInteger next = new java.util.concurrent.atomic.AtomicInteger(50);
    java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
    java.util.concurrent.atomic.AtomicReference<Throwable> failed = new java.util.concurrent.atomic.AtomicReference<>();
    Thread writer = new Thread(() -> {
      try {
        while (!stop.get()) {
          int step = next.get();
          seed.metrics(run, step, "{\"loss\":" + 1.0 / (step + 1) + "}");
          next.incrementAndGet();
          Thread.sleep(3);
        }
      } catch (Throwable e) {
        failed.set(e);
      }
    }, "console-test-writer");
    writer.start();
    try {
      browser.load("/runs/" + run);
      browser.waitFor(org.openqa.selenium.By.cssSelector("#live-state[data-state='live']"));
      int shownAt = next.get();
      browser.waitUntil("points written after the page went live", () -> next.get() > shownAt + 30);
    } finally {
      stop.set(true);
      writer.join(30_000);
    }
    assertThat(failed.get()).isNull();
    int total = next.get();
    assertThat(client.get(Seed.RUNS + run + "/metrics/series?name=loss&max_points=10000").json()
        .get("total_points").asInt()).isEqualTo(total);
    WebElement chart = browser.find("figure[data-metric='loss']");
    browser.waitUntil("the chart has every point, each once (" + total + ")",
        () -> Integer.toString(total).equals(chart.getAttribute("data-points")));
  }

  @Test
  void aMillionPointMetricStaysResponsive() {
    String run = seed.run(seed.experiment("scale", "million-points", ""), "running", "{\"lr\":0.2}");
    long seeded = System.nanoTime();
    seed.metric(run, "loss", 0, 1_000_000, step -> Double.toString(Math.exp(-step / 250_000.0) + (step % 97) / 1000.0));
    long seedMs = (System.nanoTime() - seeded) / 1_000_000;

    browser.load("/runs/" + run);
    double readyMs = ((Number) browser.script("return window.consoleReadyAt;")).doubleValue();
    // the series comes in the stream's series frame (a streamed response has no resource timing entry)
    double drawnMs = ((Number) browser.script("return performance.getEntriesByName('run-series-drawn')[0].startTime;"))
        .doubleValue();
    WebElement chart = browser.find("figure[data-metric='loss']");
    assertThat(chart.getAttribute("data-points")).isEqualTo("1000000");
    assertThat(chart.getText()).contains("1,000,000 points").contains("buckets");
    // interactive: a click on the page is handled at once
    browser.find("#cancel-run").click();
    assertThat(browser.findAll("#confirm-cancel")).hasSize(1);
    System.out.printf(Locale.ROOT, "CONSOLE-MEASURE 1,000,000-point run page: interactive %.0f ms after navigation "
        + "(series drawn from the stream's series frame at %.0f ms); seeding through metrics:batch took %d ms%n",
        readyMs, drawnMs, seedMs);
    browser.screenshot("run-million-points");
  }
}
