package io.animus.datapilot.auth;

import io.animus.datapilot.http.Authorization;
import io.animus.datapilot.http.Router;
import io.animus.datapilot.http.Router.Access;
import io.animus.datapilot.http.Router.RunTokenScope;
import io.animus.datapilot.kernel.ApiException;
import io.animus.datapilot.kernel.ErrorCode;
import io.animus.datapilot.kernel.Principal;
import io.animus.datapilot.kernel.Role;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The one place where every authorization decision is made (docs/protocol.md §2.3, §2.4), from what
 * the matched route declares: its role level for API tokens and the dev user, its run-token scope
 * for run tokens. Nothing here lists paths; the route table does.
 */
public final class AccessPolicy implements Authorization {
  private final Router routes;

  /** {@code routes} is the server's table: a path with dot segments is judged by the route it leads to. */
  public AccessPolicy(Router routes) {
    this.routes = routes;
  }

  @Override
  public void check(Principal principal, Access access, Map<String, String> params, String method, String rawPath) {
    if (access.level() == Access.Level.PUBLIC || access.level() == Access.Level.CI) {
      return;
    }
    if (principal.isAnonymous()) {
      throw new ApiException(ErrorCode.UNAUTHORIZED, "an Authorization: Bearer credential is required");
    }
    if (principal.isRunToken()) {
      if (access.level() == Access.Level.ADMIN || !runTokenMayCall(principal, access, params, method, rawPath)) {
        throw new ApiException(ErrorCode.FORBIDDEN, "a run token may only touch its own run");
      }
      return;
    }
    Role needed = switch (access.level()) {
      case ADMIN -> Role.ADMIN;
      case EDITOR -> Role.EDITOR;
      default -> Role.VIEWER;
    };
    if (!principal.role().atLeast(needed)) {
      throw new ApiException(ErrorCode.FORBIDDEN, "this call needs the " + needed.wire() + " role");
    }
  }

  /**
   * Scope is judged on where a path leads: when {@code .} or {@code ..} segments (plain or
   * percent-encoded) make the path lead elsewhere, the route that the resolved path matches decides,
   * so that a path cannot step out of its run; a resolved path that matches no route is refused.
   */
  private boolean runTokenMayCall(Principal principal, Access access, Map<String, String> params, String method,
                                  String rawPath) {
    String path = normalise(rawPath);
    if (path.equals(rawPath)) {
      return scopeAllows(principal, access.runToken(), params, method);
    }
    String routed = method.equals("HEAD") || method.equals("OPTIONS") ? "GET" : method;
    return routes.match(routed, path) instanceof Router.Found resolved
        && scopeAllows(principal, resolved.route().access().runToken(), resolved.params(), method);
  }

  /** Whether the declared scope lets this run token make this call (HEAD and OPTIONS go with GET). */
  static boolean scopeAllows(Principal principal, RunTokenScope scope, Map<String, String> params, String method) {
    boolean read = method.equals("GET") || method.equals("HEAD") || method.equals("OPTIONS");
    return switch (scope) {
      case NONE -> false;
      case IDENTITY -> method.equals("GET");
      case READ_RUN -> read && principal.runId().equals(params.get(scope.param()));
      case WRITE_RUN, PATCH_RUN -> method.equals(scope.method()) && principal.runId().equals(params.get(scope.param()));
      case READ_DATASET_VERSION -> read && principal.datasetVersionId() != null
          && principal.datasetVersionId().equals(params.get(scope.param()));
    };
  }

  /** Resolves {@code .} and {@code ..} segments, plain or percent-encoded. */
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
