package io.animus.datapilot.readme;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** The server of the README's command 1: {@code datapilot.jar serve} with a fresh data dir. */
final class ReadmeServer implements AutoCloseable {
  private final Process process;
  private final Path log;

  private ReadmeServer(Process process, Path log) {
    this.process = process;
    this.log = log;
  }

  static ReadmeServer start(Path jar, Path workDir, int port, Map<String, String> env) throws Exception {
    Path log = workDir.resolve("server.log");
    ProcessBuilder builder = new ProcessBuilder(List.of(javaBinary(), "-jar", jar.toString(), "serve",
        "--listen", "127.0.0.1:" + port, "--data-dir", workDir.resolve("data").toString()))
        .directory(workDir.toFile()).redirectErrorStream(true).redirectOutput(log.toFile());
    builder.environment().clear();
    builder.environment().putAll(env);
    builder.environment().put("ANIMUS_CI_WEBHOOK_SECRET", "local-ci-secret");
    ReadmeServer server = new ReadmeServer(builder.start(), log);
    server.awaitReady(port);
    return server;
  }

  private static String javaBinary() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }

  private void awaitReady(int port) throws Exception {
    HttpClient client = HttpClient.newHttpClient();
    URI readyz = URI.create("http://127.0.0.1:" + port + "/readyz");
    // a hang guard, not a speed assertion: the first start unpacks PostgreSQL
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IllegalStateException("server exited with " + process.exitValue() + ":\n" + logTail());
      }
      try {
        HttpResponse<String> r = client.send(HttpRequest.newBuilder(readyz).timeout(Duration.ofSeconds(2))
            .build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() == 200 && r.body().contains("\"ready\"")) {
          return;
        }
      } catch (IOException notYet) {
        // not listening yet
      }
      Thread.sleep(250);
    }
    throw new IllegalStateException("server never became ready:\n" + logTail());
  }

  String logTail() {
    return ReadmeTest.tail(log, 40);
  }

  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(60, TimeUnit.SECONDS)) {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly().waitFor();
      }
    } catch (InterruptedException e) {
      process.descendants().forEach(ProcessHandle::destroyForcibly);
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }
}
