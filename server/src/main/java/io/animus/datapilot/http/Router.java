package io.animus.datapilot.http;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;

/**
 * The route table. Paths are matched segment by segment on the raw (undecoded) path, exactly:
 * no trailing-slash or double-slash folding. Pattern segments are literals, {@code {name}} (a
 * segment without {@code :}), {@code {name}:suffix} (the colon suffix belongs to the segment) or
 * {@code {name*}} (any non-empty segment, colons allowed; used for image digests).
 */
public final class Router {
  /**
   * Who may call a route, declared once with the route in the table: the level an API token (or the
   * dev user) needs, and what a run token may do there. No route can be added without one, and
   * only viewer and editor routes can open to run tokens.
   */
  public record Access(Level level, RunTokenScope runToken) {
    public enum Level { PUBLIC, VIEWER, EDITOR, ADMIN, CI }

    /** Anyone; a bad credential counts as none. */
    public static final Access PUBLIC = new Access(Level.PUBLIC, RunTokenScope.NONE);
    /** The viewer role or more; run tokens refused. */
    public static final Access VIEWER = new Access(Level.VIEWER, RunTokenScope.NONE);
    /** The editor role or more; run tokens refused. */
    public static final Access EDITOR = new Access(Level.EDITOR, RunTokenScope.NONE);
    /** The admin role; never a run token. */
    public static final Access ADMIN = new Access(Level.ADMIN, RunTokenScope.NONE);
    /** The CI signature alone (checked by the handler); the Authorization header is ignored. */
    public static final Access CI = new Access(Level.CI, RunTokenScope.NONE);

    public Access {
      Objects.requireNonNull(level, "level");
      Objects.requireNonNull(runToken, "runToken");
      if (runToken != RunTokenScope.NONE && level != Level.VIEWER && level != Level.EDITOR) {
        throw new IllegalArgumentException("only viewer and editor routes can open to run tokens, not " + level);
      }
    }

    /** The same role rule, and open to a run token within {@code scope}. */
    public Access orRunToken(RunTokenScope scope) {
      return new Access(level, scope);
    }

    /**
     * What an OPTIONS asks where this is the GET route: a viewer, as for GET (an admin GET too), and
     * the same run-token scope; a public GET stays public.
     */
    public Access forOptions() {
      return level == Level.PUBLIC ? this : new Access(Level.VIEWER, runToken);
    }
  }

  /**
   * What a run token may do on a route (docs/protocol.md §2.3's scope table, declared route by route).
   * A scope other than {@link #NONE} names the one method it allows and, for run and dataset-version
   * scopes, the path parameter that must be the token's own run or dataset version.
   */
  public enum RunTokenScope {
    /** Run tokens are refused. */
    NONE(null, null),
    /** GET, HEAD and OPTIONS where {@code {run_id}} is the token's run. */
    READ_RUN("GET", "run_id"),
    /** POST where {@code {run_id}} is the token's run. */
    WRITE_RUN("POST", "run_id"),
    /** PATCH where {@code {run_id}} is the token's run: the run curates itself (name, notes, tags, summary). */
    PATCH_RUN("PATCH", "run_id"),
    /** GET, HEAD and OPTIONS where {@code {version_id}} is the dataset version the token names. */
    READ_DATASET_VERSION("GET", "version_id"),
    /** GET only (not HEAD or OPTIONS), whatever the run: who the caller is. */
    IDENTITY("GET", null);

    private final String method;
    private final String param;

    RunTokenScope(String method, String param) {
      this.method = method;
      this.param = param;
    }

    /** The route method this scope belongs on, or null for {@link #NONE}. */
    public String method() {
      return method;
    }

    /** The path parameter compared with the token's run or dataset version, or null. */
    public String param() {
      return param;
    }
  }

  @FunctionalInterface
  public interface Handler {
    Reply handle(ApiRequest request) throws Exception;
  }

  /** One entry of the table; {@code idempotent} routes honour {@code Idempotency-Key}. */
  public record Route(String method, String pattern, Access access, boolean idempotent, Handler handler,
                      List<Segment> segments) {
    public Route {
      Objects.requireNonNull(method, "method");
      Objects.requireNonNull(pattern, "pattern");
      Objects.requireNonNull(access, "access: every route declares who may call it");
      Objects.requireNonNull(handler, "handler");
      RunTokenScope scope = access.runToken();
      if (scope != RunTokenScope.NONE) {
        if (!scope.method().equals(method)) {
          throw new IllegalArgumentException(method + " " + pattern + ": run-token scope " + scope
              + " belongs on " + scope.method() + " routes");
        }
        if (scope.param() != null && segments.stream().noneMatch(s -> scope.param().equals(s.param()))) {
          throw new IllegalArgumentException(method + " " + pattern + ": run-token scope " + scope
              + " needs a {" + scope.param() + "} segment");
        }
      }
    }
  }

