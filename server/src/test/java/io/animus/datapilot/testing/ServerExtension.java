package io.animus.datapilot.testing;

import java.util.function.Consumer;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * One real server per test class: started before the class's tests, closed after them. The
 * callback hands the server to the class (usually to set its {@code server} and {@code client}).
 */
public final class ServerExtension implements BeforeAllCallback, AfterAllCallback {
  private final Consumer<TestServer> onStart;
  private TestServer server;

  private ServerExtension(Consumer<TestServer> onStart) {
    this.onStart = onStart;
  }

  public static ServerExtension started(Consumer<TestServer> onStart) {
    return new ServerExtension(onStart);
  }

  @Override
  public void beforeAll(ExtensionContext context) {
    server = TestServer.start();
    onStart.accept(server);
  }

  @Override
  public void afterAll(ExtensionContext context) {
    if (server != null) {
      server.close();
    }
  }
}
