package io.animus.sdk;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Progress callbacks of uploads and downloads, and a download resumed from what an earlier call left behind. */
class TransferProgressTest {
  @TempDir
  Path tmp;

  @Test
  void uploadAndResumedDownloadReportTheirBytes() throws Exception {
    byte[] content = new byte[3 << 20];
    new Random(7).nextBytes(content);
    Path file = tmp.resolve("data.bin");
    Files.write(file, content);
    DatasetRegistryClient client = LiveServer.datasets();
    Dataset dataset = client.createDataset(LiveServer.unique("progress"), null, null);

    List<long[]> sent = new CopyOnWriteArrayList<>();
    DatasetVersion version = client.uploadDatasetVersion(dataset.datasetId(), file, null, null,
        (done, total) -> sent.add(new long[] {done, total}));
    assertThat(version.sizeBytes()).isEqualTo(content.length);
    assertThat(sent).isNotEmpty();
    assertThat(sent.get(sent.size() - 1)).containsExactly(content.length, content.length);
    for (int i = 1; i < sent.size(); i++) {
      assertThat(sent.get(i)[0]).isGreaterThan(sent.get(i - 1)[0]);
    }

    // what an interrupted call left: the first MiB in <dest>.tmp
    Path dest = tmp.resolve("out.bin");
    Files.write(tmp.resolve("out.bin.tmp"), Arrays.copyOf(content, 1 << 20));
    List<long[]> received = new CopyOnWriteArrayList<>();
    DownloadResult result = client.downloadDatasetVersion(version.versionId(), dest,
        (done, total) -> received.add(new long[] {done, total}), true);
    assertThat(Files.readAllBytes(dest)).isEqualTo(content);
    assertThat(result.sha256()).isEqualTo(version.contentSha256());
    assertThat(received.get(0)[0]).isGreaterThan(1 << 20);
    assertThat(received.get(0)[1]).isEqualTo(content.length);
    assertThat(received.get(received.size() - 1)[0]).isEqualTo(content.length);

    // without resume the same leftover is ignored and overwritten
    Files.write(tmp.resolve("again.bin.tmp"), new byte[] {1, 2, 3});
    List<long[]> fresh = new CopyOnWriteArrayList<>();
    client.downloadDatasetVersion(version.versionId(), tmp.resolve("again.bin"),
        (done, total) -> fresh.add(new long[] {done, total}), false);
    assertThat(Files.readAllBytes(tmp.resolve("again.bin"))).isEqualTo(content);
    assertThat(fresh.get(0)[0]).isLessThanOrEqualTo(1 << 16);
  }
}
