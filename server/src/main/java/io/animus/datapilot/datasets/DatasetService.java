package io.animus.datapilot.datasets;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.animus.datapilot.common.Clock;
import io.animus.datapilot.kernel.Ids;
import io.animus.datapilot.common.ProjectScope;
import io.animus.datapilot.common.Redactor;
import io.animus.datapilot.kernel.ApiException;
import io.animus.datapilot.kernel.ErrorCode;
import io.animus.datapilot.kernel.Json;
import io.animus.datapilot.kernel.Page;
import io.animus.datapilot.kernel.PageToken;
import io.animus.datapilot.storage.BlobRef;
import io.animus.datapilot.storage.BlobStore.Area;
import io.animus.datapilot.upload.FormValues;
import io.animus.datapilot.upload.UploadForm;
import io.animus.datapilot.upload.UploadReceiver;
import io.animus.datapilot.upload.UploadReceiver.StoredFile;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.jdbi.v3.core.Jdbi;

/** Datasets and their immutable versions (docs/protocol.md §6.1–6.3). */
public final class DatasetService {
  private static final Map<String, ErrorCode> TEXT_FIELDS = Map.of(
      "metadata", ErrorCode.INVALID_METADATA, "quality_rule_id", ErrorCode.INVALID_QUALITY_RULE_ID);
  private static final Set<String> SERVER_KEYS = Set.of("filename", "content_type", "content_sha256");
  private final Jdbi jdbi;
  private final DatasetStore store;
  private final UploadReceiver receiver;
  private final QualityGate gate;
  private final Clock clock;
  private final long maxBytes;

  public DatasetService(Jdbi jdbi, DatasetStore store, UploadReceiver receiver, QualityGate gate, Clock clock,
                        long maxBytes) {
    this.jdbi = jdbi;
    this.store = store;
    this.receiver = receiver;
    this.gate = gate;
    this.clock = clock;
    this.maxBytes = maxBytes;
  }

  public record CreateDataset(String name, String description, ObjectNode metadata) {}

  public Dataset create(ProjectScope project, String actor, CreateDataset request) {
    Dataset candidate = new Dataset(Ids.newId(), project.projectId(), request.name(), request.description(),
        Redactor.redact(request.metadata()), clock.now(), actor, null);
    return jdbi.inTransaction(h -> store.insert(h, candidate).orElseGet(() -> {
      Optional<UUID> existing = store.findIdByName(h, project.projectId(), request.name());
      throw new ApiException(ErrorCode.DATASET_NAME_EXISTS, "a dataset named " + Json.writeString(request.name())
          + " already exists in project " + project.projectId(),
          existing.<Map<String, Object>>map(id -> Map.of("dataset_id", id.toString())).orElse(Map.of()));
    }));
  }

  public Dataset get(ProjectScope project, String rawId) {
    return Ids.parse(rawId)
        .flatMap(id -> jdbi.withHandle(h -> store.find(h, id)))
        .filter(d -> project.admits(d.projectId()))
        .orElseThrow(() -> ApiException.notFound("dataset"));
  }

  public Page<Dataset> list(ProjectScope project, boolean includeArchived, int limit, Optional<String> pageToken) {
    String fingerprint = PageToken.fingerprint("datasets", project.projectId(), String.valueOf(includeArchived));
    PageToken.After after = PageToken.after(pageToken, fingerprint);
    List<Dataset> rows = jdbi.withHandle(h -> store.list(h, project.projectId(), includeArchived, after.at(),
        after.id(), limit + 1));
    return Page.fromOverfetch(rows, limit, fingerprint, d -> List.of(d.createdAt().toString(),
        d.datasetId().toString()));
  }

