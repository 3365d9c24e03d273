package io.animus.sdk;

import java.time.Duration;
import java.util.Map;

/**
 * What the clients' builders share: gateway URL, bearer token, project and timeout, each falling back to the
 * environment the builder was made with ({@code ANIMUS_GATEWAY_URL}, default http://localhost:8080, and
 * {@code ANIMUS_AUTH_TOKEN}), or, for {@code fromEnv()}, to a training job's {@code DATAPILOT_URL} and
 * {@code TOKEN} first.
 *
 * @param <B> the concrete builder, returned by every setter so calls chain
 */
public abstract class ClientBuilder<B extends ClientBuilder<B>> {
  final Map<String, String> env;
  private String gatewayUrl;
  private String authToken;
  private String projectId;
  private Duration timeout = Duration.ofSeconds(30);

  ClientBuilder(Map<String, String> env) {
    this.env = env;
  }

  abstract B self();

  /** The gateway base URL, such as {@code http://localhost:8080}. */
  public B gatewayUrl(String url) {
    this.gatewayUrl = url;
    return self();
  }

  /** The bearer token (an API token or a run token). */
  public B authToken(String token) {
    this.authToken = token;
    return self();
  }

  /**
   * The project ({@code X-Project-Id}) that creates and lists use, such as {@code team-a}; unset means the server's
   * {@code default}. Resources addressed by id are found in any project, except a different named one (404).
   */
  public B projectId(String projectId) {
    this.projectId = projectId;
    return self();
  }

  /** The per-request timeout (connect and answer); must be positive. */
  public B timeout(Duration timeout) {
    this.timeout = timeout;
    return self();
  }

  /** A training job's settings: {@code DATAPILOT_URL} then {@code ANIMUS_GATEWAY_URL}, {@code TOKEN} then {@code ANIMUS_AUTH_TOKEN}. */
  final B fromJobEnv() {
    this.gatewayUrl = Env.first(env, "DATAPILOT_URL", "ANIMUS_GATEWAY_URL");
    this.authToken = Env.first(env, "TOKEN", "ANIMUS_AUTH_TOKEN");
    return self();
  }

  /** The transport these settings describe; throws IllegalArgumentException for a malformed URL or timeout. */
  final Transport transport() {
    String url = gatewayUrl != null ? gatewayUrl : Env.first(env, "ANIMUS_GATEWAY_URL");
    String token = authToken != null ? authToken : Env.first(env, "ANIMUS_AUTH_TOKEN");
    return new Transport(url == null ? Transport.DEFAULT_GATEWAY_URL : url, token, timeout, projectId);
  }
}
