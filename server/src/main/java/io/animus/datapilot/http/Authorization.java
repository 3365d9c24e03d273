package io.animus.datapilot.http;

import io.animus.datapilot.kernel.Principal;
import java.util.Map;

/**
 * Decides whether a caller may call a matched route, from the route's declared {@link Router.Access};
 * the auth feature provides it (App wires it in).
 */
@FunctionalInterface
public interface Authorization {
  /**
   * Throws a 401 or 403 {@code ApiException} unless {@code principal} may call the route declared
   * {@code access} whose path parameters are {@code params}, for {@code method} at {@code rawPath}
   * (the request's undecoded path).
   */
  void check(Principal principal, Router.Access access, Map<String, String> params, String method, String rawPath);
}
