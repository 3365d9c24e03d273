package io.animus.datapilot.cli;

import io.animus.sdk.DatasetRegistryClient;
import io.animus.sdk.ExperimentsClient;
import picocli.CommandLine.Option;

/**
 * The options every client command takes (a picocli mixin) and what they resolve to: the SDK clients, configured
 * exactly like the SDKs ({@code ANIMUS_GATEWAY_URL}, {@code ANIMUS_AUTH_TOKEN}, {@code ANIMUS_CI_WEBHOOK_SECRET})
 * with {@code --url}, {@code --token} and {@code --project} on top.
 */
public final class ClientOptions {
  @Option(names = "--url", paramLabel = "URL",
      description = "DataPilot base URL (env ANIMUS_GATEWAY_URL, default http://localhost:8080)")
  String url;

  @Option(names = "--token", paramLabel = "TOKEN", description = "API token (env ANIMUS_AUTH_TOKEN)")
  String token;

  @Option(names = "--project", paramLabel = "PROJECT", description = "project id (default: the server's 'default')")
  String project;

  @Option(names = "--json", description = "print JSON instead of tables (one JSON value; streams: one per line)")
  boolean json;

  private final Terminal term;

  ClientOptions(Terminal term) {
    this.term = term;
  }

  Terminal term() {
    return term;
  }

  Printer printer() {
    return new Printer(term);
  }

  String gatewayUrl() {
    String u = url != null ? url : term.env("ANIMUS_GATEWAY_URL");
    return u == null ? "http://localhost:8080" : u;
  }

  ExperimentsClient experiments() {
    return ExperimentsClient.builder().gatewayUrl(gatewayUrl()).authToken(authToken()).projectId(project)
        .ciSecret(ciSecret()).build();
  }

  DatasetRegistryClient datasets() {
    return DatasetRegistryClient.builder().gatewayUrl(gatewayUrl()).authToken(authToken()).projectId(project)
        .build();
  }

  private String authToken() {
    // an empty string stops the SDK from falling back to this process's own environment
    String t = token != null ? token : term.env("ANIMUS_AUTH_TOKEN");
    return t == null ? "" : t;
  }

  String ciSecret() {
    String s = term.env("ANIMUS_CI_WEBHOOK_SECRET");
    return s == null ? "" : s;
  }

  /** Prints {@code value} as JSON with {@code --json}, else runs {@code human}. */
  void print(Object value, Runnable human) {
    if (json) {
      printer().json(value);
    } else {
      human.run();
    }
  }
}
