package io.animus.datapilot.auth;

import io.animus.datapilot.kernel.ApiException;
import io.animus.datapilot.kernel.ErrorCode;
import io.animus.datapilot.http.Router.Access;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The one place where every authorization decision is made (PROTOCOL.md §2.3, §2.4): roles for
 * API tokens and the dev user, path scope for run tokens.
 */
public final class AccessPolicy {
  private static final String RUNS = "/api/experiments/experiment-runs/";
  private static final String VERSIONS = "/api/dataset-registry/dataset-versions/";
  private static final Set<String> RUN_READ_SUFFIXES =
      Set.of("", "/metrics", "/metrics/series", "/events", "/states", "/stream", "/artifacts");
  private static final Set<String> RUN_WRITE_SUFFIXES = Set.of("/metrics", "/metrics:batch", "/events",
      "/events:batch", "/artifacts", "/status", "/heartbeat");

  /** Throws 401/403 unless {@code principal} may call a route of {@code access} at {@code path}. */
  public void check(Principal principal, Access access, String method, String path) {
    if (access == Access.PUBLIC || access == Access.CI) {
      return;
    }
    if (principal.isAnonymous()) {
      throw new ApiException(ErrorCode.UNAUTHORIZED, "an Authorization: Bearer credential is required");
    }
    if (principal.isRunToken()) {
      if (access == Access.ADMIN || !runTokenMayCall(principal, method, path)) {
        throw new ApiException(ErrorCode.FORBIDDEN, "a run token may only touch its own run");
      }
      return;
    }
    Role needed = switch (access) {
      case ADMIN -> Role.ADMIN;
      case EDITOR -> Role.EDITOR;
      default -> Role.VIEWER;
    };
    if (!principal.role().atLeast(needed)) {
      throw new ApiException(ErrorCode.FORBIDDEN, "this call needs the " + needed.wire() + " role");
    }
  }

  static boolean runTokenMayCall(Principal principal, String method, String rawPath) {
    String path = normalise(rawPath);
    boolean read = method.equals("GET") || method.equals("HEAD") || method.equals("OPTIONS");
    if (method.equals("GET") && path.equals("/api/auth/me")) {
      return true;
    }
    String run = RUNS + principal.runId();
    if (path.startsWith(run)) {
      String suffix = path.substring(run.length());
      if (read) {
        return RUN_READ_SUFFIXES.contains(suffix) || suffix.startsWith("/artifacts/");
      }
      return method.equals("POST") && RUN_WRITE_SUFFIXES.contains(suffix);
    }
    if (read && principal.datasetVersionId() != null) {
      String version = VERSIONS + principal.datasetVersionId();
      return path.equals(version) || path.equals(version + "/download");
    }
    return false;
  }

  /**
   * Resolves {@code .} and {@code ..} segments, plain or percent-encoded, so that scope is judged on
   * where a path leads and a path cannot step out of its run.
   */
  static String normalise(String path) {
    String[] parts = path.split("/", -1);
    List<String> kept = new ArrayList<>();
    for (int i = 1; i < parts.length; i++) {
      String plain = parts[i].replace("%2e", ".").replace("%2E", ".");
      if (plain.equals("..")) {
        if (!kept.isEmpty()) {
          kept.remove(kept.size() - 1);
        }
      } else if (!plain.equals(".")) {
        kept.add(parts[i]);
      }
    }
    return "/" + String.join("/", kept);
  }
}
