package io.animus.datapilot.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.animus.datapilot.App;
import io.animus.datapilot.config.ConfigException;
import io.animus.datapilot.config.ConfigLoader;
import io.animus.datapilot.testing.ForkedServer;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** DATAPILOT_EMBEDDED_DB_PORT pins the embedded PostgreSQL's port; a bad value is refused at start. */
class EmbeddedPortTest {

  @Test
  void theEmbeddedDatabaseListensOnTheConfiguredPort(@TempDir Path dataDir) throws Exception {
    int port = ForkedServer.freePort();
    Map<String, String> env = Map.of("DATAPILOT_LISTEN", "127.0.0.1:0", "DATAPILOT_DATA_DIR", dataDir.toString(),
        "DATAPILOT_EMBEDDED_DB_PORT", Integer.toString(port));
    try (App app = App.start(new ConfigLoader(env, Map.of()).load())) {
      assertThat(app.database().embeddedPort()).contains(port);
      assertThat(Postmaster.serving(dataDir.resolve("pg")).orElseThrow().port()).isEqualTo(port);
    }
  }

  @Test
  void aPortThatIsNotANumberFrom0To65535IsRefusedNamingTheSetting() {
    for (String bad : new String[] {"abc", "-1", "65536", "5432.5"}) {
      assertThatThrownBy(() -> new ConfigLoader(Map.of("DATAPILOT_EMBEDDED_DB_PORT", bad), Map.of()).load())
          .as(bad).isInstanceOf(ConfigException.class).hasMessageContaining("DATAPILOT_EMBEDDED_DB_PORT");
    }
  }
}
