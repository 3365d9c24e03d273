package io.animus.datapilot.artifacts;

import io.animus.datapilot.testing.BlobBackend;

class FileArtifactsHttpTest extends ArtifactsHttpContract {
  @Override
  BlobBackend backend() {
    return BlobBackend.file();
  }
}
