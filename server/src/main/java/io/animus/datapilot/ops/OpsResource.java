package io.animus.datapilot.ops;

import io.animus.datapilot.kernel.Role;
import io.animus.datapilot.kernel.Principal;
import io.animus.datapilot.config.Config;
import io.animus.datapilot.kernel.ApiException;
import io.animus.datapilot.http.ApiRequest;
import io.animus.datapilot.kernel.ErrorCode;
import io.animus.datapilot.http.Reply;
import io.animus.datapilot.http.Router;
import io.animus.datapilot.storage.Database;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/** {@code /healthz}, {@code /readyz}, {@code /metrics} and the root redirect (docs/protocol.md §9). */
public final class OpsResource {
  private static final long CHECK_TIMEOUT_MS = 750;
  private final HttpMetrics metrics;
  private final Supplier<Map<String, Long>> runCounts;
  private final Config.AuthMode authMode;
  private final Map<String, BooleanSupplier> checks = new LinkedHashMap<>();
  private final Map<String, Supplier<Optional<String>>> details = new LinkedHashMap<>();

  public OpsResource(Database database, HttpMetrics metrics, Config.AuthMode authMode,
                     Supplier<Map<String, Long>> runCounts) {
    this.metrics = metrics;
    this.runCounts = runCounts;
    this.authMode = authMode;
    checks.put("database", () -> database.ping(1));
    // the embedded PostgreSQL's supervisor says when it is restarting it, or has restarted it
    details.put("database", database::embeddedStatus);
  }

  /** Adds a readiness check (the blob store registers its own). */
  public void addCheck(String name, BooleanSupplier check) {
    checks.put(name, check);
  }

  /** This resource's handlers; the route table ({@code ApiRoutes}) says where and for whom. */
  public Handlers handlers() {
    return new Handlers(r -> Reply.ok(health()), r -> readiness(), this::prometheus,
        r -> new Reply(302, null, Map.of("Location", "/console/"), false));
  }

  public record Handlers(Router.Handler health, Router.Handler readiness, Router.Handler prometheus,
                         Router.Handler root) {}


  /** Ordered as docs/protocol.md §9 shows it ({@code Map.of} iteration order changes between JVM runs). */
  private static Map<String, Object> health() {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("service", "datapilot");
    body.put("status", "ok");
    return body;
  }

  private Reply readiness() {
    List<Map<String, Object>> results = new ArrayList<>();
    boolean ready = true;
    for (Map.Entry<String, BooleanSupplier> check : checks.entrySet()) {
      long started = System.nanoTime();
      boolean ok;
      try {
        ok = CompletableFuture.supplyAsync(check.getValue()::getAsBoolean)
            .get(CHECK_TIMEOUT_MS, TimeUnit.MILLISECONDS);
      } catch (Exception e) {
        ok = false;
      }
      Map<String, Object> result = new LinkedHashMap<>();
      result.put("name", check.getKey());
      result.put("status", ok ? "ok" : "fail");
      result.put("duration_ms", (System.nanoTime() - started) / 1_000_000);
      Optional<String> detail = details.getOrDefault(check.getKey(), Optional::empty).get();
      if (!ok) {
        result.put("error", check.getKey() + " unreachable or too slow" + detail.map(d -> "; " + d).orElse(""));
      } else {
        detail.ifPresent(d -> result.put("detail", d));
      }
      results.add(result);
      ready &= ok;
    }
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("checks", results);
    body.put("service", "datapilot");
    body.put("status", ready ? "ready" : "not_ready");
    return Reply.status(ready ? 200 : 503, body);
  }

  private Reply prometheus(ApiRequest request) throws Exception {
    Principal p = request.principal();
    boolean allowed = authMode == Config.AuthMode.DEV || isLoopback(request.context().req().getRemoteAddr())
        || (!p.isAnonymous() && !p.isRunToken() && p.role() != null && p.role().atLeast(Role.VIEWER));
    if (!allowed) {
      throw p.isAnonymous() ? new ApiException(ErrorCode.UNAUTHORIZED, "an Authorization: Bearer credential is required")
          : new ApiException(ErrorCode.FORBIDDEN, "this call needs the viewer role");
    }
    metrics.setRunCounts(runCounts.get());
    var ctx = request.context();
    ctx.status(200);
    ctx.contentType("text/plain; version=0.0.4; charset=utf-8");
    if (!ctx.req().getMethod().equals("HEAD")) {
      ctx.result(metrics.scrape());
    }
    return Reply.written();
  }

  private static boolean isLoopback(String address) {
    try {
      return address != null && InetAddress.getByName(address).isLoopbackAddress();
    } catch (UnknownHostException e) {
      return false;
    }
  }
}
