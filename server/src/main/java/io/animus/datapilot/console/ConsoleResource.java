package io.animus.datapilot.console;

import io.animus.datapilot.common.Hashing;
import io.animus.datapilot.kernel.ApiException;
import io.animus.datapilot.http.ApiRequest;
import io.animus.datapilot.kernel.ErrorCode;
import io.animus.datapilot.http.Reply;
import io.animus.datapilot.http.Router;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * The web console's static files (docs/protocol.md §1.1, §2.5): the pages under {@code /console/} and
 * uPlot from its webjar under {@code /webjars/uplot/<version>/dist/}. Files come from the class
 * path only; a name is one plain segment with a known extension, so nothing outside those two
 * folders can be reached. The files hold no data and need no credential.
 */
public final class ConsoleResource {
  /** One plain file name: no separators, no leading dot, a known extension. */
  private static final Pattern FILE = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,99}");
  private static final Pattern VERSION = Pattern.compile("[0-9][0-9A-Za-z.-]{0,39}");
  private static final Map<String, String> TYPES = Map.of(
      "html", "text/html; charset=utf-8",
      "js", "text/javascript; charset=utf-8",
      "css", "text/css; charset=utf-8",
      "svg", "image/svg+xml",
      "png", "image/png",
      "json", "application/json");
  /** Pages may change with a server upgrade: revalidate each time (cheap, thanks to the ETag). */
  private static final String PAGE_CACHE = "no-cache";
  /** Webjar paths carry the version, so their bytes never change. */
  private static final String WEBJAR_CACHE = "public, max-age=31536000, immutable";
  private static final String CSP = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
      + "img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'";

  private record StaticFile(byte[] bytes, String contentType, String etag) {}

  private final ClassLoader loader;
  private final Map<String, Optional<StaticFile>> cache = new ConcurrentHashMap<>();

  public ConsoleResource() {
    this(ConsoleResource.class.getClassLoader());
  }

  ConsoleResource(ClassLoader loader) {
    this.loader = loader;
  }

  /** This resource's handlers; the route table ({@code ApiRoutes}) says where and for whom. */
  public Handlers handlers() {
    return new Handlers(r -> new Reply(302, null, Map.of("Location", "/console/"), false),
        r -> serve(r, "console/index.html", PAGE_CACHE),
        r -> serve(r, "console/" + fileName(r, "file"), PAGE_CACHE), this::webjar);
  }

  public record Handlers(Router.Handler redirect, Router.Handler index, Router.Handler page,
                         Router.Handler webjar) {}


  private Reply webjar(ApiRequest request) {
    String version = request.path("version");
    if (!VERSION.matcher(version).matches()) {
      throw missing();
    }
    return serve(request, "META-INF/resources/webjars/uplot/" + version + "/dist/" + fileName(request, "file"),
        WEBJAR_CACHE);
  }

  private static String fileName(ApiRequest request, String param) {
    String name = request.path(param);
    if (!FILE.matcher(name).matches() || name.contains("..") || !TYPES.containsKey(extension(name))) {
      throw missing();
    }
    return name;
  }

  private Reply serve(ApiRequest request, String resource, String cacheControl) {
    StaticFile file = cache.computeIfAbsent(resource, this::load).orElseThrow(ConsoleResource::missing);
    var ctx = request.context();
    ctx.header("Cache-Control", cacheControl);
    ctx.header("ETag", file.etag());
    ctx.header("X-Content-Type-Options", "nosniff");
    if (file.contentType().startsWith("text/html")) {
      ctx.header("Content-Security-Policy", CSP);
      ctx.header("Referrer-Policy", "no-referrer");
    }
    if (file.etag().equals(request.header("If-None-Match").orElse(""))) {
      ctx.status(304);
      return Reply.written();
    }
    ctx.status(200);
    ctx.contentType(file.contentType());
    ctx.header("Content-Length", Integer.toString(file.bytes().length));
    if (!"HEAD".equals(ctx.req().getMethod())) {
      ctx.result(file.bytes());
    }
    return Reply.written();
  }

  private Optional<StaticFile> load(String resource) {
    try (InputStream in = loader.getResourceAsStream(resource)) {
      if (in == null) {
        return Optional.empty();
      }
      byte[] bytes = in.readAllBytes();
      String etag = "\"" + Hashing.sha256Hex(bytes).substring(0, 32) + "\"";
      return Optional.of(new StaticFile(bytes, TYPES.get(extension(resource)), etag));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String extension(String name) {
    int dot = name.lastIndexOf('.');
    return dot < 0 ? "" : name.substring(dot + 1);
  }

  private static ApiException missing() {
    return new ApiException(ErrorCode.ROUTE_NOT_FOUND, "no such console file");
  }
}
