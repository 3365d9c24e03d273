package io.animus.datapilot.storage;

import static io.animus.datapilot.storage.CrashLoad.json;
import static io.animus.datapilot.storage.CrashLoad.outcome;
import static io.animus.datapilot.storage.CrashLoad.send;

import com.fasterxml.jackson.databind.JsonNode;
import io.animus.datapilot.kernel.Json;
import io.animus.datapilot.storage.CrashLoad.Outcome;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

/** One run written between two kills, with what each client was told about each item. */
final class CrashRound {
  private static final int BATCH = 50;
  final int index;
  final String experimentId;
  final String runId;
  final String runPath;
  final String base;
  final Map<Integer, Outcome> single = new ConcurrentHashMap<>();
  final Map<Integer, Outcome> batches = new ConcurrentHashMap<>();
  final Map<String, Outcome> events = new ConcurrentHashMap<>();
  final Map<String, Outcome> uploads = new ConcurrentHashMap<>();
  final Map<String, String> uploadSha = new ConcurrentHashMap<>();
  volatile boolean stopping;

  private final Path dir;

  CrashRound(int index, String base, int salt, Path dir) throws IOException {
    this.index = index;
    this.base = base;
    this.dir = dir;
    JsonNode experiment = Json.mapper().readTree(send("POST", base + "/api/experiments/experiments",
        "{\"description\":\"\",\"metadata\":{},\"name\":\"crash-round-" + index + "-" + salt
            + "\"}").body());
    experimentId = experiment.get("experiment_id").asText();
    runId = Json.mapper().readTree(send("POST", base + "/api/experiments/experiments/" + experimentId + "/runs",
        "{\"metrics\":{},\"params\":{},\"status\":\"running\"}").body()).get("run_id").asText();
    runPath = "/api/experiments/experiment-runs/" + runId;
  }

  double singleValue(int step) {
    return step * 0.25 + index;
  }

  double batchValue(int step) {
    return step / 64.0 + index;
  }

  List<Thread> startWorkers() {
    List<Thread> threads = List.of(
        new Thread(() -> {
          for (int step = 0; step < 3000 && !stopping; step++) {
            single.put(step, Outcome.UNKNOWN);
            single.put(step, outcome(send("POST", base + runPath + "/metrics",
                "{\"step\":" + step + ",\"metrics\":{\"single\":" + singleValue(step) + "}}")));
          }
        }, "crash-single"),
        new Thread(() -> {
          for (int b = 0; b < 150 && !stopping; b++) {
            StringBuilder points = new StringBuilder("{\"points\":[");
            for (int step = b * BATCH; step < (b + 1) * BATCH; step++) {
              points.append(step == b * BATCH ? "" : ",").append("{\"step\":").append(step)
                  .append(",\"name\":\"batch\",\"value\":").append(batchValue(step)).append('}');
            }
            batches.put(b, Outcome.UNKNOWN);
            batches.put(b, outcome(send("POST", base + runPath + "/metrics:batch", points.append("]}").toString())));
          }
        }, "crash-batch"),
        new Thread(() -> {
          for (int e = 0; e < 3000 && !stopping; e++) {
            String message = "event " + index + "/" + e;
            events.put(message, Outcome.UNKNOWN);
            events.put(message, outcome(send("POST", base + runPath + "/events",
                "{\"level\":\"info\",\"message\":\"" + message + "\"}")));
          }
        }, "crash-events"),
        new Thread(() -> {
          for (int u = 0; u < 300 && !stopping; u++) {
            upload("upload-" + index + "-" + u);
          }
        }, "crash-uploads"));
    threads.forEach(Thread::start);
    return threads;
  }

