package io.animus.sdk;

import io.animus.datapilot.App;
import io.animus.datapilot.config.ConfigLoader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/** One real DataPilot server (embedded PostgreSQL, temp data dir, port 0) shared by the test classes of this JVM. */
final class LiveServer {
  static final String CI_SECRET = "java-sdk-test-secret";
  private static App app;

  private LiveServer() {}

  static synchronized String url() {
    if (app == null) {
      try {
        Path dir = Files.createTempDirectory("animus-sdk-java-test");
        Map<String, String> env = new HashMap<>();
        env.put("DATAPILOT_LISTEN", "127.0.0.1:0");
        env.put("DATAPILOT_DATA_DIR", dir.toString());
        env.put("ANIMUS_CI_WEBHOOK_SECRET", CI_SECRET);
        // execute_run needs an executor: the local one with a command that exits 0 at once
        env.put("DATAPILOT_EXECUTOR", "local");
        env.put("DATAPILOT_LOCAL_COMMAND", "true");
        app = App.start(new ConfigLoader(env, Map.of()).load());
        App started = app;
        Runtime.getRuntime().addShutdownHook(new Thread(started::close));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return "http://127.0.0.1:" + app.port();
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
