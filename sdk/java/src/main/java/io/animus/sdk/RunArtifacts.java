package io.animus.sdk;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The artifacts of a run ({@code /experiment-runs/{id}/artifacts}) for {@link ExperimentsClient}: the multipart
 * upload with its {@code kind}, {@code name} and {@code metadata} fields, listing, reading and downloading.
 */
final class RunArtifacts {
  private static final Set<String> KINDS = Set.of("model", "preview", "log", "file");

  private final Transport http;

  RunArtifacts(Transport http) {
    this.http = http;
  }

  Artifact upload(String runId, String kind, Path file, String name, Map<String, ?> metadata, String filename,
      String contentType, TransferProgress progress) {
    if (kind == null || !KINDS.contains(kind.strip().toLowerCase(Locale.ROOT))) {
      throw new IllegalArgumentException("kind must be one of model, preview, log, file");
    }
    List<Map.Entry<String, String>> fields = new ArrayList<>();
    fields.add(Map.entry("kind", kind));
    if (name != null && !name.isEmpty()) {
      fields.add(Map.entry("name", name));
    }
    if (metadata != null) {
      fields.add(Map.entry("metadata", new String(Json.canonicalBytes(metadata), StandardCharsets.US_ASCII)));
    }
    String part = filename != null ? filename
        : (file.getFileName() == null ? "artifact.bin" : file.getFileName().toString());
    String type = contentType != null ? contentType : Multipart.guessContentType(part);
    return Artifact.fromJson(http.postMultipart(path(runId), fields, file, part, type, progress));
  }

  Page<Artifact> list(String runId, String kind, int limit, String pageToken) {
    return http.getPage(path(runId),
        Transport.query("limit", limit, "kind", kind, "page_token", pageToken), "artifacts", Artifact::fromJson);
  }

  Artifact get(String runId, String artifactId) {
    return http.get(path(runId) + "/" + Transport.segment(artifactId), null, Artifact::fromJson);
  }

  DownloadResult download(String runId, String artifactId, Path dest, TransferProgress progress, boolean resume) {
    return http.download(path(runId) + "/" + Transport.segment(artifactId) + "/download", dest, progress,
        resume);
  }

  private static String path(String runId) {
    return "/api/experiments/experiment-runs/" + Transport.segment(runId) + "/artifacts";
  }
}
