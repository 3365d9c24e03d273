package io.animus.datapilot.cli;

import io.animus.sdk.Artifact;
import io.animus.sdk.Page;
import io.animus.sdk.DownloadResult;
import io.animus.sdk.ExperimentsClient;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
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
      opts.print(Printer.list("artifacts", page), () -> {
        Instant now = Instant.now();
        List<List<String>> rows = new ArrayList<>();
        for (Artifact a : page.items()) {
          rows.add(Printer.row(a.artifactId(), a.kind(), a.name(), a.filename(), Human.bytes(a.sizeBytes()),
              Human.ago(a.createdAt(), now)));
        }
        opts.printer().table("artifacts", List.of("ARTIFACT ID", "KIND", "NAME", "FILE", "SIZE", "CREATED"), rows);
      });
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
    @Option(names = "--limit-rate", paramLabel = "RATE", description = "at most this many bytes/s, e.g. 500K, 20M")
    String limitRate;

    @Override
    public Integer call() {
      long rate = Transfer.parseRate(limitRate);
      ExperimentsClient client = opts.experiments();
      Artifact a = client.getRunArtifact(runId, artifactId);
      String name = Printer.value(a.filename());
      Path dest = output != null ? output : Path.of(name.isEmpty() ? "artifact.bin" : Path.of(name).getFileName().toString());
      long resumedFrom = DatasetsCommand.partialSize(dest);
      Transfer progress = new Transfer("get " + dest.getFileName(), opts.term(), opts.json, rate);
      DownloadResult r;
      try {
        r = client.downloadRunArtifact(runId, artifactId, dest, progress, true);
      } finally {
        progress.finish();
      }
      DatasetsCommand.printDownload(opts, dest, r, resumedFrom, a.sha256());
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
    @Option(names = "--limit-rate", paramLabel = "RATE", description = "at most this many bytes/s, e.g. 500K, 20M")
    String limitRate;

    @Override
    public Integer call() {
      long rate = Transfer.parseRate(limitRate);
      Args.existingFile(file);
      Transfer progress = new Transfer("put " + file.getFileName(), opts.term(), opts.json, rate);
      Artifact a;
      try {
        a = opts.experiments().uploadRunArtifact(runId, kind, file, name, Args.object(metadata, "--metadata"),
            null, null, progress);
      } finally {
        progress.finish();
      }
      // the server's answer wraps the artifact: {"artifact":{...}}
      com.fasterxml.jackson.databind.node.ObjectNode json = Printer.JSON.createObjectNode();
      json.set("artifact", a.raw());
      opts.print(json, () -> opts.printer().line("Uploaded " + file.getFileName() + " as " + a.kind() + " artifact "
          + a.artifactId() + " (" + Human.bytes(a.sizeBytes()) + ", sha256 " + a.sha256() + ")"));
      return 0;
    }
  }
}
