package io.animus.datapilot.artifacts;

import io.animus.datapilot.common.Clock;
import io.animus.datapilot.kernel.Ids;
import io.animus.datapilot.common.ProjectScope;
import io.animus.datapilot.common.Redactor;
import io.animus.datapilot.kernel.ApiException;
import io.animus.datapilot.kernel.ErrorCode;
import io.animus.datapilot.kernel.Page;
import io.animus.datapilot.kernel.PageToken;
import io.animus.datapilot.storage.BlobRef;
import io.animus.datapilot.storage.BlobStore.Area;
import io.animus.datapilot.upload.FormValues;
import io.animus.datapilot.upload.UploadForm;
import io.animus.datapilot.upload.UploadReceiver;
import io.animus.datapilot.upload.UploadReceiver.StoredFile;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.stream.Collectors;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

/** Run artifacts (docs/protocol.md §5): streamed upload into the blob store, list, get, download. */
public final class ArtifactService {
  private static final Map<String, ErrorCode> TEXT_FIELDS = Map.of(
      "kind", ErrorCode.ARTIFACT_KIND_INVALID, "name", ErrorCode.INVALID_NAME, "metadata", ErrorCode.INVALID_METADATA);
  private final Jdbi jdbi;
  private final ArtifactStore store;
  private final RunAccess runs;
  private final UploadReceiver receiver;
  private final Clock clock;
  private final long maxBytes;

  public ArtifactService(Jdbi jdbi, ArtifactStore store, RunAccess runs, UploadReceiver receiver, Clock clock,
                         long maxBytes) {
    this.jdbi = jdbi;
    this.store = store;
    this.runs = runs;
    this.receiver = receiver;
    this.clock = clock;
    this.maxBytes = maxBytes;
  }

  /** Streams the form's file to the blob store, then inserts the row; nothing remains on failure. */
  public Artifact upload(ProjectScope project, String actor, String rawRunId, UploadForm upload) {
    RunAccess.RunRef run = requireRun(project, rawRunId);
    UUID artifactId = Ids.newId();
    UploadReceiver.Form form = new UploadReceiver.Form(Area.ARTIFACTS, maxBytes, TEXT_FIELDS, "artifact.bin",
        ErrorCode.ARTIFACT_STORE_FAILED,
        (fields, filename) -> Optional.ofNullable(fields.get("kind"))
            .map(kind -> objectKey(run, ArtifactKind.parse(kind), artifactId, filename)));
    UploadReceiver.Received received = receiver.receive(upload, form);
    StoredFile file = received.file().orElseThrow(() -> new ApiException(ErrorCode.FILE_REQUIRED,
        "a file part named \"file\" is required"));
    try {
      String kind = Optional.ofNullable(received.fields().get("kind")).filter(k -> !k.isBlank())
          .map(ArtifactKind::parse)
          .orElseThrow(() -> new ApiException(ErrorCode.ARTIFACT_KIND_REQUIRED, "kind is required"));
      String name = Optional.ofNullable(received.fields().get("name")).map(String::trim).orElse("");
      if (name.codePointCount(0, name.length()) > 255) {
        throw new ApiException(ErrorCode.INVALID_NAME, "name must be at most 255 characters");
      }
      var metadata = Redactor.redact(FormValues.metadata(received.fields().get("metadata")));
      String key = objectKey(run, kind, artifactId, file.filename());
      StoredFile placed = receiver.place(file, Area.ARTIFACTS, key, ErrorCode.ARTIFACT_STORE_FAILED);
      file = placed;
      Artifact artifact = new Artifact(artifactId, run.runId(), kind, name, placed.filename(), placed.contentType(),
          key, placed.sha256(), placed.sizeBytes(), metadata, clock.now(), actor);
      jdbi.useTransaction(h -> store.insert(h, artifact));
      return artifact;
    } catch (RuntimeException | Error e) {
      receiver.discard(Area.ARTIFACTS, file);
      throw e;
    }
  }

  /**
   * The object key a new artifact of the run gets, for a writer that stores the bytes itself (the
   * job log of an execution); empty when the run does not exist.
   */
  public Optional<String> newObjectKey(UUID runId, String kind, UUID artifactId, String filename) {
    String stored = ArtifactKind.parse(kind);
    return jdbi.withHandle(h -> runs.find(h, runId)).map(run -> objectKey(run, stored, artifactId, filename));
  }

  /** Records an artifact whose bytes are already stored under its key, in the caller's transaction. */
  public void record(Handle h, Artifact artifact) {
    store.insert(h, artifact);
  }

  /** {@code <prefix>/artifacts/<kind>/<artifact_id>/<filename>}; prefix defaults to the run's path. */
  private static String objectKey(RunAccess.RunRef run, String kind, UUID artifactId, String filename) {
    String prefix = run.artifactsPrefix() == null ? ""
        : Arrays.stream(run.artifactsPrefix().split("/")).filter(s -> !s.isEmpty() && !s.equals("."))
            .collect(Collectors.joining("/"));
    if (prefix.isEmpty()) {
      prefix = "experiments/" + run.experimentId() + "/runs/" + run.runId();
    }
    return prefix + "/artifacts/" + kind + "/" + artifactId + "/" + filename;
  }

  public Page<Artifact> list(ProjectScope project, String rawRunId, Optional<String> rawKind, int limit,
                             Optional<String> pageToken) {
    RunAccess.RunRef run = requireRun(project, rawRunId);
    String kind = rawKind.filter(k -> !k.isBlank()).map(ArtifactKind::parse).orElse(null);
    String fingerprint = PageToken.fingerprint("artifacts", run.runId().toString(), kind);
    PageToken.After after = PageToken.after(pageToken, fingerprint);
    List<Artifact> rows = jdbi.withHandle(h -> store.list(h, run.runId(), kind, after.at(), after.id(), limit + 1));
    return Page.fromOverfetch(rows, limit, fingerprint,
        a -> List.of(a.createdAt().toString(), a.artifactId().toString()));
  }

  public Artifact get(ProjectScope project, String rawRunId, String rawArtifactId) {
    RunAccess.RunRef run = requireRun(project, rawRunId);
    return Ids.parse(rawArtifactId)
        .flatMap(id -> jdbi.withHandle(h -> store.find(h, run.runId(), id)))
        .orElseThrow(() -> ApiException.notFound("artifact"));
  }

  /** Where an artifact's bytes are and what they are served as. */
  public BlobRef download(ProjectScope project, String rawRunId, String rawArtifactId) {
    Artifact a = get(project, rawRunId, rawArtifactId);
    return new BlobRef(Area.ARTIFACTS, a.objectKey(), a.sizeBytes(), a.sha256(), a.contentType(),
        a.filename());
  }

  private RunAccess.RunRef requireRun(ProjectScope project, String rawRunId) {
    return Ids.parse(rawRunId)
        .flatMap(id -> jdbi.withHandle(h -> runs.find(h, id)))
        .filter(r -> project.admits(r.projectId()))
        .orElseThrow(() -> ApiException.notFound("run"));
  }
}
