package io.animus.datapilot.testing;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The real server ({@code Main serve}) in a child JVM on the test class path, for what only a
 * separate process can show: a small heap, or a real SIGKILL ({@link #kill}). Its output is appended
 * to {@code <dir>/server.log}, so the log of every start of the same directory is kept.
 */
public final class ForkedServer implements AutoCloseable {
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private final Process process;
  private final Path log;
  private final int port;

  private ForkedServer(Process process, Path log, int port) {
    this.process = process;
    this.log = log;
    this.port = port;
  }

  /** Starts {@code serve} on a free loopback port with {@code env} added (DATAPILOT_DATA_DIR among them). */
  public static ForkedServer start(Path dir, Map<String, String> env, String... jvmArgs) throws IOException {
    int port = freePort();
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(List.of(jvmArgs));
    command.addAll(List.of("-cp", System.getProperty("java.class.path"), "io.animus.datapilot.Main", "serve"));
    Files.createDirectories(dir);
    Path log = dir.resolve("server.log");
    ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
    pb.environment().put("DATAPILOT_LISTEN", "127.0.0.1:" + port);
    pb.environment().putAll(env);
    return new ForkedServer(pb.start(), log, port);
  }

  public static int freePort() throws IOException {
    try (ServerSocket probe = new ServerSocket(0)) {
      return probe.getLocalPort();
    }
  }

  public String base() {
    return "http://127.0.0.1:" + port;
  }

  public TestClient client() {
    return new TestClient(base());
  }

  public Process process() {
    return process;
  }

  /** Waits for {@code path} (such as /healthz or /readyz) to answer 200; the seconds it took. */
  public double await(String path, Duration timeout) throws InterruptedException {
    long started = System.nanoTime();
    long deadline = started + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new AssertionError("forked server exited with " + process.exitValue() + ": " + log());
      }
      try {
        HttpRequest request = HttpRequest.newBuilder(URI.create(base() + path)).timeout(Duration.ofSeconds(2)).build();
        if (HTTP.send(request, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
          return (System.nanoTime() - started) / 1e9;
        }
      } catch (IOException notYet) {
        // still starting
      }
      Thread.sleep(50);
    }
    throw new AssertionError("forked server did not answer 200 on " + path + " within " + timeout + ": " + log());
  }

  /** SIGKILL (what {@code destroyForcibly} sends on Linux): no shutdown hook, no clean close. */
  public void kill() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor(30, TimeUnit.SECONDS);
  }

  public String log() {
    try {
      return Files.readString(log);
    } catch (IOException e) {
      return "(no log)";
    }
  }

  /** SIGTERM, the server's orderly shutdown; SIGKILL if it has not ended after 30 s. */
  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(30, TimeUnit.SECONDS)) {
        kill();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
    }
  }
}
