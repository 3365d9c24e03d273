package io.animus.datapilot.console;

import static org.assertj.core.api.Assertions.assertThat;

import io.animus.datapilot.testing.TestServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;

/**
 * The run page's stream survives a server restart: it reconnects with Last-Event-ID, so events
 * written while it was away are shown, and its charts read their series again.
 */
@Timeout(180)
class ConsoleReconnectBrowserTest {
  static TestServer server;
  static Browser browser;

  @RegisterExtension
  static final ConsoleExtension CONSOLE = ConsoleExtension.withSettings(Map.of("DATAPILOT_LISTEN",
      "127.0.0.1:" + freePort()));

  @BeforeAll
  static void bind() {
    server = CONSOLE.server();
    browser = CONSOLE.browser();
  }

  static int freePort() {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Test
  void eventsWrittenWhileTheStreamWasDownAreShownAfterItReconnects() {
    Seed seed = new Seed(server.client());
    String runId = seed.run(seed.experiment("default", "restart-me", ""), "running", "{}");
    seed.metric(runId, "loss", 0, 10, step -> Double.toString(1.0 / (step + 1)));
    seed.event(runId, "info", "before the restart", "{}");
    browser.load("/runs/" + runId);
    browser.waitFor(By.cssSelector("#live-state[data-state='live']"));
    WebElement chart = browser.find("figure[data-metric='loss']");
    assertThat(chart.getAttribute("data-points")).isEqualTo("10");

    server = CONSOLE.restartServer();
    // written at once, while the page is still waiting to reconnect (its first retry comes after 1 s)
    seed = new Seed(server.client());
    seed.event(runId, "warn", "written while the page was away", "{}");
    seed.metrics(runId, 10, "{\"loss\":0.05}");
    browser.waitFor(By.cssSelector("#live-state[data-state='live']"));
    browser.waitUntil("the missed event is shown", () -> browser.text("#event-log").contains("written while the page was away"));
    browser.waitUntil("the chart read its series again", () -> "11".equals(chart.getAttribute("data-points")));
    seed.event(runId, "info", "after the reconnect", "{}");
    browser.waitUntil("live again", () -> browser.text("#event-log").contains("after the reconnect"));
    assertThat(browser.findAll("#event-log li").stream().map(WebElement::getText)
        .filter(t -> t.contains("before the restart")).count()).as("no event shown twice").isEqualTo(1);
  }
}
