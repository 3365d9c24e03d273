package io.animus.datapilot.readme;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ReadmeBlocksTest {
  private static final String MARKDOWN = """
      # Title

      ```bash
      X=$(curl -s localhost:8080/a | jq -r .id)
      echo "$X"
      ```

      <!-- readme-test: skip (needs a cluster) -->

      ```sh
      kubectl apply
      ```

      ```java
      var x = 1;
      ```

      ```python
      print("hi")
      ```
      """;

  @Test
  void findsBlocksWithLanguageLineAndSkipReason() {
    List<ReadmeBlocks.Block> blocks = ReadmeBlocks.parse(MARKDOWN);

    assertThat(blocks).extracting(ReadmeBlocks.Block::language).containsExactly("bash", "sh", "java", "python");
    assertThat(blocks).extracting(ReadmeBlocks.Block::firstLine).containsExactly(4, 11, 15, 19);
    assertThat(blocks).extracting(ReadmeBlocks.Block::skipReason)
        .containsExactly(null, "needs a cluster", null, null);
    assertThat(blocks).extracting(ReadmeBlocks.Block::runs).containsExactly(true, false, false, true);
    assertThat(blocks.get(0).captures()).containsExactly("X");
    assertThat(blocks.get(0).title()).isEqualTo("X=$(curl -s localhost:8080/a | jq -r .id)");
  }

  @Test
  void refusesConsoleBlocksAndMalformedMarkers() {
    assertThatThrownBy(() -> ReadmeBlocks.parse("text\n```console\n$ ls\n```\n"))
        .hasMessageContaining("README line 2: a console block");
    assertThatThrownBy(() -> ReadmeBlocks.parse("<!-- readme-test: skip -->\n```bash\nls\n```\n"))
        .hasMessageContaining("README line 1: malformed marker");
    assertThatThrownBy(() -> ReadmeBlocks.parse("```bash\nls\n"))
        .hasMessageContaining("never closed");
  }

  @Test
  void rewritesOnlyTheReadmePorts() {
    String text = "curl localhost:8080/x 127.0.0.1:8081 localhost:9000 http://localhost:8082/";
    assertThat(ReadmeScript.rewritePorts(text, Map.of(8080, 40001, 8081, 40002, 8082, 40003)))
        .isEqualTo("curl localhost:40001/x 127.0.0.1:40002 localhost:9000 http://localhost:40003/");
  }
}
