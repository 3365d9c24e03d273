package io.animus.datapilot;

import io.animus.datapilot.config.Config;
import io.animus.datapilot.config.ConfigException;
import io.animus.datapilot.config.ConfigLoader;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code datapilot serve [flags]}: flags override the matching {@code DATAPILOT_*} variables. */
@Command(name = "datapilot", mixinStandardHelpOptions = true, subcommands = {Main.Serve.class},
    description = "Animus DataPilot: the control plane for ML training.")
public final class Main {

  public static void main(String[] args) {
    System.exit(new CommandLine(new Main()).execute(args));
  }

  @Command(name = "serve", mixinStandardHelpOptions = true, description = "Start the DataPilot server.")
  public static final class Serve implements Callable<Integer> {
    @Option(names = "--listen", description = "HOST:PORT (DATAPILOT_LISTEN, default 127.0.0.1:8080)")
    String listen;
    @Option(names = "--data-dir", description = "data directory (DATAPILOT_DATA_DIR, default ./data)")
    String dataDir;
    @Option(names = "--public-url", description = "base URL given to jobs (DATAPILOT_PUBLIC_URL)")
    String publicUrl;
    @Option(names = "--auth-mode", description = "dev or token (DATAPILOT_AUTH_MODE)")
    String authMode;
    @Option(names = "--database-url", description = "external PostgreSQL JDBC URL (DATAPILOT_DATABASE_URL)")
    String databaseUrl;

    @Override
    public Integer call() throws InterruptedException {
      Map<String, String> flags = new HashMap<>();
      put(flags, "DATAPILOT_LISTEN", listen);
      put(flags, "DATAPILOT_DATA_DIR", dataDir);
      put(flags, "DATAPILOT_PUBLIC_URL", publicUrl);
      put(flags, "DATAPILOT_AUTH_MODE", authMode);
      put(flags, "DATAPILOT_DATABASE_URL", databaseUrl);
      App app;
      try {
        Config config = new ConfigLoader(System.getenv(), flags).load();
        app = App.start(config);
      } catch (ConfigException e) {
        System.err.println("datapilot: " + e.getMessage());
        return 2;
      }
      CountDownLatch stopped = new CountDownLatch(1);
      Runtime.getRuntime().addShutdownHook(new Thread(() -> {
        app.close();
        // Flush the asynchronous log appender only after the last shutdown line was logged.
        if (org.slf4j.LoggerFactory.getILoggerFactory() instanceof ch.qos.logback.classic.LoggerContext logs) {
          logs.stop();
        }
        stopped.countDown();
      }, "datapilot-shutdown"));
      stopped.await();
      return 0;
    }

    private static void put(Map<String, String> flags, String name, String value) {
      if (value != null) {
        flags.put(name, value);
      }
    }
  }
}
