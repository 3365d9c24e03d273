package io.animus.datapilot.artifacts;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.animus.datapilot.common.Hashing;
import io.animus.datapilot.testing.BlobBackend;
import io.animus.datapilot.testing.Multipart;
import io.animus.datapilot.testing.RawConnection;
import io.animus.datapilot.testing.TestClient;
import io.animus.datapilot.testing.TestServer;
import io.animus.sdk.Artifact;
import io.animus.sdk.NewRun;
import io.animus.sdk.Page;
import io.animus.sdk.Run;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** Artifact upload, read and download over HTTP; run once per blob store. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class ArtifactsHttpContract {
  static final int LIMIT_MIB = 16;
  BlobBackend backend;
  TestServer server;
  TestClient client;

  abstract BlobBackend backend();

  @BeforeAll
  void start() {
    backend = backend();
    Map<String, String> settings = new HashMap<>(backend.settings());
    settings.put("DATAPILOT_ARTIFACT_UPLOAD_MAX_MIB", Integer.toString(LIMIT_MIB));
    server = TestServer.start(settings);
    client = server.client();
  }

  @AfterAll
  void stop() {
    server.close();
  }

  /** A running run of a new experiment, made through the Java SDK; {@code artifactsPrefix} may be null. */
  String newRun(String artifactsPrefix) {
    String expId = server.sdk().createExperiment("exp-" + java.util.UUID.randomUUID(), null, null).experimentId();
    NewRun run = NewRun.withStatus("running");
    if (artifactsPrefix != null) {
      run.artifactsPrefix(artifactsPrefix);
    }
    Run created = server.sdk().createRun(expId, run);
    assertThat(created.status()).isEqualTo("running");
    return created.runId();
  }

  TestClient.Response upload(String runId, Multipart form) {
    return client.sendBytes("POST", "/api/experiments/experiment-runs/" + runId + "/artifacts", form.build(),
        Map.of("Content-Type", form.contentType(), "Accept", "application/json"));
  }

  static byte[] random(int size) {
    byte[] bytes = new byte[size];
    new Random(size).nextBytes(bytes);
    return bytes;
  }

  List<String> artifactKeys() {
    return backend.keys(server).stream().filter(k -> k.startsWith("artifacts/")).toList();
  }

  @Test
  void theSdkFormIsStoredAndAnsweredWrappedWithHashSizeAndKey() {
    String runId = newRun(null);
    byte[] bytes = "abc".getBytes(StandardCharsets.UTF_8);
    var r = upload(runId, Multipart.sdk().field("kind", "MODEL").field("name", "model")
        .field("metadata", "{\"format\":\"json\",\"api_key\":\"s3cr3t\"}")
        .file("file", "model.bin", "application/octet-stream", bytes));
    assertThat(r.status()).isEqualTo(201);
    JsonNode a = r.json().get("artifact");
    String id = a.get("artifact_id").asText();
    assertThat(r.header("Location")).isEqualTo("/api/experiments/experiment-runs/" + runId + "/artifacts/" + id);
    assertThat(a.get("run_id").asText()).isEqualTo(runId);
    assertThat(a.get("kind").asText()).isEqualTo("model");
    assertThat(a.get("name").asText()).isEqualTo("model");
    assertThat(a.get("filename").asText()).isEqualTo("model.bin");
    assertThat(a.get("content_type").asText()).isEqualTo("application/octet-stream");
    assertThat(a.get("sha256").asText())
        .isEqualTo("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    assertThat(a.get("size_bytes").asLong()).isEqualTo(3);
    assertThat(a.get("metadata").toString()).isEqualTo("{\"format\":\"json\",\"api_key\":\"[REDACTED]\"}");
    assertThat(a.get("created_by").asText()).isEqualTo("dev-user");
    String expId = client.get("/api/experiments/experiment-runs/" + runId).json().get("experiment_id").asText();
    assertThat(a.get("object_key").asText())
        .isEqualTo("experiments/" + expId + "/runs/" + runId + "/artifacts/model/" + id + "/model.bin");
    assertThat(artifactKeys()).contains("artifacts/" + a.get("object_key").asText());
    var got = client.get("/api/experiments/experiment-runs/" + runId + "/artifacts/" + id);
    assertThat(got.status()).isEqualTo(200);
    assertThat(got.json()).isEqualTo(a);
    var download = client.get("/api/experiments/experiment-runs/" + runId + "/artifacts/" + id + "/download");
    assertThat(download.status()).isEqualTo(200);
    assertThat(download.bytes()).isEqualTo(bytes);
    assertThat(download.header("Content-Type")).isEqualTo("application/octet-stream");
    assertThat(download.header("Content-Length")).isEqualTo("3");
    assertThat(download.header("ETag")).isEqualTo("\"" + a.get("sha256").asText() + "\"");
    assertThat(download.header("X-Content-SHA256")).isEqualTo(a.get("sha256").asText());
    assertThat(download.header("Content-Disposition")).isEqualTo("attachment; filename=\"model.bin\"");
    assertThat(download.header("Accept-Ranges")).isEqualTo("bytes");
  }

  @Test
  void aFileBeforeItsKindIsStagedThenMovedAndNoStagingObjectRemains() {
    String runId = newRun("/team/a/");
    byte[] bytes = random(300_000);
    var r = upload(runId, Multipart.sdk().file("file", "weights.pt", "application/x-pytorch", bytes)
        .field("kind", "preview"));
    assertThat(r.status()).isEqualTo(201);
    JsonNode a = r.json().get("artifact");
    assertThat(a.get("object_key").asText())
        .isEqualTo("team/a/artifacts/preview/" + a.get("artifact_id").asText() + "/weights.pt");
    assertThat(a.get("sha256").asText()).isEqualTo(Hashing.sha256Hex(bytes));
    assertThat(artifactKeys()).contains("artifacts/" + a.get("object_key").asText())
        .noneMatch(k -> k.contains(".staging"));
    var download = client.get("/api/experiments/experiment-runs/" + runId + "/artifacts/"
        + a.get("artifact_id").asText() + "/download");
    assertThat(download.bytes()).isEqualTo(bytes);
    assertThat(download.header("Content-Type")).isEqualTo("application/x-pytorch");
  }

  @Test
  void aChunkedUploadIsAccepted() throws Exception {
    String runId = newRun(null);
    byte[] bytes = random(1_000_000);
    Multipart form = Multipart.sdk().field("kind", "log").file("file", "train.log", "text/plain", bytes);
    byte[] body = form.build();
    HttpRequest request = HttpRequest.newBuilder(URI.create(server.baseUrl() + "/api/experiments/experiment-runs/"
            + runId + "/artifacts"))
        .header("Content-Type", form.contentType())
        .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(body)))
        .build();
    HttpResponse<String> r = HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).isEqualTo(201);
    JsonNode a = io.animus.datapilot.kernel.Json.mapper().readTree(r.body()).get("artifact");
    assertThat(a.get("size_bytes").asLong()).isEqualTo(1_000_000);
    assertThat(a.get("sha256").asText()).isEqualTo(Hashing.sha256Hex(bytes));
  }

  @Test
  void aPathInTheFilenameIsReducedToItsLastSegment() {
    String runId = newRun(null);
    var unix = upload(runId, Multipart.sdk().field("kind", "file").file("file", "../../etc/passwd", "text/plain",
        new byte[] {1}));
    assertThat(unix.json().get("artifact").get("filename").asText()).isEqualTo("passwd");
    assertThat(unix.json().get("artifact").get("object_key").asText()).endsWith("/passwd").doesNotContain("..");
    var windows = upload(runId, Multipart.sdk().field("kind", "file").file("file", "C:\\Users\\me\\..\\w.ini",
        "text/plain", new byte[] {2}));
    assertThat(windows.json().get("artifact").get("filename").asText()).isEqualTo("w.ini");
    var dots = upload(runId, Multipart.sdk().field("kind", "file").file("file", "a/..", "text/plain", new byte[] {3}));
    assertThat(dots.json().get("artifact").get("filename").asText()).isEqualTo("artifact.bin");
  }

  @Test
  void formProblemsAre400WithTheirCodesAndStoreNothing() {
    String runId = newRun(null);
    List<String> before = artifactKeys();
    assertThat(upload(runId, Multipart.sdk().field("kind", "model").field("metadata", "[1,2]")
        .file("file", "m.bin", "application/octet-stream", random(70_000))).error()).isEqualTo("invalid_metadata");
    assertThat(upload(runId, Multipart.sdk().field("kind", "model").field("metadata", "not json")
        .file("file", "m.bin", "application/octet-stream", random(10))).error()).isEqualTo("invalid_metadata");
    var missingFile = upload(runId, Multipart.sdk().field("kind", "model"));
    assertThat(missingFile.status()).isEqualTo(400);
    assertThat(missingFile.error()).isEqualTo("file_required");
    assertThat(upload(runId, Multipart.sdk().field("kind", "model")
        .file("file", "a.bin", "application/octet-stream", random(200_000))
        .file("file", "b.bin", "application/octet-stream", random(10))).error())
        .isEqualTo("multiple_files_not_supported");
    assertThat(upload(runId, Multipart.sdk().file("file", "a.bin", "application/octet-stream", random(100)))
        .error()).isEqualTo("artifact_kind_required");
    assertThat(upload(runId, Multipart.sdk().file("file", "a.bin", "application/octet-stream", random(100))
        .field("kind", "weights")).error()).isEqualTo("artifact_kind_invalid");
    assertThat(upload(runId, Multipart.sdk().field("kind", "weights")
        .file("file", "a.bin", "application/octet-stream", random(100))).error()).isEqualTo("artifact_kind_invalid");
    var truncated = client.sendBytes("POST", "/api/experiments/experiment-runs/" + runId + "/artifacts",
        ("--xyz\r\nContent-Disposition: form-data; name=\"kind\"\r\n\r\nmodel\r\n--xyz\r\n"
            + "Content-Disposition: form-data; name=\"file\"; filename=\"a\"\r\n\r\nabc")
            .getBytes(StandardCharsets.UTF_8),
        Map.of("Content-Type", "multipart/form-data; boundary=xyz"));
    assertThat(truncated.status()).isEqualTo(400);
    assertThat(truncated.error()).isEqualTo("invalid_multipart");
    var notMultipart = client.post("/api/experiments/experiment-runs/" + runId + "/artifacts", "{}");
    assertThat(notMultipart.error()).isEqualTo("invalid_multipart");
    assertThat(artifactKeys()).isEqualTo(before);
    assertThat(server.sdk().listRunArtifacts(runId, null).items()).isEmpty();
  }

  @Test
  void anUnknownRunIs404() {
    var r = upload("00000000-0000-4000-8000-000000000000", Multipart.sdk().field("kind", "model")
        .file("file", "a.bin", "application/octet-stream", new byte[] {1}));
    assertThat(r.status()).isEqualTo(404);
    assertThat(r.error()).isEqualTo("not_found");
    assertThat(client.get("/api/experiments/experiment-runs/not-a-uuid/artifacts").status()).isEqualTo(404);
  }

  @Test
  void aDeclaredContentLengthOverTheLimitIs413BeforeTheBodyIsRead() {
    String runId = newRun(null);
    long declared = (LIMIT_MIB << 20) + 1;
    try (RawConnection http = new RawConnection(server.app().port())) {
      http.send("POST /api/experiments/experiment-runs/" + runId + "/artifacts HTTP/1.1\r\nHost: x\r\n"
          + "Content-Type: multipart/form-data; boundary=b\r\nContent-Length: " + declared + "\r\n\r\n");
      RawConnection.Answer answer = http.read();
      assertThat(answer.status()).isEqualTo(413);
      JsonNode body = readJson(answer.body());
      assertThat(body.get("error").asText()).isEqualTo("upload_too_large");
      assertThat(body.get("details").get("max_bytes").asLong()).isEqualTo((long) LIMIT_MIB << 20);
      assertThat(body.get("details").get("content_length").asLong()).isEqualTo(declared);
    }
  }

  @Test
  void aChunkedBodyOverTheLimitIs413AndNothingIsStored() throws Exception {
    String runId = newRun(null);
    List<String> before = artifactKeys();
    Multipart form = Multipart.sdk().field("kind", "model");
    byte[] head = form.raw("--" + form.boundary() + "\r\nContent-Disposition: form-data; name=\"file\"; "
        + "filename=\"big.bin\"\r\n\r\n").build();
    byte[] start = java.util.Arrays.copyOf(head, head.length - (form.boundary().length() + 6));
    try (RawConnection http = new RawConnection(server.app().port())) {
      http.send("POST /api/experiments/experiment-runs/" + runId + "/artifacts HTTP/1.1\r\nHost: x\r\n"
          + "Content-Type: " + form.contentType() + "\r\nTransfer-Encoding: chunked\r\n\r\n");
      Thread writer = new Thread(() -> {
        http.sendQuietly(chunk(start));
        byte[] mib = random(1 << 20);
        for (int i = 0; i <= LIMIT_MIB + 1; i++) {
          http.sendQuietly(chunk(mib));
        }
      });
      writer.start();
      RawConnection.Answer answer = http.read();
      assertThat(answer.status()).isEqualTo(413);
      assertThat(readJson(answer.body()).get("error").asText()).isEqualTo("upload_too_large");
      assertThat(readJson(answer.body()).get("details").get("max_bytes").asLong()).isEqualTo((long) LIMIT_MIB << 20);
      http.abort();
      writer.join(10_000);
    }
    awaitNoWrites();
    assertThat(artifactKeys()).isEqualTo(before);
    assertThat(server.sdk().listRunArtifacts(runId, null).items()).isEmpty();
  }

  @Test
  void anUploadAbortedMidStreamLeavesNoRowAndNoBlob() throws Exception {
    String runId = newRun(null);
    List<String> before = artifactKeys();
    Multipart form = Multipart.sdk().field("kind", "model");
    byte[] head = form.raw("--" + form.boundary() + "\r\nContent-Disposition: form-data; name=\"file\"; "
        + "filename=\"big.bin\"\r\n\r\n").build();
    byte[] start = java.util.Arrays.copyOf(head, head.length - (form.boundary().length() + 6));
    try (RawConnection http = new RawConnection(server.app().port())) {
      http.send("POST /api/experiments/experiment-runs/" + runId + "/artifacts HTTP/1.1\r\nHost: x\r\n"
          + "Content-Type: " + form.contentType() + "\r\nContent-Length: " + (15L << 20) + "\r\n\r\n");
      http.send(start);
      byte[] mib = random(1 << 20);
      long deadline = System.nanoTime() + 20_000_000_000L;
      int sent = 0;
      while (!backend.writeInProgress(server) && System.nanoTime() < deadline && sent < 14) {
        http.send(mib);
        sent++;
        Thread.sleep(20);
      }
      assertThat(backend.writeInProgress(server)).as("the upload streams into the store while it arrives").isTrue();
      http.abort();
    }
    awaitNoWrites();
    assertThat(artifactKeys()).isEqualTo(before);
    assertThat(server.sdk().listRunArtifacts(runId, null).items()).isEmpty();
  }

  void awaitNoWrites() throws InterruptedException {
    long deadline = System.nanoTime() + 10_000_000_000L;
    while (backend.writeInProgress(server) && System.nanoTime() < deadline) {
      Thread.sleep(50);
    }
    assertThat(backend.writeInProgress(server)).isFalse();
  }

  static byte[] chunk(byte[] data) {
    byte[] head = (Integer.toHexString(data.length) + "\r\n").getBytes(StandardCharsets.ISO_8859_1);
    byte[] out = new byte[head.length + data.length + 2];
    System.arraycopy(head, 0, out, 0, head.length);
    System.arraycopy(data, 0, out, head.length, data.length);
    out[out.length - 2] = '\r';
    out[out.length - 1] = '\n';
    return out;
  }

  static JsonNode readJson(String text) {
    try {
      return io.animus.datapilot.kernel.Json.mapper().readTree(text);
    } catch (Exception e) {
      throw new IllegalStateException("not JSON: " + text, e);
    }
  }

  @Test
  void listsFilterByKindPageNewestFirstAndRefuseUnknownKinds() throws Exception {
    String runId = newRun(null);
    Path file = java.nio.file.Files.write(java.nio.file.Files.createTempFile("artifact", ".bin"), new byte[] {7});
    for (String kind : List.of("model", "log", "model", "preview")) {
      Artifact uploaded = server.sdk().uploadRunArtifact(runId, kind, file, null, null, kind + ".bin",
          "application/octet-stream");
      assertThat(uploaded.kind()).isEqualTo(kind);
      assertThat(uploaded.sizeBytes()).isEqualTo(1);
    }
    java.nio.file.Files.delete(file);
    String base = "/api/experiments/experiment-runs/" + runId + "/artifacts";
    Page<Artifact> all = server.sdk().listRunArtifacts(runId, null, 200, null);
    assertThat(all.items()).hasSize(4);
    assertThat(all.items().get(0).kind()).isEqualTo("preview");
    assertThat(all.nextPageToken()).isNull();
    // raw HTTP: the kind filter in capitals, which the server accepts and the SDK does not send
    JsonNode models = client.get(base + "?kind=MODEL&limit=1").json();
    assertThat(models.get("artifacts")).hasSize(1);
    String token = models.get("next_page_token").asText();
    JsonNode second = client.get(base + "?kind=MODEL&limit=1&page_token=" + token).json();
    assertThat(second.get("artifacts")).hasSize(1);
    assertThat(second.has("next_page_token")).isFalse();
    assertThat(second.get("artifacts").get(0).get("artifact_id"))
        .isNotEqualTo(models.get("artifacts").get(0).get("artifact_id"));
    assertThat(client.get(base + "?kind=log&limit=1&page_token=" + token).error()).isEqualTo("invalid_page_token");
    assertThat(client.get(base + "?kind=weights").error()).isEqualTo("artifact_kind_invalid");
    assertThat(client.get(base + "/00000000-0000-4000-8000-000000000000").status()).isEqualTo(404);
  }
}
