package io.animus.sdk;

import io.animus.datapilot.testing.TestServer;
import java.util.Map;

/**
 * One real DataPilot server ({@link TestServer}: fresh database, temp data dir, port 0) shared by the SDK test
 * classes of this JVM.
 */
final class LiveServer {
  static final String CI_SECRET = "java-sdk-test-secret";
  private static TestServer server;

  private LiveServer() {}

  static synchronized String url() {
    if (server == null) {
      server = TestServer.start(Map.of(
          "ANIMUS_CI_WEBHOOK_SECRET", CI_SECRET,
          // execute_run needs an executor: the local one with a command that exits 0 at once
          "DATAPILOT_EXECUTOR", "local",
          "DATAPILOT_LOCAL_COMMAND", "true"));
      TestServer started = server;
      Runtime.getRuntime().addShutdownHook(new Thread(started::close));
    }
    return server.baseUrl();
  }

  static ExperimentsClient experiments() {
    return ExperimentsClient.builder().gatewayUrl(url()).ciSecret(CI_SECRET).build();
  }

  static DatasetRegistryClient datasets() {
    return DatasetRegistryClient.builder().gatewayUrl(url()).build();
  }

  static String unique(String prefix) {
    return prefix + "-" + Transport.newRequestId().substring(0, 12);
  }
}
