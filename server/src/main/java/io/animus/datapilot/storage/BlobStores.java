package io.animus.datapilot.storage;

import io.animus.datapilot.config.Config;

/** Opens the configured blob store: files under {@code <data dir>/blobs}, or S3. */
public final class BlobStores {
  private BlobStores() {}

  public static BlobStore open(Config config) {
    return config.blobs().s3()
        .<BlobStore>map(S3BlobStore::new)
        .orElseGet(() -> {
          FileBlobStore files = new FileBlobStore(config.dataDir().resolve("blobs"));
          files.sweepTemporaryFiles();
          return files;
        });
  }
}
