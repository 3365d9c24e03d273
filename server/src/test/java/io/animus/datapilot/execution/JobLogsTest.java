package io.animus.datapilot.execution;

import static org.assertj.core.api.Assertions.assertThat;

import io.animus.datapilot.common.LogRedactor;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The log tail and image-digest rules, without a server. */
class JobLogsTest {
  @TempDir
  Path dir;

  @Test
  void theTailKeepsTheLastFiftyNonBlankLinesRedacted() throws Exception {
    StringBuilder text = new StringBuilder();
    for (int i = 1; i <= 70; i++) {
      text.append("line ").append(i).append(i % 10 == 0 ? "\r\n\n   \n" : "\n");
    }
    text.append("token animus_run_v1.abc.def and dp_").append("A".repeat(43)).append('\n');
    Path file = Files.writeString(dir.resolve("job.log"), text.toString());
    var tail = JobLogs.tail(file, LogRedactor.standard());
    assertThat(tail).hasSize(50).startsWith("line 22").contains("line 70");
    assertThat(tail.get(49)).doesNotContain("animus_run_v1.abc").doesNotContain("dp_AAAA").contains("[REDACTED]");
  }

  @Test
  void aHugeLogIsReadFromItsEndOnlyAndAPartialFirstLineIsDropped() throws Exception {
    Path file = dir.resolve("big.log");
    byte[] filler = ("x".repeat(999) + "\n").getBytes(StandardCharsets.UTF_8);
    try (var out = Files.newOutputStream(file)) {
      for (int i = 0; i < 1000; i++) {
        out.write(filler);
      }
      out.write("last line\n".getBytes(StandardCharsets.UTF_8));
    }
    var tail = JobLogs.tail(file, LogRedactor.standard());
    assertThat(tail).hasSize(50).endsWith("last line");
    assertThat(tail.subList(0, 49)).allSatisfy(l -> assertThat(l).hasSize(999));
    Path empty = Files.writeString(dir.resolve("empty.log"), "");
    assertThat(JobLogs.tail(empty, LogRedactor.standard())).isEmpty();
  }
}
