package io.animus.datapilot.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.animus.datapilot.App;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {

  private static Config load(Map<String, String> env) {
    return new ConfigLoader(env, Map.of()).load();
  }

  private static Config load(Map<String, String> env, Map<String, String> flags) {
    return new ConfigLoader(env, flags).load();
  }

  @Test
  void withNoSettingsTheServerListensOnLoopback8080InDevMode() {
    Config config = load(Map.of());
    assertThat(config.http().host()).isEqualTo("127.0.0.1");
    assertThat(config.http().port()).isEqualTo(8080);
    assertThat(config.http().loopback()).isTrue();
    assertThat(config.http().publicUrl()).isEmpty();
    assertThat(config.auth().mode()).isEqualTo(Config.AuthMode.DEV);
    assertThat(config.auth().adminToken()).isEmpty();
    assertThat(config.database().url()).isEmpty();
    assertThat(config.dataDir()).isEqualTo(Path.of("./data").toAbsolutePath().normalize());
    assertThat(config.runStaleAfter()).isEqualTo(Duration.ofMinutes(10));
  }

  @Test
  void everyLoopbackSpellingDefaultsToDevMode() {
    for (String listen : new String[] {"127.0.0.1:9000", "127.1.2.3:9000", "localhost:9000", "[::1]:9000"}) {
      Config config = load(Map.of("DATAPILOT_LISTEN", listen));
      assertThat(config.http().port()).as(listen).isEqualTo(9000);
      assertThat(config.auth().mode()).as(listen).isEqualTo(Config.AuthMode.DEV);
    }
    assertThat(load(Map.of("DATAPILOT_LISTEN", "[::1]:9000")).http().host()).isEqualTo("::1");
  }

  @Test
  void aPublicListenAddressDefaultsToTokenMode() {
    Config config = load(Map.of("DATAPILOT_LISTEN", "0.0.0.0:8080"));
    assertThat(config.http().host()).isEqualTo("0.0.0.0");
    assertThat(config.http().loopback()).isFalse();
    assertThat(config.auth().mode()).isEqualTo(Config.AuthMode.TOKEN);
  }

  @Test
  void tokenModeCanBeChosenOnLoopback() {
    Config config = load(Map.of("DATAPILOT_AUTH_MODE", "token"));
    assertThat(config.auth().mode()).isEqualTo(Config.AuthMode.TOKEN);
  }

  @Test
  void authModeIsCaseInsensitive() {
    assertThat(load(Map.of("DATAPILOT_AUTH_MODE", "TOKEN")).auth().mode()).isEqualTo(Config.AuthMode.TOKEN);
    assertThat(load(Map.of("DATAPILOT_AUTH_MODE", " Dev ")).auth().mode()).isEqualTo(Config.AuthMode.DEV);
  }

  @Test
  void devModeOnAPublicAddressIsRefusedNamingTheOverride() {
    assertThatThrownBy(() -> load(Map.of("DATAPILOT_LISTEN", "0.0.0.0:8080", "DATAPILOT_AUTH_MODE", "dev")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("DATAPILOT_AUTH_MODE")
        .hasMessageContaining("DATAPILOT_ALLOW_DEV_AUTH_ON_PUBLIC");
  }

  @Test
  void devModeOnAPublicAddressIsRefusedWhenTheOverrideIsFalse() {
    assertThatThrownBy(() -> load(Map.of("DATAPILOT_LISTEN", "10.1.2.3:8080", "DATAPILOT_AUTH_MODE", "dev",
        "DATAPILOT_ALLOW_DEV_AUTH_ON_PUBLIC", "false")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("DATAPILOT_ALLOW_DEV_AUTH_ON_PUBLIC");
  }

  @Test
  void devModeOnAPublicAddressIsAllowedWithTheOverride() {
    Config config = load(Map.of("DATAPILOT_LISTEN", "0.0.0.0:8080", "DATAPILOT_AUTH_MODE", "dev",
        "DATAPILOT_ALLOW_DEV_AUTH_ON_PUBLIC", "true"));
    assertThat(config.auth().mode()).isEqualTo(Config.AuthMode.DEV);
    assertThat(config.http().host()).isEqualTo("0.0.0.0");
  }

  @Test
  void theOverrideAloneDoesNotSwitchAPublicAddressToDevMode() {
    Config config = load(Map.of("DATAPILOT_LISTEN", "0.0.0.0:8080", "DATAPILOT_ALLOW_DEV_AUTH_ON_PUBLIC", "true"));
    assertThat(config.auth().mode()).isEqualTo(Config.AuthMode.TOKEN);
  }

  @Test
  void aMalformedBooleanOverrideIsRefusedNamingTheSetting() {
    assertThatThrownBy(() -> load(Map.of("DATAPILOT_ALLOW_DEV_AUTH_ON_PUBLIC", "perhaps")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("DATAPILOT_ALLOW_DEV_AUTH_ON_PUBLIC");
  }

  @Test
  void malformedListenAddressesAreRefusedNamingTheSetting() {
    for (String listen : new String[] {"8080", "0.0.0.0", "0.0.0.0:", ":8080", "host:http", "host:70000",
        "host:-1", "host:99999999999"}) {
      assertThatThrownBy(() -> load(Map.of("DATAPILOT_LISTEN", listen)))
          .as(listen)
          .isInstanceOf(ConfigException.class)
          .hasMessageContaining("DATAPILOT_LISTEN");
    }
  }

  @Test
  void anUnknownAuthModeIsRefusedNamingTheSetting() {
    assertThatThrownBy(() -> load(Map.of("DATAPILOT_AUTH_MODE", "oauth")))
        .isInstanceOf(ConfigException.class)
        .hasMessage("DATAPILOT_AUTH_MODE must be dev or token");
  }

  @Test
  void anAdminTokenShorterThan16CharactersIsRefusedWithoutEchoingIt() {
    String secret = "short-secret-15";
    assertThat(secret).hasSize(15);
    assertThatThrownBy(() -> load(Map.of("DATAPILOT_AUTH_MODE", "token", "DATAPILOT_ADMIN_TOKEN", secret)))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("DATAPILOT_ADMIN_TOKEN")
        .hasMessageContaining("16")
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain(secret));
  }

  @Test
  void anAdminTokenOf16CharactersIsAccepted() {
    Config config = load(Map.of("DATAPILOT_AUTH_MODE", "token", "DATAPILOT_ADMIN_TOKEN", "exactly-16-chars"));
    assertThat(config.auth().adminToken()).contains("exactly-16-chars");
  }

  @Test
  void aBadRunStaleAfterDurationIsRefusedNamingTheSetting() {
    for (String raw : new String[] {"ten minutes", "10x", "1.5h", "-5", "m", "10 m s"}) {
      assertThatThrownBy(() -> load(Map.of("DATAPILOT_RUN_STALE_AFTER", raw)))
          .as(raw)
          .isInstanceOf(ConfigException.class)
          .hasMessageContaining("DATAPILOT_RUN_STALE_AFTER");
    }
  }

  @Test
  void aRunStaleAfterTooLargeToRepresentIsRefusedNamingTheSetting() {
    for (String raw : new String[] {"99999999999999999999", "9999999999999999d", "9223372036854775807",
        "36501d"}) {
      assertThatThrownBy(() -> load(Map.of("DATAPILOT_RUN_STALE_AFTER", raw)))
          .as(raw)
          .isInstanceOf(ConfigException.class)
          .hasMessageContaining("DATAPILOT_RUN_STALE_AFTER");
    }
  }

  @Test
  void aHundredYearsIsTheLongestDuration() {
    assertThat(ConfigLoader.parseDuration("X", "36500d")).isEqualTo(Duration.ofDays(36_500));
    assertThatThrownBy(() -> ConfigLoader.parseDuration("DATAPILOT_RUN_TOKEN_GRACE", "876001h"))
        .isInstanceOf(ConfigException.class)
        .hasMessage("DATAPILOT_RUN_TOKEN_GRACE must be at most 36500d");
  }

  @Test
  void durationsAreSecondsOrANumberWithAUnit() {
    assertThat(ConfigLoader.parseDuration("X", "30")).isEqualTo(Duration.ofSeconds(30));
    assertThat(ConfigLoader.parseDuration("X", "45s")).isEqualTo(Duration.ofSeconds(45));
    assertThat(ConfigLoader.parseDuration("X", "10m")).isEqualTo(Duration.ofMinutes(10));
    assertThat(ConfigLoader.parseDuration("X", "2h")).isEqualTo(Duration.ofHours(2));
    assertThat(ConfigLoader.parseDuration("X", "1d")).isEqualTo(Duration.ofDays(1));
    assertThat(ConfigLoader.parseDuration("X", " 2H ")).isEqualTo(Duration.ofHours(2));
  }

  @Test
  void runStaleAfterIsReadFromTheEnvironment() {
    assertThat(load(Map.of("DATAPILOT_RUN_STALE_AFTER", "30")).runStaleAfter()).isEqualTo(Duration.ofSeconds(30));
    assertThat(load(Map.of("DATAPILOT_RUN_STALE_AFTER", "2h")).runStaleAfter()).isEqualTo(Duration.ofHours(2));
  }

  @Test
  void flagsOverrideTheEnvironment() {
    Map<String, String> env = Map.of("DATAPILOT_LISTEN", "0.0.0.0:9000", "DATAPILOT_AUTH_MODE", "token",
        "DATAPILOT_DATA_DIR", "/tmp/from-env", "DATAPILOT_PUBLIC_URL", "http://env.example");
    Map<String, String> flags = Map.of("DATAPILOT_LISTEN", "127.0.0.1:9100", "DATAPILOT_AUTH_MODE", "dev",
        "DATAPILOT_DATA_DIR", "/tmp/from-flag", "DATAPILOT_PUBLIC_URL", "https://flag.example");
    Config config = load(env, flags);
    assertThat(config.http().host()).isEqualTo("127.0.0.1");
    assertThat(config.http().port()).isEqualTo(9100);
    assertThat(config.auth().mode()).isEqualTo(Config.AuthMode.DEV);
    assertThat(config.dataDir()).isEqualTo(Path.of("/tmp/from-flag"));
    assertThat(config.http().publicUrl()).contains("https://flag.example");
  }

  @Test
  void anInvalidFlagIsRefusedEvenWhenTheEnvironmentIsValid() {
    assertThatThrownBy(() -> load(Map.of("DATAPILOT_AUTH_MODE", "dev"), Map.of("DATAPILOT_AUTH_MODE", "root")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("DATAPILOT_AUTH_MODE");
  }

  @Test
  void blankSettingsCountAsUnset() {
    Config config = load(Map.of("DATAPILOT_LISTEN", "  ", "DATAPILOT_AUTH_MODE", "", "DATAPILOT_ADMIN_TOKEN", " "));
    assertThat(config.http().port()).isEqualTo(8080);
    assertThat(config.auth().mode()).isEqualTo(Config.AuthMode.DEV);
    assertThat(config.auth().adminToken()).isEmpty();
  }

  @Test
  void publicUrlLosesATrailingSlashAndApiSuffix() {
    assertThat(load(Map.of("DATAPILOT_PUBLIC_URL", "https://dp.example/api/")).http().publicUrl())
        .contains("https://dp.example");
    assertThat(load(Map.of("DATAPILOT_PUBLIC_URL", "http://dp.example:8080/")).http().publicUrl())
        .contains("http://dp.example:8080");
  }

  @Test
  void aPublicUrlWithoutHttpSchemeIsRefusedNamingTheSetting() {
    assertThatThrownBy(() -> load(Map.of("DATAPILOT_PUBLIC_URL", "dp.example:8080")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("DATAPILOT_PUBLIC_URL");
  }

  @Test
  void aNonPostgresDatabaseUrlIsRefusedNamingTheSetting() {
    assertThatThrownBy(() -> load(Map.of("DATAPILOT_DATABASE_URL", "jdbc:mysql://db/datapilot")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("DATAPILOT_DATABASE_URL");
  }

  @Test
  void anExternalDatabaseIsConfiguredWithItsCredentials() {
    Config config = load(Map.of("DATAPILOT_DATABASE_URL", "jdbc:postgresql://db:5432/dp",
        "DATAPILOT_DATABASE_USER", "dp", "DATAPILOT_DATABASE_PASSWORD", "pw"));
    assertThat(config.database().url()).contains("jdbc:postgresql://db:5432/dp");
    assertThat(config.database().user()).contains("dp");
    assertThat(config.database().password()).isEqualTo(Optional.of("pw"));
  }

  @Test
  void startingInDevModeOnAPublicAddressFailsBeforeAnythingListensOrIsCreated(@TempDir Path temp)
      throws IOException {
    int port;
    try (ServerSocket probe = new ServerSocket(0)) {
      port = probe.getLocalPort();
    }
    Path dataDir = temp.resolve("never-created");
    Map<String, String> env = new HashMap<>();
    env.put("DATAPILOT_LISTEN", "0.0.0.0:" + port);
    env.put("DATAPILOT_AUTH_MODE", "dev");
    env.put("DATAPILOT_DATA_DIR", dataDir.toString());

    assertThatThrownBy(() -> App.start(new ConfigLoader(env, Map.of()).load()).close())
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("DATAPILOT_ALLOW_DEV_AUTH_ON_PUBLIC");

    assertThat(Files.exists(dataDir)).isFalse();
    assertThat(accepts(port)).isFalse();
  }

  private static boolean accepts(int port) {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress("127.0.0.1", port), 500);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  @Test
  void streamCapsDefaultAndAreValidatedNamingTheSetting() {
    Config defaults = new ConfigLoader(Map.of(), Map.of()).load();
    assertThat(defaults.streams().maxOpen())
        .isEqualTo((int) Math.min(10_000, OpenFileLimit.current() / 2));
    assertThat(defaults.streams().maxPerPrincipal()).isEqualTo(Math.min(1_000, defaults.streams().maxOpen()));
    Config set = new ConfigLoader(Map.of("DATAPILOT_STREAM_MAX_OPEN", "20000",
        "DATAPILOT_STREAM_MAX_PER_PRINCIPAL", "3"), Map.of()).load();
    assertThat(set.streams()).isEqualTo(new Config.Streams(20_000, 3));
    for (String name : List.of("DATAPILOT_STREAM_MAX_OPEN", "DATAPILOT_STREAM_MAX_PER_PRINCIPAL")) {
      for (String bad : List.of("0", "-1", "many", "1000001")) {
        assertThatThrownBy(() -> new ConfigLoader(Map.of(name, bad), Map.of()).load())
            .isInstanceOf(ConfigException.class)
            .hasMessage(name + " must be a whole number from 1 to 1000000");
      }
    }
  }
}
