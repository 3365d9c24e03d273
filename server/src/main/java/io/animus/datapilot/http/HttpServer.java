package io.animus.datapilot.http;

import io.animus.datapilot.kernel.ApiException;
import io.animus.datapilot.kernel.ErrorCode;
import io.animus.datapilot.kernel.Json;

import io.animus.datapilot.common.ProjectScope;
import io.animus.datapilot.kernel.Principal;
import io.animus.datapilot.storage.DatabaseUnavailable;
import io.javalin.Javalin;
import io.javalin.compression.CompressionStrategy;
import io.javalin.http.Context;
import io.javalin.http.HandlerType;
import io.javalin.router.EndpointNotFound;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * Javalin set-up and the single dispatcher: request ids, routing (404/405/OPTIONS/HEAD),
 * authentication and authorization, projects, idempotency, the JSON error body, audit, metrics.
 */
public final class HttpServer {
  private static final Logger LOG = LoggerFactory.getLogger(HttpServer.class);
  private static final Logger ACCESS = LoggerFactory.getLogger("datapilot.access");
  static final long JSON_LIMIT = 1L << 20;
  static final long BATCH_LIMIT = 4L << 20;
  private static final long DRAIN_LIMIT = 64L << 10;
  /** Open files kept beside connections: database sessions, blob and upload files, jars, logs. */
  private static final long FILES_RESERVED = 512;
  private static final int ACCEPT_QUEUE = 4096;
  private static final List<HandlerType> METHODS = List.of(HandlerType.GET, HandlerType.POST, HandlerType.PUT,
      HandlerType.PATCH, HandlerType.DELETE, HandlerType.HEAD, HandlerType.OPTIONS);

  private final Router router;
  private final Authentication authentication;
  private final Authorization authorization;
  private final Idempotency idempotency;
  private final AuditSink audit;
  private final RequestListener listener;
  private Javalin javalin;
  private HeaderDeadline headerDeadline;
  /** How long a client may take to send a request line and headers (slow-header connections are closed). */
  static final java.time.Duration HEADER_DEADLINE = java.time.Duration.ofSeconds(10);

  /** What the dispatcher asks of the features; {@code http} itself depends on none of them. */
  public record Features(Authentication authentication, Authorization authorization, AuditSink audit,
                         RequestListener listener) {}

  public HttpServer(Router router, Idempotency idempotency, Features features) {
    this.router = router;
    this.idempotency = idempotency;
    this.authentication = features.authentication();
    this.authorization = features.authorization();
    this.audit = features.audit();
    this.listener = features.listener();
  }

  public void start(String host, int port) {
    javalin = Javalin.create(cfg -> {
      cfg.startup.showJavalinBanner = false;
      cfg.jetty.host = host;
      cfg.jetty.port = port;
      cfg.router.ignoreTrailingSlashes = false;
      cfg.router.treatMultipleSlashesAsSingleSlash = false;
      cfg.http.maxRequestSize = BATCH_LIMIT;
      // Live streams hold no thread (they write asynchronously), so the pool serves ordinary requests
      // only; blocking uploads and downloads are what it is sized for.
      cfg.jetty.threadPool = new org.eclipse.jetty.util.thread.QueuedThreadPool(400, 8, 60_000);
      // Javalin's own connector, with a longer accept queue than the JDK's 50: when thousands of
      // streams reconnect at once (after a restart) they wait in the kernel instead of being dropped.
      cfg.jetty.addConnector((server, httpConfig) -> {
        // Jetty reuses a header field it parsed earlier on the same connection when the new value matches
        // it ignoring case, so "Bearer …a…" after "Bearer …A…" reached us as the earlier, refused token.
        // Credentials, signatures and request ids are case-sensitive: match the cache exactly.
        httpConfig.setHeaderCacheCaseSensitive(true);
        var connector = new org.eclipse.jetty.server.ServerConnector(server,
            new org.eclipse.jetty.server.HttpConnectionFactory(httpConfig));
        connector.setHost(host);
        connector.setPort(port);
        connector.setAcceptQueueSize(ACCEPT_QUEUE);
        return connector;
      });
      // Answers carry their exact Content-Length (HEAD included); Javalin's gzip would break it (a 500).
      cfg.http.compressionStrategy = CompressionStrategy.NONE;
      cfg.jetty.modifyServer(server -> {
        headerDeadline = new HeaderDeadline(server, HEADER_DEADLINE);
        server.setErrorHandler(new JsonErrorHandler());
        server.setStopTimeout(10_000);
        // Stop accepting before the open-file limit is reached, so that the database, blob files and
        // uploads keep the descriptors they need however many sockets clients open.
        server.addBean(new org.eclipse.jetty.server.NetworkConnectionLimit(
            (int) Math.max(64, io.animus.datapilot.config.OpenFileLimit.current() - FILES_RESERVED), server));
      });
      cfg.jetty.modifyServletContextHandler(handler -> handler.setErrorHandler(new JsonErrorHandler()));
      for (HandlerType method : METHODS) {
        cfg.routes.addHttpHandler(method, "/*", this::dispatch);
        cfg.routes.addHttpHandler(method, "/", this::dispatch);
      }
      // Methods outside METHODS (TRACE, PROPFIND, ...) reach no handler: answer them the same way (405/404).
      cfg.routes.exception(EndpointNotFound.class, (e, ctx) -> dispatch(ctx));
    });
    javalin.start();
    headerDeadline.start();
  }