  public record Segment(String literal, String param, String suffix, boolean anyText) {
    boolean matches(String raw, Map<String, String> params) {
      if (literal != null) {
        return literal.equals(raw);
      }
      if (!raw.endsWith(suffix)) {
        return false;
      }
      String value = raw.substring(0, raw.length() - suffix.length());
      if (value.isEmpty() || (!anyText && value.indexOf(':') >= 0)) {
        return false;
      }
      params.put(param, value);
      return true;
    }

    boolean isLiteral() {
      return literal != null;
    }
  }

  /** The outcome of matching one request. */
  public sealed interface Match permits Found, NotAllowed, NoRoute {}

  public record Found(Route route, Map<String, String> params) implements Match {}

  public record NotAllowed(String allow) implements Match {}

  public record NoRoute() implements Match {}

  private final List<Route> routes = new ArrayList<>();
  private final java.util.Set<String> dataAppends = new java.util.HashSet<>();

  public Router get(String pattern, Access access, Handler handler) {
    return add("GET", pattern, access, false, handler);
  }

  public Router post(String pattern, Access access, Handler handler) {
    return add("POST", pattern, access, false, handler);
  }

  /**
   * A telemetry append (metric points, events, heartbeats): data, not an administrative change, so
   * the audit log records only its denials (docs/adr/0035), and the request never waits for an
   * audit row.
   */
  public Router dataPost(String pattern, Access access, Handler handler) {
    add("POST", pattern, access, false, handler);
    dataAppends.add("POST " + pattern);
    return this;
  }

  /** Whether a route was declared with {@link #dataPost}. */
  public boolean isDataAppend(Route route) {
    return dataAppends.contains(route.method() + " " + route.pattern());
  }

  /** A create whose repeats with the same {@code Idempotency-Key} replay the first answer. */
  public Router idempotentPost(String pattern, Access access, Handler handler) {
    return add("POST", pattern, access, true, handler);
  }

  public Router patch(String pattern, Access access, Handler handler) {
    return add("PATCH", pattern, access, false, handler);
  }

  public Router delete(String pattern, Access access, Handler handler) {
    return add("DELETE", pattern, access, false, handler);
  }

  public Router add(String method, String pattern, Access access, boolean idempotent, Handler handler) {
    for (Route existing : routes) {
      if (existing.method().equals(method) && existing.pattern().equals(pattern)) {
        throw new IllegalArgumentException("route declared twice: " + method + " " + pattern);
      }
    }
    routes.add(new Route(method, pattern, access, idempotent, handler, parse(pattern)));
    return this;
  }

  public List<Route> routes() {
    return List.copyOf(routes);
  }

  static List<Segment> parse(String pattern) {
    List<Segment> segments = new ArrayList<>();
    for (String part : pattern.substring(1).split("/", -1)) {
      if (part.startsWith("{")) {
        int close = part.indexOf('}');
        String name = part.substring(1, close);
        boolean any = name.endsWith("*");
        segments.add(new Segment(null, any ? name.substring(0, name.length() - 1) : name,
            part.substring(close + 1), any));
      } else {
        segments.add(new Segment(part, null, null, false));
      }
    }
    return segments;
  }

  /**
   * Finds the route for a method and raw path. HEAD falls back to GET; OPTIONS and wrong methods
   * are answered by the caller from {@link NotAllowed#allow()}.
   */
  public Match match(String method, String rawPath) {
    if (!rawPath.startsWith("/")) {
      return new NoRoute();
    }
    String[] parts = rawPath.substring(1).split("/", -1);
    List<Found> candidates = new ArrayList<>();
    for (Route route : routes) {
      Map<String, String> params = matchSegments(route.segments(), parts);
      if (params != null) {
        candidates.add(new Found(route, params));
      }
    }
    if (candidates.isEmpty()) {
      return new NoRoute();
    }
    // Most literal segments first, so /experiments/runs:execute beats /experiments/{experiment_id}.
    candidates.sort((a, b) -> Long.compare(literalCount(b.route()), literalCount(a.route())));
    String wanted = "HEAD".equals(method) ? "GET" : method;
    for (Found found : candidates) {
      if (found.route().method().equals(wanted) && !"OPTIONS".equals(method)) {
        return found;
      }
    }
    TreeSet<String> allow = new TreeSet<>();
    long best = literalCount(candidates.get(0).route());
    for (Found found : candidates) {
      if (literalCount(found.route()) == best) {
        allow.add(found.route().method());
        if ("GET".equals(found.route().method())) {
          allow.add("HEAD");
        }
      }
    }
    allow.add("OPTIONS");
    return new NotAllowed(String.join(", ", allow));
  }

  private static long literalCount(Route route) {
    return route.segments().stream().filter(Segment::isLiteral).count();
  }

  private static Map<String, String> matchSegments(List<Segment> segments, String[] parts) {
    if (segments.size() != parts.length) {
      return null;
    }
    Map<String, String> params = new LinkedHashMap<>();
    for (int i = 0; i < parts.length; i++) {
      if (!segments.get(i).matches(parts[i], params)) {
        return null;
      }
    }
    return params;
  }
}