  /** A multipart upload written in slow pieces over a raw socket, so that a kill can cut its body. */
  void upload(String name) {
    byte[] content = new byte[64 * 1024];
    new Random(name.hashCode()).nextBytes(content);
    try {
      uploadSha.put(name, HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content)));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
    String boundary = "----crash" + name;
    byte[] head = ("--" + boundary + "\r\nContent-Disposition: form-data; name=\"kind\"\r\n\r\nmodel\r\n--" + boundary
        + "\r\nContent-Disposition: form-data; name=\"name\"\r\n\r\n" + name + "\r\n--" + boundary
        + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"model.bin\"\r\n"
        + "Content-Type: application/octet-stream\r\n\r\n").getBytes(StandardCharsets.UTF_8);
    byte[] tail = ("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8);
    URI uri = URI.create(base);
    uploads.put(name, Outcome.HALF_SENT);
    try (Socket socket = new Socket(uri.getHost(), uri.getPort())) {
      socket.setSoTimeout(15_000);
      OutputStream o = socket.getOutputStream();
      o.write(("POST " + runPath + "/artifacts HTTP/1.1\r\nHost: " + uri.getAuthority() + "\r\nContent-Type: "
          + "multipart/form-data; boundary=" + boundary + "\r\nContent-Length: "
          + (head.length + content.length + tail.length) + "\r\nConnection: close\r\n\r\n")
          .getBytes(StandardCharsets.US_ASCII));
      o.write(head);
      for (int at = 0; at < content.length; at += 8192) {
        o.write(content, at, 8192);
        o.flush();
        Thread.sleep(5);
      }
      o.write(tail);
      o.flush();
      uploads.put(name, Outcome.UNKNOWN); // all of it sent: from here on the server may have stored it
      InputStream in = socket.getInputStream();
      byte[] status = in.readNBytes(12);
      String line = new String(status, StandardCharsets.US_ASCII);
      if (line.startsWith("HTTP/1.1 ")) {
        uploads.put(name, line.substring(9, 12).startsWith("2") ? Outcome.ACKED : Outcome.REFUSED);
      }
    } catch (IOException e) {
      // cut: HALF_SENT or UNKNOWN as recorded above
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  void stop(List<Thread> workers) throws InterruptedException {
    stopping = true;
    for (Thread t : workers) {
      t.join(60_000);
    }
  }

  Map<Outcome, Long> counts() {
    Map<Outcome, Long> c = new java.util.TreeMap<>();
    Stream.of(single, batches, events, uploads).forEach(m -> m.values().forEach(o -> c.merge(o, 1L, Long::sum)));
    return c;
  }

  void verify(String server, List<String> problems) {
    Map<Integer, Double> singles = series(server, "single");
    single.forEach((step, o) -> check(problems, "single step " + step, o, singles.get(step), singleValue(step)));
    Map<Integer, Double> points = series(server, "batch");
    batches.forEach((b, o) -> {
      int present = 0;
      for (int step = b * BATCH; step < (b + 1) * BATCH; step++) {
        Double v = points.get(step);
        present += v == null ? 0 : 1;
        if (v != null && v != batchValue(step)) {
          problems.add(label() + "batch " + b + " step " + step + " holds " + v + ", not " + batchValue(step));
        }
      }
      if (o == Outcome.ACKED && present != BATCH || o == Outcome.REFUSED && present != 0 || present % BATCH != 0) {
        problems.add(label() + "batch " + b + " (" + o + ") has " + present + " of " + BATCH + " points");
      }
    });
    Map<String, Integer> seen = new HashMap<>();
    long before = 0;
    while (true) {
      JsonNode page = json(server, runPath + "/events?limit=1000&before_event_id=" + before);
      page.get("events").forEach(e -> seen.merge(e.get("message").asText(), 1, Integer::sum));
      if (page.get("events").isEmpty() || !page.has("next_before_event_id")) {
        break;
      }
      before = page.get("next_before_event_id").asLong();
    }
    events.forEach((message, o) -> {
      int n = seen.getOrDefault(message, 0);
      if (o == Outcome.ACKED && n != 1 || o != Outcome.ACKED && o != Outcome.UNKNOWN && n != 0 || n > 1) {
        problems.add(label() + "event \"" + message + "\" (" + o + ") stored " + n + " times");
      }
    });
    Map<String, String> artifacts = new HashMap<>();
    Set<String> artifactIds = new java.util.HashSet<>();
    String token = null;
    do {
      JsonNode page = json(server, runPath + "/artifacts?limit=500"
          + (token == null ? "" : "&page_token=" + URLEncoder.encode(token, StandardCharsets.UTF_8)));
      page.get("artifacts").forEach(a -> {
        artifacts.put(a.get("name").asText(), a.get("sha256").asText());
        artifactIds.add(a.get("artifact_id").asText());
      });
      token = page.has("next_page_token") ? page.get("next_page_token").asText() : null;
    } while (token != null);
    long unknownAbsent = 0;
    for (var e : uploads.entrySet()) {
      String sha = artifacts.get(e.getKey());
      Outcome o = e.getValue();
      if (o == Outcome.ACKED && !uploadSha.get(e.getKey()).equals(sha)
          || (o == Outcome.REFUSED || o == Outcome.HALF_SENT) && sha != null) {
        problems.add(label() + "upload " + e.getKey() + " (" + o + ") is " + (sha == null ? "missing" : "stored"));
      }
      unknownAbsent += o == Outcome.UNKNOWN && sha == null ? 1 : 0;
    }
    // a blob without a row can only come from an upload whose answer was lost (stored, then the crash)
    Path blobs = dir.resolve("data").resolve("blobs").resolve("artifacts").resolve("experiments")
        .resolve(experimentId).resolve("runs").resolve(runId).resolve("artifacts").resolve("model");
    if (Files.isDirectory(blobs)) {
      try (Stream<Path> ids = Files.list(blobs)) {
        long orphans = ids.filter(p -> !artifactIds.contains(p.getFileName().toString())).count();
        if (orphans > unknownAbsent) {
          problems.add(label() + orphans + " blob(s) without an artifact, more than the " + unknownAbsent
              + " upload(s) whose answer was lost");
        }
      } catch (IOException e) {
        problems.add(label() + "cannot list " + blobs + ": " + e.getMessage());
      }
    }
  }

  private String label() {
    return "round " + index + ": ";
  }

  private void check(List<String> problems, String what, Outcome o, Double stored, double expected) {
    if (o == Outcome.ACKED && (stored == null || stored != expected)) {
      problems.add(label() + what + " acknowledged as " + expected + " but stored " + stored);
    } else if ((o == Outcome.REFUSED || o == Outcome.HALF_SENT) && stored != null) {
      problems.add(label() + what + " refused but stored " + stored);
    } else if (stored != null && stored != expected) {
      problems.add(label() + what + " stored " + stored + ", not " + expected);
    }
  }

  /** Step → value, exact: every sample is its own bucket when there are at most max_points. */
  private Map<Integer, Double> series(String server, String name) {
    JsonNode s = json(server, runPath + "/metrics/series?name=" + name + "&max_points=10000");
    Map<Integer, Double> values = new HashMap<>();
    s.get("buckets").forEach(b -> values.put(b.get("step_min").asInt(), b.get("last").asDouble()));
    return values;
  }
}