  public int port() {
    return javalin.port();
  }

  /** Stops accepting connections and lets running requests finish. */
  public void stop() {
    if (javalin != null) {
      javalin.stop();
    }
    if (headerDeadline != null) {
      headerDeadline.close();
    }
  }

  private void dispatch(Context ctx) {
    long started = System.nanoTime();
    String requestId = requestId(ctx.header("X-Request-Id"));
    ctx.header("X-Request-Id", requestId);
    MDC.put("request_id", requestId);
    String method = ctx.req().getMethod();
    String path = ctx.req().getRequestURI();
    String routeLabel = "unmatched";
    Principal principal = Principal.ANONYMOUS;
    String projectId = null;
    Router.Route route = null;
    Map<String, Object> rejection = Map.of();
    boolean databaseUnavailable = false;
    int status;
    try {
      Router.Match match = router.match(method, path);
      if (match instanceof Router.NoRoute) {
        throw new ApiException(ErrorCode.ROUTE_NOT_FOUND, "no such endpoint: " + method + " " + path);
      }
      if (match instanceof Router.NotAllowed notAllowed) {
        if (method.equals("OPTIONS")) {
          // OPTIONS asks what the path's GET asks, at most a viewer; without a GET, a viewer
          Router.Found get = router.match("GET", path) instanceof Router.Found f ? f : null;
          Router.Access access = get == null ? Router.Access.VIEWER : get.route().access().forOptions();
          principal = authenticate(access, ctx.header("Authorization"));
          authorization.check(principal, access, get == null ? Map.of() : get.params(), method, path);
          ctx.header("Allow", notAllowed.allow());
          ctx.status(204);
          status = 204;
          return;
        }
        ctx.header("Allow", notAllowed.allow());
        throw new ApiException(ErrorCode.METHOD_NOT_ALLOWED, "method " + method + " is not allowed here; allowed: "
            + notAllowed.allow());
      }
      Router.Found found = (Router.Found) match;
      route = found.route();
      routeLabel = route.pattern();
      principal = authenticate(route.access(), ctx.header("Authorization"));
      authorization.check(principal, route.access(), found.params(), method, path);
      ProjectScope project = ProjectScope.resolve(ctx.header("X-Project-Id"), ctx.queryParam("project_id"));
      projectId = project.projectId();
      long limit = path.endsWith(":batch") ? BATCH_LIMIT : JSON_LIMIT;
      ApiRequest request = new ApiRequest(ctx, found.params(), requestId, principal, project, limit);
      Router.Route chosen = route;
      Reply reply = route.idempotent()
          ? idempotency.run(request, method, path, chosen.handler())
          : route.handler().handle(request);
      status = write(ctx, method, reply);
    } catch (ApiException e) {
      rejection = Map.of("error", e.code().wire(), "reason", e.getMessage());
      status = writeError(ctx, method, e.code(), e.getMessage(), e.details(), requestId);
    } catch (Exception e) {
      Optional<DatabaseUnavailable.Reason> unavailable = DatabaseUnavailable.of(e);
      if (unavailable.isPresent()) {
        // An outage or a full pool, not a bug: 503 with Retry-After so that clients retry; no stack trace.
        databaseUnavailable = true;
        LOG.warn("request refused, database {}: {} {}: {}", unavailable.get().name().toLowerCase(Locale.ROOT),
            method, path, e.toString());
        ctx.header("Retry-After", Integer.toString(unavailable.get().retryAfterSeconds()));
        status = writeError(ctx, method, ErrorCode.SERVICE_UNAVAILABLE, unavailable.get().message(), Map.of(),
            requestId);
      } else {
        LOG.error("request failed: {} {}", method, path, e);
        status = writeError(ctx, method, ErrorCode.INTERNAL_ERROR, "internal error; quote the request id", Map.of(),
            requestId);
      }
    } finally {
      MDC.remove("request_id");
    }
    long nanos = System.nanoTime() - started;
    listener.answered(method, routeLabel, status, nanos);
    ACCESS.info("{} {} {} {}ms request_id={}", method, path, status, nanos / 1_000_000, requestId);
    if (!databaseUnavailable) {
      // The audit log lives in that database: writing there would only delay the 503 (access log above has it).
      auditIfNeeded(route, method, path, status, principal, projectId, requestId, rejection);
    }
  }

