package io.animus.datapilot.datasets;

import io.animus.datapilot.testing.BlobBackend;

class S3DatasetsHttpTest extends DatasetsHttpContract {
  @Override
  BlobBackend backend() {
    return BlobBackend.s3();
  }
}
