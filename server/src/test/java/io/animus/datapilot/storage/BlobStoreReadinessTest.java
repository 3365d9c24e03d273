package io.animus.datapilot.storage;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
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
