package io.animus.datapilot.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/** The blob store a test server uses, and a way to list what it holds. */
public interface BlobBackend {
  Map<String, String> settings();

  /** Every stored object as {@code <area>/<key>}, sorted (temporary files included). */
  List<String> keys(TestServer server);

  /** Whether an unfinished write exists (a temporary file, an open multipart upload). */
  boolean writeInProgress(TestServer server);

  static BlobBackend file() {
    return new BlobBackend() {
      @Override
      public Map<String, String> settings() {
        return Map.of("DATAPILOT_BLOB_STORE", "file");
      }

      @Override
      public List<String> keys(TestServer server) {
        Path root = server.app().config().dataDir().resolve("blobs");
        // The server may remove a directory while it is walked (cleanup of an aborted upload): walk again.
        for (int attempt = 1; ; attempt++) {
          try (Stream<Path> files = Files.walk(root)) {
            return files.filter(Files::isRegularFile).map(p -> root.relativize(p).toString()).sorted().toList();
          } catch (IOException | UncheckedIOException e) {
            if (attempt == 20) {
              throw new IllegalStateException("cannot list " + root, e);
            }
          }
        }
      }

      @Override
      public boolean writeInProgress(TestServer server) {
        return keys(server).stream().anyMatch(k -> k.contains("/.tmp-"));
      }

      @Override
      public String toString() {
        return "file";
      }
    };
  }

  static BlobBackend s3() {
    S3Fixture s3 = S3Fixture.get();
    String bucket = s3.newBucket();
    return new BlobBackend() {
      @Override
      public Map<String, String> settings() {
        return s3.serverSettings(bucket);
      }

      @Override
      public List<String> keys(TestServer server) {
        return s3.keys(bucket).stream().map(k -> k.substring("dp/".length())).sorted().toList();
      }

      @Override
      public boolean writeInProgress(TestServer server) {
        return !s3.client().listMultipartUploads(b -> b.bucket(bucket)).uploads().isEmpty();
      }

      @Override
      public String toString() {
        return "s3";
      }
    };
  }
}
