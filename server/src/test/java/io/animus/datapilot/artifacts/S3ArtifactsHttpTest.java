package io.animus.datapilot.artifacts;

import io.animus.datapilot.testing.BlobBackend;

class S3ArtifactsHttpTest extends ArtifactsHttpContract {
  @Override
  BlobBackend backend() {
    return BlobBackend.s3();
  }
}
