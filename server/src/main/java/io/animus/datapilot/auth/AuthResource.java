package io.animus.datapilot.auth;

import io.animus.datapilot.kernel.Role;
import io.animus.datapilot.kernel.Principal;
import io.animus.datapilot.common.Names;
import io.animus.datapilot.http.ApiRequest;
import io.animus.datapilot.http.JsonBody;
import io.animus.datapilot.kernel.PageToken;
import io.animus.datapilot.http.Reply;
import io.animus.datapilot.http.Router;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/** HTTP for {@code /api/auth} (docs/protocol.md §2.2). */
public final class AuthResource {
  private static final Set<String> CREATE_FIELDS = Set.of("name", "role", "expires_at");
  private final ApiTokenService tokens;

  public AuthResource(ApiTokenService tokens) {
    this.tokens = tokens;
  }

  /** This resource's handlers; the route table ({@code ApiRoutes}) says where and for whom. */
  public Handlers handlers() {
    return new Handlers(this::create, this::list, this::revoke, this::me);
  }

  public record Handlers(Router.Handler create, Router.Handler list, Router.Handler revoke, Router.Handler me) {}


  private Reply create(ApiRequest request) {
    JsonBody body = request.json(CREATE_FIELDS);
    String name = Names.require(body.text("name"));
    Role role = Role.parse(body.text("role").orElse(null));
    ApiTokenService.Issued issued = tokens.create(request.principal().subject(), name, role,
        body.instant("expires_at"));
    @SuppressWarnings("unchecked")
    Map<String, Object> answer = io.animus.datapilot.kernel.Json.mapper().convertValue(issued.token(), Map.class);
    answer.put("token", issued.secret());
    return Reply.status(201, answer);
  }

  private Reply list(ApiRequest request) {
    return Reply.ok(tokens.list(PageToken.limit(request.query("limit"), 100, 500), request.query("page_token"))
        .body("tokens"));
  }

  private Reply revoke(ApiRequest request) {
    tokens.revoke(request.path("token_id"));
    return Reply.noContent();
  }

  private Reply me(ApiRequest request) {
    Principal p = request.principal();
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("subject", p.subject());
    body.put("role", p.isRunToken() ? Role.EDITOR.wire() : p.role().wire());
    body.put("auth", p.auth());
    if (p.runId() != null) {
      body.put("run_id", p.runId());
    }
    if (p.datasetVersionId() != null) {
      body.put("dataset_version_id", p.datasetVersionId());
    }
    return Reply.ok(body);
  }
}
