package io.animus.datapilot.artifacts;

import io.animus.datapilot.http.ApiRequest;
import io.animus.datapilot.http.BlobDownload;
import io.animus.datapilot.kernel.PageToken;
import io.animus.datapilot.http.Reply;
import io.animus.datapilot.http.Router;
import io.animus.datapilot.upload.Uploads;
import java.util.Map;

/** HTTP for {@code /api/experiments/experiment-runs/{run_id}/artifacts} (docs/protocol.md §5). */
public final class ArtifactResource {
  private static final String BASE = "/api/experiments/experiment-runs/{run_id}/artifacts";
  private final ArtifactService service;
  private final BlobDownload downloads;

  public ArtifactResource(ArtifactService service, BlobDownload downloads) {
    this.service = service;
    this.downloads = downloads;
  }

  /** This resource's handlers; the route table ({@code ApiRoutes}) says where and for whom. */
  public Handlers handlers() {
    return new Handlers(this::upload, this::list, this::get, this::download);
  }

  public record Handlers(Router.Handler upload, Router.Handler list, Router.Handler get,
                         Router.Handler download) {}


  private Reply upload(ApiRequest request) {
    Artifact artifact = service.upload(request.project(), request.principal().subject(), request.path("run_id"),
        Uploads.form(request));
    return Reply.created("/api/experiments/experiment-runs/" + artifact.runId() + "/artifacts/"
        + artifact.artifactId(), Map.of("artifact", artifact));
  }

  private Reply list(ApiRequest request) {
    var page = service.list(request.project(), request.path("run_id"), request.query("kind"),
        PageToken.limit(request.query("limit"), 100, 500), request.query("page_token"));
    return Reply.ok(page.body("artifacts"));
  }

  private Reply get(ApiRequest request) {
    return Reply.ok(service.get(request.project(), request.path("run_id"), request.path("artifact_id")));
  }

  private Reply download(ApiRequest request) {
    return downloads.send(request,
        service.download(request.project(), request.path("run_id"), request.path("artifact_id")));
  }
}
