package io.animus.datapilot.console;

import static org.assertj.core.api.Assertions.assertThat;

import io.animus.datapilot.testing.TestClient;
import io.animus.datapilot.testing.TestServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.openqa.selenium.By;

/** Token mode: the console asks for an API token, keeps it in the tab, and asks again after a 401. */
@Timeout(180)
class ConsoleTokenModeBrowserTest {
  static final String ADMIN_TOKEN = "console-admin-token-0123456789";
  static TestServer server;
  static TestClient admin;
  static Browser browser;

  @RegisterExtension
  static final ConsoleExtension CONSOLE = ConsoleExtension.withSettings(Map.of("DATAPILOT_AUTH_MODE", "token",
      "DATAPILOT_ADMIN_TOKEN", ADMIN_TOKEN));

  @BeforeAll
  static void bind() {
    server = CONSOLE.server();
    admin = CONSOLE.client().withToken(ADMIN_TOKEN);
    browser = CONSOLE.browser();
  }

  private static String readQuietly(Path file) {
    try {
      return Files.readString(file);
    } catch (java.io.IOException e) {
      return "";
    }
  }

  @Test
  void signInWithATokenAndBackToThePromptWhenItIsRevoked() {
    new Seed(admin).experiment("secure", "private-experiment", "");
    var created = admin.post("/api/auth/tokens", "{\"name\":\"console viewer\",\"role\":\"viewer\"}").json();
    String token = created.get("token").asText();

    browser.driver().get(server.baseUrl() + "/console/#/p/secure/experiments");
    browser.waitFor(By.id("token-dialog"));
    assertThat(browser.text("#whoami")).isEqualTo("not signed in");
    browser.waitUntil("the page behind the prompt explains", () -> browser.text("main").contains("Sign in to see this."));
    browser.screenshot("token-prompt");

    browser.find("#token-input").sendKeys("dp_not-a-real-token");
    browser.find("#token-submit").click();
    browser.waitUntil("a wrong token is refused", () -> browser.text("#token-error").contains("not accepted"));
    assertThat(browser.find("#token-dialog").isDisplayed()).isTrue();

    browser.find("#token-input").clear();
    browser.find("#token-input").sendKeys(token);
    browser.find("#token-submit").click();
    browser.waitFor(By.id("experiments-table"));
    assertThat(browser.find("#token-dialog").isDisplayed()).isFalse();
    assertThat(browser.text("#whoami")).isEqualTo("token:" + created.get("token_id").asText() + " (viewer)");
    assertThat(browser.text("#experiments-table")).contains("private-experiment");
    assertThat(browser.driver().getCurrentUrl()).doesNotContain(token);
    assertThat(browser.script("return sessionStorage.getItem('datapilot.apiToken');")).isEqualTo(token);
    assertThat(browser.script("return localStorage.length;")).isEqualTo(0L);

    // downloads need the bearer header too: the console fetches them and hands the bytes over
    Seed seed = new Seed(admin);
    String datasetId = seed.dataset("secure", "labels");
    seed.version(datasetId, "labels.csv", "id,label\n1,cat\n");
    browser.go("/datasets/" + datasetId);
    browser.find("#versions-table a[download]").click();
    Path saved = browser.downloads().resolve("labels.csv");
    browser.waitUntil("the download is saved", () -> Files.exists(saved) && readQuietly(saved).equals("id,label\n1,cat\n"));

    var revoked = admin.delete("/api/auth/tokens/" + created.get("token_id").asText());
    assertThat(revoked.status()).isEqualTo(204);
    browser.script("location.hash = '#/';");
    browser.waitUntil("the prompt comes back", () -> browser.find("#token-dialog").isDisplayed());
    assertThat(browser.text("#token-error")).contains("not accepted");
    assertThat(browser.script("return sessionStorage.getItem('datapilot.apiToken');")).isNull();
    assertThat(browser.severeLogs()).isEmpty();
  }
}
