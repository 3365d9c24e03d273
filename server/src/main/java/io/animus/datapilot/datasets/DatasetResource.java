package io.animus.datapilot.datasets;

import io.animus.datapilot.common.Names;
import io.animus.datapilot.http.ApiRequest;
import io.animus.datapilot.http.BlobDownload;
import io.animus.datapilot.kernel.ErrorCode;
import io.animus.datapilot.kernel.Json;
import io.animus.datapilot.http.JsonBody;
import io.animus.datapilot.kernel.PageToken;
import io.animus.datapilot.http.Reply;
import io.animus.datapilot.http.Router;
import io.animus.datapilot.upload.Uploads;
import java.util.Set;

/** HTTP for {@code /api/dataset-registry} (docs/protocol.md §6). */
public final class DatasetResource {
  private static final String DATASETS = "/api/dataset-registry/datasets";
  private static final String VERSIONS = "/api/dataset-registry/dataset-versions";
  private static final Set<String> CREATE_FIELDS = Set.of("name", "description", "metadata");
  private static final Set<String> EVALUATION_FIELDS = Set.of("status", "summary");
  private final DatasetService datasets;
  private final QualityService quality;
  private final BlobDownload downloads;

  private final DatasetRemovalService removal;

  public DatasetResource(DatasetService datasets, QualityService quality, BlobDownload downloads,
                         DatasetRemovalService removal) {
    this.removal = removal;
    this.datasets = datasets;
    this.quality = quality;
    this.downloads = downloads;
  }

  /** This resource's handlers; the route table ({@code ApiRoutes}) says where and for whom. */
  public Handlers handlers() {
    return new Handlers(this::create, this::list, this::get, this::upload, this::listVersions, this::getVersion,
        this::download, this::evaluate, this::evaluations, r -> archive(r, true), r -> archive(r, false));
  }

  public record Handlers(Router.Handler create, Router.Handler list, Router.Handler get, Router.Handler upload,
                         Router.Handler listVersions, Router.Handler getVersion, Router.Handler download,
                         Router.Handler evaluate, Router.Handler evaluations, Router.Handler archive,
                         Router.Handler restore) {}

  private Reply archive(ApiRequest request, boolean archive) {
    return Reply.ok(removal.archive(request.project(), request.path("dataset_id"), archive));
  }


  private Reply create(ApiRequest request) {
    JsonBody body = request.json(CREATE_FIELDS);
    Dataset created = datasets.create(request.project(), request.principal().subject(),
        new DatasetService.CreateDataset(Names.require(body.text("name")),
            body.text("description").map(String::trim).orElse(""),
            body.object("metadata", ErrorCode.INVALID_METADATA).orElseGet(Json::object)));
    return Reply.created(DATASETS + "/" + created.datasetId(), created);
  }

  private Reply list(ApiRequest request) {
    request.allowOnly("limit", "page_token", "include_archived");
    boolean includeArchived = request.query("include_archived").map(String::trim)
        .map(v -> v.equalsIgnoreCase("true") || v.equals("1")).orElse(false);
    return Reply.ok(datasets.list(request.project(), includeArchived, PageToken.limit(request.query("limit"), 100, 500),
        request.query("page_token")).body("datasets"));
  }

  private Reply get(ApiRequest request) {
    return Reply.ok(datasets.get(request.project(), request.path("dataset_id")));
  }

  private Reply upload(ApiRequest request) {
    DatasetVersion version = datasets.upload(request.project(), request.principal().subject(),
        request.path("dataset_id"), Uploads.form(request));
    return Reply.created(VERSIONS + "/" + version.versionId(), version);
  }

  private Reply listVersions(ApiRequest request) {
    request.allowOnly("limit", "page_token");
    return Reply.ok(datasets.listVersions(request.project(), request.path("dataset_id"),
        PageToken.limit(request.query("limit"), 100, 500), request.query("page_token")).body("versions"));
  }

  private Reply getVersion(ApiRequest request) {
    return Reply.ok(datasets.getVersion(request.project(), request.path("version_id")));
  }

  private Reply download(ApiRequest request) {
    return downloads.send(request, datasets.download(request.project(), request.path("version_id")));
  }

  private Reply evaluate(ApiRequest request) {
    JsonBody body = request.json(EVALUATION_FIELDS);
    QualityEvaluation evaluation = quality.append(request.project(), request.principal().subject(),
        request.path("version_id"), body.text("status"),
        body.object("summary", ErrorCode.INVALID_JSON).orElseGet(Json::object));
    return Reply.status(201, evaluation);
  }

  private Reply evaluations(ApiRequest request) {
    return Reply.ok(quality.list(request.project(), request.path("version_id"),
        PageToken.limit(request.query("limit"), 100, 500), request.query("page_token")).body("evaluations"));
  }
}
