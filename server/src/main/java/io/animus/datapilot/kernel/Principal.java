package io.animus.datapilot.kernel;

import java.util.Objects;

/**
 * Who is calling. {@code auth} is {@code dev}, {@code api_token}, {@code run_token},
 * {@code ci} or {@code anonymous}; run tokens carry their run and dataset version.
 */
public record Principal(String subject, Role role, String auth, String runId, String datasetVersionId) {
  public static final Principal ANONYMOUS = new Principal("anonymous", null, "anonymous", null, null);
  public static final Principal DEV = new Principal("dev-user", Role.ADMIN, "dev", null, null);
  public static final Principal CI = new Principal("ci", null, "ci", null, null);

  public Principal {
    Objects.requireNonNull(subject);
    Objects.requireNonNull(auth);
  }

  public boolean isAnonymous() {
    return "anonymous".equals(auth);
  }

  public boolean isRunToken() {
    return "run_token".equals(auth);
  }
}
