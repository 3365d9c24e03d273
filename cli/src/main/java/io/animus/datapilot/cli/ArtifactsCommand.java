package io.animus.datapilot.cli;

import io.animus.sdk.Artifact;
import io.animus.sdk.ExperimentsClient;
import io.animus.sdk.Page;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code datapilot artifacts list|get|put}: a run's files (models, previews, logs). */
@Command(name = "artifacts", mixinStandardHelpOptions = true, description = "A run's artifacts: list, get (download) and put (upload).",
    subcommands = {ArtifactsCommand.ListArtifacts.class, ArtifactsCommand.Get.class, ArtifactsCommand.Put.class},
    footerHeading = "%nExample:%n", footer = "  datapilot artifacts put 7d1e... model.onnx --kind model")
final class ArtifactsCommand {

  @Command(name = "list", mixinStandardHelpOptions = true, description = "List a run's artifacts, newest first.",
      footerHeading = "%nExample:%n", footer = "  datapilot artifacts list 7d1e... --kind model")
  static final class ListArtifacts implements Callable<Integer> {
    @Mixin ClientOptions opts;
    @Parameters(paramLabel = "RUN_ID")
    String runId;
    @Option(names = "--kind", description = "model, preview, log or file")
    String kind;

    @Override
    public Integer call() {
      Page<Artifact> page = opts.experiments().listRunArtifacts(runId, kind);
      ListOutput.print(opts, "artifacts", page, List.of("ARTIFACT ID", "KIND", "NAME", "FILE", "SIZE", "CREATED"),
          (a, now) -> Printer.row(a.artifactId(), a.kind(), a.name(), a.filename(), Humanize.bytes(a.sizeBytes()), Humanize.ago(a.createdAt(), now)));
      return 0;
    }
  }

  @Command(name = "get", mixinStandardHelpOptions = true,
      description = {"Download an artifact and verify its sha256; an interrupted get resumes when run again."},
      footerHeading = "%nExample:%n", footer = "  datapilot artifacts get 7d1e... a1b2... -o model.onnx")
  static final class Get implements Callable<Integer> {
    @Mixin ClientOptions opts;
    @Parameters(index = "0", paramLabel = "RUN_ID")
    String runId;
    @Parameters(index = "1", paramLabel = "ARTIFACT_ID")
    String artifactId;
    @Option(names = {"-o", "--output"}, paramLabel = "FILE", description = "where to write (default: the artifact's file name)")
    Path output;
    @Mixin Transfer.Options transfer;

    @Override
    public Integer call() {
      ExperimentsClient client = opts.experiments();
      Artifact a = client.getRunArtifact(runId, artifactId);
      Transfer.download(opts, "get", output, a.filename(), "artifact.bin", transfer.rate, a.sha256(),
          (dest, progress) -> client.downloadRunArtifact(runId, artifactId, dest, progress, true));
      return 0;
    }
  }

  @Command(name = "put", mixinStandardHelpOptions = true, description = "Upload a file as an artifact of a run.",
      footerHeading = "%nExample:%n", footer = "  datapilot artifacts put 7d1e... model.onnx --kind model --metadata '{\"format\":\"onnx\"}'")
  static final class Put implements Callable<Integer> {
    @Mixin ClientOptions opts;
    @Parameters(index = "0", paramLabel = "RUN_ID")
    String runId;
    @Parameters(index = "1", paramLabel = "FILE")
    Path file;
    @Option(names = "--kind", defaultValue = "file", description = "model, preview, log or file (default: ${DEFAULT-VALUE})")
    String kind;
    @Option(names = "--name", description = "a name (default: none)")
    String name;
    @Option(names = "--metadata", paramLabel = "JSON", description = "a JSON object")
    String metadata;
    @Mixin Transfer.Options transfer;

    @Override
    public Integer call() {
      Args.existingFile(file);
      Map<String, Object> meta = Args.object(metadata, "--metadata");
      Artifact a = Transfer.run("put " + file.getFileName(), opts, transfer.rate,
          progress -> opts.experiments().uploadRunArtifact(runId, kind, file, name, meta,
            null, null, progress));
      // the server's answer wraps the artifact: {"artifact":{...}}
      com.fasterxml.jackson.databind.node.ObjectNode json = Printer.JSON.createObjectNode();
      json.set("artifact", Printer.node(a.raw()));
      opts.print(json, () -> opts.printer().line("Uploaded " + file.getFileName() + " as " + a.kind() + " artifact "
          + a.artifactId() + " (" + Humanize.bytes(a.sizeBytes()) + ", sha256 " + a.sha256() + ")"));
      return 0;
    }
  }
}
