package io.animus.datapilot.datasets;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.animus.datapilot.common.Hashing;
import io.animus.datapilot.testing.BlobBackend;
import io.animus.datapilot.testing.Multipart;
import io.animus.datapilot.testing.RawConnection;
import io.animus.datapilot.testing.TestClient;
import io.animus.datapilot.testing.TestServer;
import io.animus.sdk.Dataset;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** Datasets, version uploads and downloads over HTTP; run once per blob store. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class DatasetsHttpContract {
  static final int LIMIT_MIB = 4;
  BlobBackend backend;
  TestServer server;
  TestClient client;

  abstract BlobBackend backend();

  @BeforeAll
  void start() {
    backend = backend();
    Map<String, String> settings = new HashMap<>(backend.settings());
    settings.put("DATAPILOT_DATASET_UPLOAD_MAX_MIB", Integer.toString(LIMIT_MIB));
    server = TestServer.start(settings);
    client = server.client();
  }

  @AfterAll
  void stop() {
    server.close();
  }

  /** A new dataset of the default project, made through the Java SDK. */
  String newDataset() {
    Dataset d = server.datasets().createDataset("ds-" + UUID.randomUUID(), null, null);
    assertThat(d.projectId()).isEqualTo("default");
    return d.datasetId();
  }

  TestClient.Response upload(String datasetId, Multipart form) {
    return client.sendBytes("POST", "/api/dataset-registry/datasets/" + datasetId + "/versions/upload", form.build(),
        Map.of("Content-Type", form.contentType()));
  }

  /** The published SDK's download_dataset_version request: GET, Accept JSON, a fresh request id, no project. */
  TestClient.Response sdkDownload(String versionId) {
    return client.sendBytes("GET", "/api/dataset-registry/dataset-versions/" + versionId + "/download", null,
        Map.of("Accept", "application/json", "X-Request-Id", UUID.randomUUID().toString().replace("-", "")));
  }

  TestClient.Response download(String versionId, Map<String, String> headers) {
    return client.sendBytes("GET", "/api/dataset-registry/dataset-versions/" + versionId + "/download", null,
        headers);
  }

  static byte[] random(int size, long seed) {
    byte[] bytes = new byte[size];
    new Random(seed).nextBytes(bytes);
    return bytes;
  }

  List<String> datasetKeys() {
    return backend.keys(server).stream().filter(k -> k.startsWith("datasets/")).toList();
  }

  @Test
  void datasetsAreCreatedListedAndFetchedAndNamesAreUniquePerProject() {
    var created = client.post("/api/dataset-registry/datasets",
        "{\"name\":\" images \",\"description\":\"\",\"metadata\":{\"db_password\":\"x\",\"team\":\"cv\"}}");
    assertThat(created.status()).isEqualTo(201);
    JsonNode d = created.json();
    String id = d.get("dataset_id").asText();
    assertThat(created.header("Location")).isEqualTo("/api/dataset-registry/datasets/" + id);
    assertThat(d.get("name").asText()).isEqualTo("images");
    assertThat(d.get("project_id").asText()).isEqualTo("default");
    assertThat(d.has("description")).isFalse();
    assertThat(d.get("metadata").toString()).isEqualTo("{\"db_password\":\"[REDACTED]\",\"team\":\"cv\"}");
    var again = client.post("/api/dataset-registry/datasets", "{\"name\":\"images\"}");
    assertThat(again.status()).isEqualTo(409);
    assertThat(again.error()).isEqualTo("dataset_name_exists");
    assertThat(again.json().get("details").get("dataset_id").asText()).isEqualTo(id);
    assertThat(client.post("/api/dataset-registry/datasets", "{\"name\":\"images\"}",
        Map.of("X-Project-Id", "other")).status()).isEqualTo(201);
    assertThat(client.get("/api/dataset-registry/datasets/" + id).json()).isEqualTo(d);
    assertThat(client.get("/api/dataset-registry/datasets/" + id + "?project_id=other").status()).isEqualTo(404);
    JsonNode page = client.get("/api/dataset-registry/datasets?limit=1").json();
    assertThat(page.get("datasets")).hasSize(1);
    assertThat(page.has("next_page_token")).isTrue();
    assertThat(client.post("/api/dataset-registry/datasets", "{}").error()).isEqualTo("name_required");
  }

  @Test
  void aVersionUploadedAsTheSdkDoesDownloadsByteIdenticalWithItsSha256() {
    String datasetId = newDataset();
    byte[] bytes = random(3 * 1024 * 1024 + 17, 1);
    var r = upload(datasetId, Multipart.sdk()
        .field("metadata", "{\"filename\":\"spoofed\",\"rows\":3,\"aws_secret_access_key\":\"k\"}")
        .field("quality_rule_id", "  rule-1  ")
        .file("file", "data/train.csv", "text/csv", bytes));
    assertThat(r.status()).isEqualTo(201);
    JsonNode v = r.json();
    String versionId = v.get("version_id").asText();
    String sha = Hashing.sha256Hex(bytes);
    assertThat(r.header("Location")).isEqualTo("/api/dataset-registry/dataset-versions/" + versionId);
    assertThat(v.get("dataset_id").asText()).isEqualTo(datasetId);
    assertThat(v.get("project_id").asText()).isEqualTo("default");
    assertThat(v.get("quality_rule_id").asText()).isEqualTo("rule-1");
    assertThat(v.get("ordinal").asInt()).isEqualTo(1);
    assertThat(v.get("content_sha256").asText()).isEqualTo(sha);
    assertThat(v.get("size_bytes").asLong()).isEqualTo(bytes.length);
    assertThat(v.get("object_key").asText()).isEqualTo(datasetId + "/" + versionId + "/train.csv");
    assertThat(v.get("metadata").toString()).isEqualTo("{\"rows\":3,\"aws_secret_access_key\":\"[REDACTED]\","
        + "\"content_sha256\":\"" + sha + "\",\"content_type\":\"text/csv\",\"filename\":\"train.csv\"}");
    assertThat(v.get("created_by").asText()).isEqualTo("dev-user");
    assertThat(datasetKeys()).contains("datasets/" + v.get("object_key").asText());
    assertThat(client.get("/api/dataset-registry/dataset-versions/" + versionId).json()).isEqualTo(v);

    var download = sdkDownload(versionId);
    assertThat(download.status()).isEqualTo(200);
    assertThat(download.bytes()).isEqualTo(bytes);
    assertThat(Hashing.sha256Hex(download.bytes())).isEqualTo(v.get("content_sha256").asText());
    assertThat(download.header("Content-Type")).isEqualTo("text/csv");
    assertThat(download.header("Content-Length")).isEqualTo(Integer.toString(bytes.length));
    assertThat(download.header("Content-Disposition")).isEqualTo("attachment; filename=\"train.csv\"");
    assertThat(download.header("X-Content-SHA256")).isEqualTo(sha);
  }

  @Test
  void theSameBytesTwiceAre409DuplicateContentNamingTheExistingVersion() {
    String datasetId = newDataset();
    byte[] bytes = "hello".getBytes(StandardCharsets.UTF_8);
    var first = upload(datasetId, Multipart.sdk().file("file", "a.txt", "text/plain", bytes));
    String firstId = first.json().get("version_id").asText();
    List<String> before = datasetKeys();
    var second = upload(datasetId, Multipart.sdk().file("file", "b.txt", "text/plain", bytes));
    assertThat(second.status()).isEqualTo(409);
    assertThat(second.error()).isEqualTo("duplicate_content");
    assertThat(second.json().get("details").get("version_id").asText()).isEqualTo(firstId);
    assertThat(datasetKeys()).isEqualTo(before);
    var third = upload(datasetId, Multipart.sdk().file("file", "c.txt", "text/plain", "world".getBytes()));
    assertThat(third.json().get("ordinal").asInt()).isEqualTo(2);
    JsonNode versions = client.get("/api/dataset-registry/datasets/" + datasetId + "/versions").json();
    assertThat(versions.get("versions")).hasSize(2);
    assertThat(versions.get("versions").get(0).get("ordinal").asInt()).isEqualTo(2);
    JsonNode paged = client.get("/api/dataset-registry/datasets/" + datasetId + "/versions?limit=1").json();
    assertThat(paged.get("versions")).hasSize(1);
    JsonNode rest = client.get("/api/dataset-registry/datasets/" + datasetId + "/versions?limit=1&page_token="
        + paged.get("next_page_token").asText()).json();
    assertThat(rest.get("versions").get(0).get("version_id").asText()).isEqualTo(firstId);
    assertThat(rest.has("next_page_token")).isFalse();
  }

  @Test
  void uploadProblemsAre4xxWithTheirCodesAndStoreNothing() {
    String datasetId = newDataset();
    List<String> before = datasetKeys();
    assertThat(upload(datasetId, Multipart.sdk().field("metadata", "{}")).error()).isEqualTo("file_required");
    assertThat(upload(datasetId, Multipart.sdk().field("metadata", "\"text\"")
        .file("file", "a", "text/plain", random(10, 2))).error()).isEqualTo("invalid_metadata");
    assertThat(upload(datasetId, Multipart.sdk().field("quality_rule_id", "r".repeat(256))
        .file("file", "a", "text/plain", random(10, 3))).error()).isEqualTo("invalid_quality_rule_id");
    assertThat(upload(datasetId, Multipart.sdk().file("file", "a", "text/plain", random(100_000, 4))
        .file("file", "b", "text/plain", random(10, 5))).error()).isEqualTo("multiple_files_not_supported");
    var missing = upload("00000000-0000-4000-8000-000000000000",
        Multipart.sdk().file("file", "a", "text/plain", random(10, 6)));
    assertThat(missing.status()).isEqualTo(404);
    try (RawConnection http = new RawConnection(server.app().port())) {
      long declared = ((long) LIMIT_MIB << 20) + 10;
      http.send("POST /api/dataset-registry/datasets/" + datasetId + "/versions/upload HTTP/1.1\r\nHost: x\r\n"
          + "Content-Type: multipart/form-data; boundary=b\r\nContent-Length: " + declared + "\r\n\r\n");
      RawConnection.Answer answer = http.read();
      assertThat(answer.status()).isEqualTo(413);
      assertThat(answer.body()).contains("\"error\":\"upload_too_large\"")
          .contains("\"max_bytes\":" + ((long) LIMIT_MIB << 20)).contains("\"content_length\":" + declared);
    }
    byte[] oversize = Multipart.sdk().file("file", "big", "application/octet-stream",
        random((LIMIT_MIB << 20) + 1, 7)).build();
    try (RawConnection http = new RawConnection(server.app().port())) {
      http.send("POST /api/dataset-registry/datasets/" + datasetId + "/versions/upload HTTP/1.1\r\nHost: x\r\n"
          + "Content-Type: multipart/form-data; boundary=" + new String(oversize, 2, 43, StandardCharsets.US_ASCII)
          + "\r\nTransfer-Encoding: chunked\r\n\r\n");
      Thread writer = new Thread(() -> {
        for (int at = 0; at < oversize.length; at += 65536) {
          byte[] piece = Arrays.copyOfRange(oversize, at, Math.min(oversize.length, at + 65536));
          http.sendQuietly((Integer.toHexString(piece.length) + "\r\n").getBytes(StandardCharsets.US_ASCII));
          http.sendQuietly(piece);
          http.sendQuietly("\r\n".getBytes(StandardCharsets.US_ASCII));
        }
        http.sendQuietly("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      });
      writer.start();
      RawConnection.Answer answer = http.read();
      assertThat(answer.status()).isEqualTo(413);
      assertThat(answer.body()).contains("\"error\":\"upload_too_large\"");
      http.abort();
    }
    assertThat(datasetKeys()).isEqualTo(before);
    assertThat(client.get("/api/dataset-registry/datasets/" + datasetId + "/versions").json().get("versions"))
        .isEmpty();
  }

  @Test
  void downloadsHonourRangeEtagConditionalsAndHead() throws Exception {
    String datasetId = newDataset();
    byte[] bytes = random(1000, 8);
    String versionId = upload(datasetId, Multipart.sdk().file("file", "r.bin", "application/octet-stream", bytes))
        .json().get("version_id").asText();
    String sha = Hashing.sha256Hex(bytes);
    String etag = "\"" + sha + "\"";

    var middle = download(versionId, Map.of("Range", "bytes=10-19"));
    assertThat(middle.status()).isEqualTo(206);
    assertThat(middle.bytes()).isEqualTo(Arrays.copyOfRange(bytes, 10, 20));
    assertThat(middle.header("Content-Range")).isEqualTo("bytes 10-19/1000");
    assertThat(middle.header("Content-Length")).isEqualTo("10");
    assertThat(middle.header("ETag")).isEqualTo(etag);
    assertThat(middle.header("X-Content-SHA256")).isEqualTo(sha);
    var tail = download(versionId, Map.of("Range", "bytes=990-"));
    assertThat(tail.bytes()).isEqualTo(Arrays.copyOfRange(bytes, 990, 1000));
    var suffix = download(versionId, Map.of("Range", "bytes=-5"));
    assertThat(suffix.header("Content-Range")).isEqualTo("bytes 995-999/1000");
    assertThat(suffix.bytes()).isEqualTo(Arrays.copyOfRange(bytes, 995, 1000));
    var clipped = download(versionId, Map.of("Range", "bytes=900-5000"));
    assertThat(clipped.header("Content-Range")).isEqualTo("bytes 900-999/1000");

    var outside = download(versionId, Map.of("Range", "bytes=1000-"));
    assertThat(outside.status()).isEqualTo(416);
    assertThat(outside.error()).isEqualTo("range_not_satisfiable");
    assertThat(outside.header("Content-Range")).isEqualTo("bytes */1000");

    var several = download(versionId, Map.of("Range", "bytes=0-1,5-6"));
    assertThat(several.status()).isEqualTo(200);
    assertThat(several.bytes()).isEqualTo(bytes);
    var staleIfRange = download(versionId, Map.of("Range", "bytes=0-1", "If-Range", "\"other\""));
    assertThat(staleIfRange.status()).isEqualTo(200);
    assertThat(staleIfRange.bytes()).isEqualTo(bytes);
    var freshIfRange = download(versionId, Map.of("Range", "bytes=0-1", "If-Range", etag));
    assertThat(freshIfRange.status()).isEqualTo(206);

    var notModified = download(versionId, Map.of("If-None-Match", "\"x\", " + etag));
    assertThat(notModified.status()).isEqualTo(304);
    assertThat(notModified.bytes()).isEmpty();
    assertThat(notModified.header("ETag")).isEqualTo(etag);
    assertThat(notModified.header("X-Content-SHA256")).isEqualTo(sha);
    assertThat(download(versionId, Map.of("If-None-Match", "*")).status()).isEqualTo(304);
    assertThat(download(versionId, Map.of("If-None-Match", "\"x\"")).status()).isEqualTo(200);

    var head = client.sendBytes("HEAD", "/api/dataset-registry/dataset-versions/" + versionId + "/download", null,
        Map.of());
    assertThat(head.status()).isEqualTo(200);
    assertThat(head.bytes()).isEmpty();
    assertThat(head.header("Content-Length")).isEqualTo("1000");
    assertThat(head.header("ETag")).isEqualTo(etag);
    assertThat(head.header("Content-Type")).isEqualTo("application/octet-stream");
    var headRange = client.sendBytes("HEAD", "/api/dataset-registry/dataset-versions/" + versionId + "/download",
        null, Map.of("Range", "bytes=0-9"));
    assertThat(headRange.status()).isEqualTo(206);
    assertThat(headRange.header("Content-Length")).isEqualTo("10");

    assertThat(download("00000000-0000-4000-8000-000000000000", Map.of()).error()).isEqualTo("not_found");
  }

  @Test
  void aNonAsciiFilenameGetsAnAsciiFallbackAndFilenameStar() {
    String datasetId = newDataset();
    String versionId = upload(datasetId, Multipart.sdk().file("file", "données \"v1\".csv", "text/csv",
        new byte[] {1, 2})).json().get("version_id").asText();
    assertThat(client.get("/api/dataset-registry/dataset-versions/" + versionId).json().get("metadata")
        .get("filename").asText()).isEqualTo("données \"v1\".csv");
    assertThat(sdkDownload(versionId).header("Content-Disposition")).isEqualTo(
        "attachment; filename=\"donn_es \\\"v1\\\".csv\"; filename*=UTF-8''donn%C3%A9es%20%22v1%22.csv");
  }

  @Test
  void anEmptyFileIsAVersionWithTheHashOfNothing() {
    String datasetId = newDataset();
    var r = upload(datasetId, Multipart.sdk().file("file", "", "text/plain", new byte[0]));
    assertThat(r.status()).isEqualTo(201);
    assertThat(r.json().get("size_bytes").asLong()).isZero();
    assertThat(r.json().get("metadata").get("filename").asText()).isEqualTo("dataset.bin");
    var download = sdkDownload(r.json().get("version_id").asText());
    assertThat(download.status()).isEqualTo(200);
    assertThat(download.bytes()).isEmpty();
    assertThat(download.header("Content-Length")).isEqualTo("0");
  }
}