  /**
   * CI routes are authenticated by their HMAC only, so their Authorization header is ignored;
   * public routes treat a bad credential as none.
   */
  private Principal authenticate(Router.Access access, String header) {
    if (access.level() == Router.Access.Level.CI) {
      return Principal.CI;
    }
    if (access.level() == Router.Access.Level.PUBLIC) {
      try {
        return authentication.authenticate(header);
      } catch (ApiException e) {
        return Principal.ANONYMOUS;
      }
    }
    return authentication.authenticate(header);
  }

  private void auditIfNeeded(Router.Route route, String method, String path, int status, Principal principal,
                             String projectId, String requestId, Map<String, Object> rejection) {
    boolean denial = status == 401 || status == 403;
    boolean changing = route != null && !method.equals("GET") && !method.equals("HEAD")
        && !method.equals("OPTIONS") && !router.isDataAppend(route);
    if (!denial && !changing) {
      return;
    }
    String action = route == null ? method + " " + path : method + " " + route.pattern();
    String outcome = status < 400 ? "ok" : denial ? "denied" : "rejected";
    try {
      audit.append(new AuditSink.Event(requestId, principal.subject(), action, path, status, outcome, projectId,
          rejection));
    } catch (RuntimeException e) {
      LOG.error("audit write failed for request {}", requestId, e);
    }
  }

  private static int write(Context ctx, String method, Reply reply) {
    if (reply.alreadyWritten()) {
      return ctx.statusCode();
    }
    ctx.status(reply.status());
    reply.headers().forEach(ctx::header);
    if (reply.body() == null) {
      return reply.status();
    }
    byte[] bytes = reply.body() instanceof Idempotency.RawJson raw ? raw.bytes() : Json.write(reply.body());
    writeJson(ctx, method, bytes);
    return reply.status();
  }

  private static void writeJson(Context ctx, String method, byte[] bytes) {
    ctx.contentType("application/json");
    ctx.header("Content-Length", Integer.toString(bytes.length));
    if (!method.equals("HEAD")) {
      ctx.result(bytes);
    }
  }

  /**
   * Before an error answer: reads what is left of a small request body, so the connection stays
   * usable for the client's next request; a large or chunked body is not read, and the answer says
   * {@code Connection: close} so that no client reuses a connection with unread bytes on it.
   */
  private static void settleRequestBody(Context ctx) {
    long length = ctx.req().getContentLengthLong();
    boolean chunked = "chunked".equalsIgnoreCase(ctx.header("Transfer-Encoding"));
    if (length > DRAIN_LIMIT || chunked) {
      ctx.header("Connection", "close");
      return;
    }
    if (length <= 0) {
      return;
    }
    try {
      ctx.req().getInputStream().readNBytes((int) length);
    } catch (IOException | RuntimeException e) {
      // the client went away or the body was already consumed: nothing to keep alive
    }
  }

  static int writeError(Context ctx, String method, ErrorCode code, String message, Map<String, Object> details,
                        String requestId) {
    settleRequestBody(ctx);
    if (code == ErrorCode.UNAUTHORIZED) {
      ctx.header("WWW-Authenticate", "Bearer");
    }
    ctx.status(code.status());
    writeJson(ctx, method, Json.write(errorBody(code, message, details, requestId)));
    return code.status();
  }

  static Map<String, Object> errorBody(ErrorCode code, String message, Map<String, Object> details,
                                       String requestId) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("error", code.wire());
    body.put("message", message);
    body.put("request_id", requestId);
    if (!details.isEmpty()) {
      body.put("details", details);
    }
    return body;
  }

  /** A caller's id when usable (1–128 printable ASCII after trimming), else 32 fresh hex digits. */
  static String requestId(String incoming) {
    if (incoming != null) {
      String trimmed = incoming.trim();
      if (!trimmed.isEmpty() && trimmed.length() <= 128 && trimmed.chars().allMatch(c -> c >= 0x20 && c <= 0x7e)) {
        return trimmed;
      }
    }
    return UUID.randomUUID().toString().replace("-", "");
  }
}
