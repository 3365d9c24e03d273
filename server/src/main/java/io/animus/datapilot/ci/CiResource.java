package io.animus.datapilot.ci;

import io.animus.datapilot.http.ApiRequest;
import io.animus.datapilot.kernel.ErrorCode;
import io.animus.datapilot.kernel.PageToken;
import io.animus.datapilot.http.Reply;
import io.animus.datapilot.http.Router;
import java.util.LinkedHashMap;
import java.util.Map;

/** HTTP for CI (docs/protocol.md §7): the two signed endpoints and the reads of what they stored. */
public final class CiResource {
  private final CiService service;
  private final CiVerifier verifier;

  public CiResource(CiService service, CiVerifier verifier) {
    this.service = service;
    this.verifier = verifier;
  }

  /** This resource's handlers; the route table ({@code ApiRoutes}) says where and for whom. */
  public Handlers handlers() {
    return new Handlers(this::webhook, this::report, this::contexts, this::images, this::image);
  }

  public record Handlers(Router.Handler webhook, Router.Handler report, Router.Handler contexts,
                         Router.Handler images, Router.Handler image) {}


  private CanonicalJson.Obj verified(ApiRequest request) {
    return verifier.verify(new CiVerifier.SignedRequest(request.context().req().getMethod(),
        request.declaredLength(), request.maxBodyBytes(), request.header("X-Animus-CI-Ts").orElse(null),
        request.header("X-Animus-CI-Sig").orElse(null), () -> request.body(ErrorCode.INVALID_BODY)));
  }

  private Reply webhook(ApiRequest request) {
    CiService.WebhookResult result = service.attachContext(CiPayloads.webhook(verified(request)));
    CiContext c = result.context();
    if (result.created()) {
      return Reply.status(201, c);
    }
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("context_id", c.contextId().toString());
    body.put("payload_sha256", c.payloadSha256());
    body.put("provider", c.provider());
    body.put("run_id", c.runId().toString());
    body.put("status", "duplicate");
    return Reply.ok(body);
  }

  private Reply report(ApiRequest request) {
    CiService.ReportResult result = service.registerImage(CiPayloads.report(verified(request)));
    RegisteredImage m = result.image();
    Map<String, Object> body = new LinkedHashMap<>();
    if (!result.created()) {
      body.put("image_digest", m.imageDigest());
      body.put("payload_sha256", m.payloadSha256());
      body.put("status", "duplicate");
      return Reply.ok(body);
    }
    body.put("commit_sha", m.commitSha());
    body.put("image_digest", m.imageDigest());
    body.put("payload_sha256", m.payloadSha256());
    body.put("pipeline_id", m.pipelineId());
    if (m.provider() != null) {
      body.put("provider", m.provider());
    }
    body.put("received_at", m.receivedAt());
    body.put("received_by", m.receivedBy());
    body.put("repo", m.repo());
    body.put("status", "created");
    return Reply.created("/api/experiments/model-images/" + m.imageDigest(), body);
  }

  private Reply contexts(ApiRequest request) {
    return Reply.ok(service.contexts(request.path("run_id"), PageToken.limit(request.query("limit"), 100, 500),
        request.query("page_token")).body("contexts"));
  }

  private Reply images(ApiRequest request) {
    return Reply.ok(service.images(request.textQuery("repo"), request.textQuery("commit_sha"),
        PageToken.limit(request.query("limit"), 100, 500), request.query("page_token")).body("model_images"));
  }

  private Reply image(ApiRequest request) {
    return Reply.ok(service.image(request.path("image_digest")).detail());
  }
}