  /** Streams the form's file under {@code <dataset_id>/<version_id>/<filename>}, then appends the version. */
  public DatasetVersion upload(ProjectScope project, String actor, String rawDatasetId,
                               UploadForm upload) {
    Dataset dataset = get(project, rawDatasetId);
    UUID versionId = Ids.newId();
    String prefix = dataset.datasetId() + "/" + versionId + "/";
    UploadReceiver.Form form = new UploadReceiver.Form(Area.DATASETS, maxBytes, TEXT_FIELDS, "dataset.bin",
        ErrorCode.OBJECT_STORE_ERROR, (fields, filename) -> Optional.of(prefix + filename));
    UploadReceiver.Received received = receiver.receive(upload, form);
    StoredFile file = received.file().orElseThrow(() -> new ApiException(ErrorCode.FILE_REQUIRED,
        "a file part named \"file\" is required"));
    try {
      String rule = qualityRuleId(received.fields().get("quality_rule_id"));
      ObjectNode metadata = withServerKeys(FormValues.metadata(received.fields().get("metadata")), file);
      DatasetVersion version = jdbi.inTransaction(h -> {
        store.lock(h, dataset.datasetId());
        store.findVersionByContent(h, dataset.datasetId(), file.sha256()).ifPresent(existing -> {
          throw new ApiException(ErrorCode.DUPLICATE_CONTENT, "these bytes are already version " + existing
              + " of the dataset", Map.of("version_id", existing.toString()));
        });
        DatasetVersion v = new DatasetVersion(versionId, dataset.datasetId(), dataset.projectId(), rule,
            store.maxOrdinal(h, dataset.datasetId()) + 1, file.sha256(), file.key(), file.sizeBytes(), metadata,
            clock.now(), actor);
        store.insertVersion(h, v);
        return v;
      });
      return version;
    } catch (RuntimeException | Error e) {
      receiver.discard(Area.DATASETS, file);
      throw e;
    }
  }

  private static String qualityRuleId(String raw) {
    String rule = raw == null ? "" : raw.trim();
    if (rule.codePointCount(0, rule.length()) > 255) {
      throw new ApiException(ErrorCode.INVALID_QUALITY_RULE_ID, "quality_rule_id must be at most 255 characters");
    }
    return rule.isEmpty() ? null : rule;
  }

  /** The client's keys, then the server's {@code content_sha256}, {@code content_type}, {@code filename}; redacted. */
  private static ObjectNode withServerKeys(ObjectNode client, StoredFile file) {
    ObjectNode out = Json.object();
    for (Map.Entry<String, JsonNode> entry : client.properties()) {
      if (!SERVER_KEYS.contains(entry.getKey())) {
        out.set(entry.getKey(), entry.getValue());
      }
    }
    out.put("content_sha256", file.sha256());
    out.put("content_type", file.contentType());
    out.put("filename", file.filename());
    return Redactor.redact(out);
  }

  public Page<DatasetVersion> listVersions(ProjectScope project, String rawDatasetId, int limit,
                                           Optional<String> pageToken) {
    Dataset dataset = get(project, rawDatasetId);
    String fingerprint = PageToken.fingerprint("dataset_versions", dataset.datasetId().toString());
    PageToken.After after = PageToken.after(pageToken, fingerprint);
    List<DatasetVersion> rows = jdbi.withHandle(h -> store.listVersions(h, dataset.datasetId(), after.at(), after.id(),
        limit + 1));
    return Page.fromOverfetch(rows, limit, fingerprint, v -> List.of(v.createdAt().toString(),
        v.versionId().toString()));
  }

  public DatasetVersion getVersion(ProjectScope project, String rawVersionId) {
    return Ids.parse(rawVersionId)
        .flatMap(id -> jdbi.withHandle(h -> store.findVersion(h, id)))
        .filter(v -> project.admits(v.projectId()))
        .orElseThrow(() -> ApiException.notFound("dataset version"));
  }

  /** Where a version's bytes are and what they are served as, after the quality gate (when it is on). */
  public BlobRef download(ProjectScope project, String rawVersionId) {
    DatasetVersion v = getVersion(project, rawVersionId);
    jdbi.useHandle(h -> gate.require(h, v.versionId()));
    return new BlobRef(Area.DATASETS, v.objectKey(), v.sizeBytes(), v.contentSha256(), v.contentType(),
        v.filename());
  }
}
