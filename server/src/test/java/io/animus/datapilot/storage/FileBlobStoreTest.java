package io.animus.datapilot.storage;

import static org.assertj.core.api.Assertions.assertThat;

import io.animus.datapilot.storage.BlobStore.Area;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileBlobStoreTest extends BlobStoreContract {
  @TempDir
  Path root;
  FileBlobStore store;

  @BeforeEach
  void open() {
    store = new FileBlobStore(root);
  }

  @Override
  BlobStore store() {
    return store;
  }

  @Override
  List<String> keys(Area area) {
    Path base = root.resolve(area.dir());
    try (Stream<Path> files = Files.walk(base)) {
      return files.filter(Files::isRegularFile).map(p -> base.relativize(p).toString()).sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Test
  void blobsLiveUnderTheAreaDirectoryAndNoTemporaryFileRemains() throws IOException {
    store.put(Area.ARTIFACTS, "x/y/z.bin", new ByteArrayInputStream(new byte[] {1, 2}));
    assertThat(Files.readAllBytes(root.resolve("artifacts/x/y/z.bin"))).containsExactly(1, 2);
    assertThat(keys(Area.ARTIFACTS)).containsExactly("x/y/z.bin");
    assertThat(store.localFile(Area.ARTIFACTS, "x/y/z.bin")).contains(root.resolve("artifacts/x/y/z.bin"));
  }
}
