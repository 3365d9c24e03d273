package io.animus.datapilot.console;

import io.animus.datapilot.testing.TestClient;
import io.animus.datapilot.testing.TestServer;
import java.util.Map;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * One real server and one headless Chromium per browser-test class: skipped (with what to install) where
 * Chromium is missing, started before the class's tests, both closed after them.
 */
final class ConsoleExtension implements BeforeAllCallback, AfterAllCallback {
  private final Map<String, String> settings;
  private TestServer server;
  private Browser browser;

  private ConsoleExtension(Map<String, String> settings) {
    this.settings = Map.copyOf(settings);
  }

  static ConsoleExtension withSettings(Map<String, String> settings) {
    return new ConsoleExtension(settings);
  }

  static ConsoleExtension withDefaults() {
    return new ConsoleExtension(Map.of());
  }

  TestServer server() {
    return server;
  }

  TestClient client() {
    return server.client();
  }

  Browser browser() {
    return browser;
  }

  /** Stops the server and starts it again on the same data, settings and address; the browser stays open. */
  TestServer restartServer() {
    server = server.restart(settings);
    return server;
  }

  @Override
  public void beforeAll(ExtensionContext context) {
    Browser.assumeInstalled();
    server = TestServer.start(settings);
    browser = Browser.open(server.baseUrl());
  }

  @Override
  public void afterAll(ExtensionContext context) {
    if (browser != null) {
      browser.close();
    }
    if (server != null) {
      server.close();
    }
  }
}
