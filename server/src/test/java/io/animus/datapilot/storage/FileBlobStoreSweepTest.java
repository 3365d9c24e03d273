package io.animus.datapilot.storage;

import static org.assertj.core.api.Assertions.assertThat;

import io.animus.datapilot.storage.BlobStore.Area;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Temporary files of uploads cut by a crash are swept; uploads in progress and other files are not. */
class FileBlobStoreSweepTest {
  @TempDir
  Path root;

  @Test
  void aTemporaryFileLeftByADeadWriterIsRemovedWithTheDirectoriesItLeavesEmpty() throws Exception {
    FileBlobStore store = new FileBlobStore(root);
    Path dir = root.resolve("artifacts/experiments/e/runs/r/artifacts/model/a");
    Files.createDirectories(dir);
    Path temp = dir.resolve(".tmp-" + UUID.randomUUID());
    Files.write(temp, new byte[4096]);
    Path blob = root.resolve("datasets/d/v1/data.csv");
    Files.createDirectories(blob.getParent());
    Files.writeString(blob, "a,b\n");
    Path lookalike = blob.resolveSibling(".tmp-not-ours");
    Files.writeString(lookalike, "kept");

    assertThat(store.sweepTemporaryFiles()).isEqualTo(1);

    assertThat(temp).doesNotExist();
    assertThat(root.resolve("artifacts/experiments")).doesNotExist();
    assertThat(root.resolve("artifacts")).isDirectory();
    assertThat(blob).hasContent("a,b");
    assertThat(lookalike).hasContent("kept");
  }

  @Test
  void aTemporaryFileLockedByAnotherLiveProcessIsKept() throws Exception {
    FileBlobStore store = new FileBlobStore(root);
    Path temp = root.resolve("artifacts").resolve(".tmp-" + UUID.randomUUID());
    Files.write(temp, new byte[16]);
    // another server writing into the same directory: lockf takes the same POSIX lock as FileChannel.lock
    Process other = new ProcessBuilder("python3", "-c", "import fcntl,sys,time\nf=open(sys.argv[1],'r+')\n"
        + "fcntl.lockf(f,fcntl.LOCK_EX)\nprint('locked',flush=True)\ntime.sleep(60)", temp.toString()).start();
    try {
      assertThat(new String(other.getInputStream().readNBytes(6))).isEqualTo("locked");
      assertThat(store.sweepTemporaryFiles()).isZero();
      assertThat(temp).exists();
    } finally {
      other.destroyForcibly();
      other.waitFor(10, TimeUnit.SECONDS);
    }
    assertThat(store.sweepTemporaryFiles()).as("its writer is dead now").isEqualTo(1);
    assertThat(temp).doesNotExist();
  }

  @Test
  void anUploadInProgressInThisProcessIsKeptAndCompletes() throws Exception {
    FileBlobStore store = new FileBlobStore(root);
    CountDownLatch halfway = new CountDownLatch(1);
    CountDownLatch proceed = new CountDownLatch(1);
    InputStream slow = new InputStream() {
      int sent;

      @Override
      public int read() {
        if (sent == 1000) {
          halfway.countDown();
          try {
            proceed.await(30, TimeUnit.SECONDS);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        }
        return sent++ < 2000 ? 'x' : -1;
      }
    };
    CompletableFuture<BlobStore.Written> put =
        CompletableFuture.supplyAsync(() -> store.put(Area.ARTIFACTS, "k/blob", slow));
    assertThat(halfway.await(30, TimeUnit.SECONDS)).isTrue();
    assertThat(store.sweepTemporaryFiles()).isZero();
    proceed.countDown();
    assertThat(put.get(30, TimeUnit.SECONDS).sizeBytes()).isEqualTo(2000);
    assertThat(root.resolve("artifacts/k/blob")).hasSize(2000);
  }
}
