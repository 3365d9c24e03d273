package io.animus.datapilot.storage;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.animus.datapilot.testing.Multipart;
import io.animus.datapilot.testing.S3Fixture;
import io.animus.datapilot.testing.TestServer;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class BlobStoreReadinessTest {
  static JsonNode check(JsonNode body, String name) {
    for (JsonNode c : body.get("checks")) {
      if (c.get("name").asText().equals(name)) {
        return c;
      }
    }
    throw new AssertionError("no check " + name + " in " + body);
  }

  @Test
  void readyzReportsTheBlobStoreAndFailsWhenTheBucketIsGone() {
    S3Fixture s3 = S3Fixture.get();
    String bucket = s3.newBucket();
    Map<String, String> settings = new HashMap<>(s3.serverSettings(bucket));
    try (TestServer server = TestServer.start(settings)) {
      var ready = server.client().get("/readyz");
      assertThat(ready.status()).isEqualTo(200);
      assertThat(check(ready.json(), "blob_store").get("status").asText()).isEqualTo("ok");
      s3.client().deleteBucket(b -> b.bucket(bucket));
      var notReady = server.client().get("/readyz");
      assertThat(notReady.status()).isEqualTo(503);
      assertThat(notReady.json().get("status").asText()).isEqualTo("not_ready");
      JsonNode failed = check(notReady.json(), "blob_store");
      assertThat(failed.get("status").asText()).isEqualTo("fail");
      assertThat(failed.get("error").asText()).isEqualTo("blob_store unreachable or too slow");
      assertThat(check(notReady.json(), "database").get("status").asText()).isEqualTo("ok");
    }
  }

  @Test
  void aFailingBlobStoreIs502AndLeavesNoRowAndAMissingObjectIs404() {
    S3Fixture s3 = S3Fixture.get();
    String bucket = s3.newBucket();
    try (TestServer server = TestServer.start(s3.serverSettings(bucket))) {
      var client = server.client();
      String exp = client.post("/api/experiments/experiments", "{\"name\":\"e\"}").json().get("experiment_id")
          .asText();
      String run = client.post("/api/experiments/experiments/" + exp + "/runs",
          "{\"status\":\"running\",\"params\":{},\"metrics\":{}}").json().get("run_id").asText();
      String dataset = client.post("/api/dataset-registry/datasets", "{\"name\":\"d\"}").json().get("dataset_id")
          .asText();
      Multipart stored = Multipart.sdk().field("kind", "model").file("file", "m.bin", "application/octet-stream",
          new byte[] {1, 2, 3});
      String artifactId = client.sendBytes("POST", "/api/experiments/experiment-runs/" + run + "/artifacts",
          stored.build(), Map.of("Content-Type", stored.contentType())).json().get("artifact").get("artifact_id")
          .asText();
      s3.keys(bucket).forEach(k -> s3.client().deleteObject(b -> b.bucket(bucket).key(k)));
      var gone = client.get("/api/experiments/experiment-runs/" + run + "/artifacts/" + artifactId + "/download");
      assertThat(gone.status()).isEqualTo(404);
      assertThat(gone.error()).isEqualTo("not_found");
      s3.client().deleteBucket(b -> b.bucket(bucket));

      Multipart artifact = Multipart.sdk().field("kind", "model").file("file", "m.bin", "application/octet-stream",
          new byte[] {4});
      var failed = client.sendBytes("POST", "/api/experiments/experiment-runs/" + run + "/artifacts",
          artifact.build(), Map.of("Content-Type", artifact.contentType()));
      assertThat(failed.status()).isEqualTo(502);
      assertThat(failed.error()).isEqualTo("artifact_store_failed");
      assertThat(client.get("/api/experiments/experiment-runs/" + run + "/artifacts").json().get("artifacts"))
          .hasSize(1);
      Multipart version = Multipart.sdk().file("file", "d.csv", "text/csv", new byte[] {5});
      var failedVersion = client.sendBytes("POST", "/api/dataset-registry/datasets/" + dataset + "/versions/upload",
          version.build(), Map.of("Content-Type", version.contentType()));
      assertThat(failedVersion.status()).isEqualTo(502);
      assertThat(failedVersion.error()).isEqualTo("object_store_error");
      assertThat(client.get("/api/dataset-registry/datasets/" + dataset + "/versions").json().get("versions"))
          .isEmpty();
    }
  }

  @Test
  void anS3StoreWithoutABucketIsRefusedAtStartUpNamingTheSetting() {
    var thrown = org.assertj.core.api.Assertions.catchThrowable(() -> TestServer.start(Map.of(
        "DATAPILOT_BLOB_STORE", "s3")));
    assertThat(thrown).hasMessageContaining("DATAPILOT_S3_BUCKET");
    var badKind = org.assertj.core.api.Assertions.catchThrowable(() -> TestServer.start(Map.of(
        "DATAPILOT_BLOB_STORE", "ftp")));
    assertThat(badKind).hasMessageContaining("DATAPILOT_BLOB_STORE");
    var badLimit = org.assertj.core.api.Assertions.catchThrowable(() -> TestServer.start(Map.of(
        "DATAPILOT_ARTIFACT_UPLOAD_MAX_MIB", "lots")));
    assertThat(badLimit).hasMessageContaining("DATAPILOT_ARTIFACT_UPLOAD_MAX_MIB");
  }
}
