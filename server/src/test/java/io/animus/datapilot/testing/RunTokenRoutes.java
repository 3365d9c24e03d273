package io.animus.datapilot.testing;

import io.animus.datapilot.auth.AccessPolicy;
import io.animus.datapilot.http.Reply;
import io.animus.datapilot.http.Router;
import io.animus.datapilot.http.Router.Access;
import io.animus.datapilot.http.Router.RunTokenScope;
import io.animus.datapilot.kernel.Principal;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The routes a run token may call, written out (docs/protocol.md §2.3's scope table). The server's route
 * table must declare exactly these ({@code ApiRoutesTest}), so opening a route to run tokens is a
 * conscious change here; the access-policy unit tests judge their calls against a table of these.
 */
public final class RunTokenRoutes {
  private static final String RUN = "/api/experiments/experiment-runs/{run_id}";
  private static final String VERSION = "/api/dataset-registry/dataset-versions/{version_id}";

  /** {@code METHOD pattern level scope}, as {@link #describe} writes a route. */
  public static final List<String> EXPECTED = List.of(
      "GET /api/auth/me viewer IDENTITY",
      "GET " + RUN + " viewer READ_RUN",
      "GET " + RUN + "/states viewer READ_RUN",
      "GET " + RUN + "/metrics viewer READ_RUN",
      "GET " + RUN + "/metrics/series viewer READ_RUN",
      "GET " + RUN + "/events viewer READ_RUN",
      "GET " + RUN + "/stream viewer READ_RUN",
      "GET " + RUN + "/artifacts viewer READ_RUN",
      "GET " + RUN + "/artifacts/{artifact_id} viewer READ_RUN",
      "GET " + RUN + "/artifacts/{artifact_id}/download viewer READ_RUN",
      "POST " + RUN + "/metrics editor WRITE_RUN",
      "POST " + RUN + "/metrics:batch editor WRITE_RUN",
      "POST " + RUN + "/events editor WRITE_RUN",
      "POST " + RUN + "/events:batch editor WRITE_RUN",
      "POST " + RUN + "/status editor WRITE_RUN",
      "POST " + RUN + "/heartbeat editor WRITE_RUN",
      "POST " + RUN + "/artifacts editor WRITE_RUN",
      "PATCH " + RUN + " editor PATCH_RUN",
      "POST " + RUN + "/params editor WRITE_RUN",
      "GET " + VERSION + " viewer READ_DATASET_VERSION",
      "GET " + VERSION + "/download viewer READ_DATASET_VERSION");

  private RunTokenRoutes() {}

  public static String describe(Router.Route route) {
    return route.method() + " " + route.pattern() + " " + route.access().level().name().toLowerCase(Locale.ROOT)
        + " " + route.access().runToken();
  }

  /** A route table holding the {@link #EXPECTED} routes, with handlers that are never called. */
  public static Router router() {
    Router router = new Router();
    for (String row : EXPECTED) {
      String[] part = row.split(" ");
      Access access = new Access(Access.Level.valueOf(part[2].toUpperCase(Locale.ROOT)),
          RunTokenScope.valueOf(part[3]));
      router.add(part[0], part[1], access, false, r -> Reply.ok(null));
    }
    return router;
  }

  /** The access policy over {@link #router()}, asked by method and path as the dispatcher would. */
  public static PathPolicy policy() {
    Router router = router();
    return new PathPolicy(router, new AccessPolicy(router));
  }

  /**
   * Asks the policy about a call to {@code path} on a route of level {@code access}: the run-token
   * scope and path parameters are those of the route {@link #router()} matches there (OPTIONS
   * takes the GET route's, as the dispatcher does), none where it matches nothing.
   */
  public record PathPolicy(Router router, AccessPolicy policy) {
    public void check(Principal principal, Access access, String method, String path) {
      Router.Match match = router.match(method.equals("OPTIONS") ? "GET" : method, path);
      boolean scoped = access.level() == Access.Level.VIEWER || access.level() == Access.Level.EDITOR;
      if (match instanceof Router.Found found && scoped) {
        policy.check(principal, access.orRunToken(found.route().access().runToken()), found.params(), method, path);
      } else {
        policy.check(principal, access, Map.of(), method, path);
      }
    }
  }
}
