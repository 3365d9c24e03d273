package io.animus.datapilot.console;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.animus.datapilot.testing.TestClient;
import io.animus.datapilot.testing.TestServer;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.openqa.selenium.By;

/** A training job run by the local executor, followed and canceled from the run page. */
@Timeout(180)
class ConsoleCancelBrowserTest {
  static final String CI_SECRET = "console-cancel-ci-secret";
  static final String DIGEST = "sha256:" + "ab12".repeat(16);
  static TestServer server;
  static TestClient client;
  static Browser browser;

  @RegisterExtension
  static final ConsoleExtension CONSOLE = ConsoleExtension.withSettings(Map.of("DATAPILOT_EXECUTOR", "local",
      "DATAPILOT_EXECUTOR_SYNC_INTERVAL", "1s", "ANIMUS_CI_WEBHOOK_SECRET", CI_SECRET));

  @BeforeAll
  static void bind() {
    server = CONSOLE.server();
    client = CONSOLE.client();
    browser = CONSOLE.browser();
  }

  @Test
  void aRunningLocalJobIsCanceledFromTheRunPage() throws Exception {
    Seed seed = new Seed(client);
    String experimentId = seed.experiment("default", "long-training", "");
    String versionId = seed.version(seed.dataset("default", "train-set"), "train.csv", "x,y\n1,2\n")
        .versionId();
    seed.ciReport(CI_SECRET, DIGEST, "ghcr.io/acme/trainer", "feedbeef", "build-9");
    var executed = client.post("/api/experiments/experiments/runs:execute", "{\"experiment_id\":\"" + experimentId
        + "\",\"dataset_version_id\":\"" + versionId + "\",\"image_ref\":\"ghcr.io/acme/trainer@" + DIGEST
        + "\",\"params\":{\"epochs\":100},\"resources\":{\"cpu\":1},"
        + "\"command\":[\"python3\",\"-c\",\"import time; time.sleep(600)\"]}");
    assertThat(executed.status()).as(executed.text()).isEqualTo(201);
    String runId = executed.json().get("run_id").asText();
    long pid = client.get(Seed.RUNS + runId + "/execution").json().get("process_id").asLong();
    assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive)).contains(true);

    browser.load("/runs/" + runId);
    assertThat(browser.text("#run-status")).contains("running");
    assertThat(browser.text("#execution")).contains("local").contains("python3 -c import time; time.sleep(600)")
        .contains(Long.toString(pid)).contains("cpu: 1");
    assertThat(browser.text("#ci-report")).contains("ghcr.io/acme/trainer").contains("feedbeef").contains("build-9");
    assertThat(browser.text("#provenance")).contains("version 1").contains("train.csv").contains("feedbeef");
    assertThat(browser.find("#provenance a[href='#/images/" + DIGEST + "']").getText()).startsWith("sha256:ab12");
    browser.waitFor(By.cssSelector("#live-state[data-state='live']"));
    browser.screenshot("run-executed");

    browser.find("#cancel-run").click();
    browser.waitFor(By.id("confirm-cancel")).click();
    browser.waitUntil("the page shows the run canceled", () -> browser.text("#run-status").contains("canceled"));
    assertThat(browser.find("#cancel-box").isDisplayed()).as("no cancel control for a canceled run").isFalse();
    JsonNode run = client.get(Seed.RUNS + runId).json();
    assertThat(run.get("status").asText()).isEqualTo("canceled");
    browser.waitUntil("the job process is stopped", () -> ProcessHandle.of(pid).map(p -> !p.isAlive()).orElse(true));
    browser.waitUntil("the state history shows the cancel", () -> browser.text("#states-table").contains("canceled"));
    browser.waitUntil("the event log shows the cancel", () -> browser.text("#event-log").contains("run canceled"));
    assertThat(browser.severeLogs()).isEmpty();
  }
}
