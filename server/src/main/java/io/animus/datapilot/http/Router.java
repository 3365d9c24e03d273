package io.animus.datapilot.http;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * The route table. Paths are matched segment by segment on the raw (undecoded) path, exactly:
 * no trailing-slash or double-slash folding. Pattern segments are literals, {@code {name}} (a
 * segment without {@code :}), {@code {name}:suffix} (the colon suffix belongs to the segment) or
 * {@code {name*}} (any non-empty segment, colons allowed; used for image digests).
 */
public final class Router {
  /** What a route needs from the caller before its handler runs. */
  public enum Access { PUBLIC, VIEWER, EDITOR, ADMIN, CI }

  @FunctionalInterface
  public interface Handler {
    Reply handle(ApiRequest request) throws Exception;
  }

  /** One entry of the table; {@code idempotent} routes honour {@code Idempotency-Key}. */
  public record Route(String method, String pattern, Access access, boolean idempotent, Handler handler,
                      List<Segment> segments) {}

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

  public Router get(String pattern, Access access, Handler handler) {
    return add("GET", pattern, access, false, handler);
  }

  public Router post(String pattern, Access access, Handler handler) {
    return add("POST", pattern, access, false, handler);
  }

  /** A create whose repeats with the same {@code Idempotency-Key} replay the first answer. */
  public Router idempotentPost(String pattern, Access access, Handler handler) {
    return add("POST", pattern, access, true, handler);
  }

  public Router delete(String pattern, Access access, Handler handler) {
    return add("DELETE", pattern, access, false, handler);
  }

  public Router add(String method, String pattern, Access access, boolean idempotent, Handler handler) {
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
