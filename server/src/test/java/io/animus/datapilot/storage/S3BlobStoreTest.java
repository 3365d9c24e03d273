package io.animus.datapilot.storage;

import static org.assertj.core.api.Assertions.assertThat;

import io.animus.datapilot.config.Config;
import io.animus.datapilot.storage.BlobStore.Area;
import io.animus.datapilot.testing.S3Fixture;
import java.io.ByteArrayInputStream;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class S3BlobStoreTest extends BlobStoreContract {
  S3Fixture s3 = S3Fixture.get();
  String bucket;
  S3BlobStore store;

  @BeforeEach
  void open() {
    bucket = s3.newBucket();
    store = new S3BlobStore(new Config.S3(bucket, "/pre/fix/", Optional.of(s3.endpoint()), "us-east-1", true));
  }

  @AfterEach
  void close() {
    store.close();
  }

  @Override
  BlobStore store() {
    return store;
  }

  @Override
  List<String> keys(Area area) {
    String prefix = "pre/fix/" + area.dir() + "/";
    return s3.keys(bucket).stream().filter(k -> k.startsWith(prefix)).map(k -> k.substring(prefix.length()))
        .sorted().toList();
  }

  @Test
  void objectsAreNamedPrefixAreaKeyAndNoMultipartUploadIsLeftOpen() {
    store.put(Area.DATASETS, "d1/v1/train.csv", new ByteArrayInputStream(new byte[] {1}));
    assertThat(s3.keys(bucket)).contains("pre/fix/datasets/d1/v1/train.csv");
    assertThat(s3.client().listMultipartUploads(b -> b.bucket(bucket)).uploads()).isEmpty();
  }

  @Test
  void aMissingBucketMakesPingFalse() {
    try (S3BlobStore missing = new S3BlobStore(new Config.S3("no-such-bucket-here", "", Optional.of(s3.endpoint()),
        "us-east-1", true))) {
      assertThat(missing.ping()).isFalse();
    }
  }
}
