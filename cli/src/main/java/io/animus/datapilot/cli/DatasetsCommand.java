package io.animus.datapilot.cli;

import io.animus.sdk.Dataset;
import io.animus.sdk.DatasetRegistryClient;
import io.animus.sdk.DatasetVersion;
import io.animus.sdk.Page;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code datapilot datasets create|list|versions|push|pull|archive|restore|delete}. */
@Command(name = "datasets", mixinStandardHelpOptions = true,
    description = "Datasets and their immutable versions: create, list, push (upload), pull (download), archive, delete.",
    subcommands = {DatasetsCommand.Create.class, DatasetsCommand.ListDatasets.class, DatasetsCommand.Versions.class,
        DatasetsCommand.Push.class, DatasetsCommand.Pull.class, ArchiveCommands.ArchiveDataset.class,
        ArchiveCommands.RestoreDataset.class, ArchiveCommands.DeleteDataset.class},
    footerHeading = "%nExample:%n", footer = "  datapilot datasets push fraud-train train.csv && datapilot datasets versions fraud-train")
final class DatasetsCommand {

  /** A dataset by id, or by exact name in the project (datasets are listed page by page). */
  static Dataset find(DatasetRegistryClient client, String idOrName) {
    return find(client, idOrName, false);
  }

  /** {@link #find(DatasetRegistryClient, String)}, finding archived datasets by name too when asked. */
  static Dataset find(DatasetRegistryClient client, String idOrName, boolean includeArchived) {
    if (Args.isId(idOrName)) {
      return client.getDataset(idOrName);
    }
    return Page.all(token -> client.listDatasets(500, token, includeArchived)).filter(d -> idOrName.equals(d.name()))
        .findFirst().orElseThrow(() -> Args.notFound("no dataset named " + idOrName
            + (includeArchived ? "" : " (archived ones are not listed)")));
  }

  @Command(name = "create", mixinStandardHelpOptions = true, description = "Create a dataset.",
      footerHeading = "%nExample:%n", footer = "  datapilot datasets create fraud-train --description 'card transactions'")
  static final class Create implements Callable<Integer> {
    @Mixin ClientOptions opts;
    @Mixin CreateOptions resource;

    @Override
    public Integer call() {
      Dataset d = opts.datasets().createDataset(resource.name, resource.description, resource.metadataObject());
      opts.print(d.raw(), () -> opts.printer().details(List.of(Printer.field("Dataset id", d.datasetId()),
          Printer.field("Name", d.name()), Printer.field("Project", d.projectId()),
          Printer.field("Description", d.description()),
          Printer.field("Created", Humanize.time(d.createdAt()) + " by " + d.createdBy()))));
      return 0;
    }
  }

  @Command(name = "list", mixinStandardHelpOptions = true, description = "List the project's datasets, newest first.",
      footerHeading = "%nExample:%n", footer = "  datapilot datasets list --project vision")
  static final class ListDatasets implements Callable<Integer> {
    @Mixin ClientOptions opts;
    @Option(names = "--limit", defaultValue = "100", description = "at most this many (default: ${DEFAULT-VALUE})")
    int limit;
    @Option(names = "--archived", description = "include archived datasets")
    boolean archived;

    @Override
    public Integer call() {
      Page<Dataset> page = opts.datasets().listDatasets(limit, null, archived);
      ListOutput.print(opts, "datasets", page, List.of("DATASET ID", "NAME", "CREATED", "DESCRIPTION"),
          (d, now) -> Printer.row(d.datasetId(), d.name() + (d.archivedAt() != null ? " (archived)" : ""), Humanize.ago(d.createdAt(), now), d.description()));
      return 0;
    }
  }

  @Command(name = "versions", mixinStandardHelpOptions = true, description = "List a dataset's versions, newest first.",
      footerHeading = "%nExample:%n", footer = "  datapilot datasets versions fraud-train")
  static final class Versions implements Callable<Integer> {
    @Mixin ClientOptions opts;
    @Parameters(paramLabel = "DATASET", description = "id or name")
    String dataset;
    @Option(names = "--limit", defaultValue = "100", description = "at most this many (default: ${DEFAULT-VALUE})")
    int limit;

    @Override
    public Integer call() {
      DatasetRegistryClient client = opts.datasets();
      Page<DatasetVersion> page = client.listDatasetVersions(find(client, dataset).datasetId(), limit, null);
      ListOutput.print(opts, "versions", page, List.of("VERSION ID", "#", "SIZE", "SHA256", "FILE", "CREATED"),
          (v, now) -> Printer.row(v.versionId(), v.ordinal(), Humanize.bytes(v.sizeBytes()), Humanize.shortHash(v.contentSha256()), v.metadata().get("filename"), Humanize.ago(v.createdAt(), now)));
      return 0;
    }
  }

  @Command(name = "push", mixinStandardHelpOptions = true,
      description = {"Upload a file as a new immutable version of a dataset (streamed, with a progress bar on a terminal).",
          "The same bytes twice in one dataset are refused (duplicate_content, exit code 1)."},
      footerHeading = "%nExample:%n", footer = "  datapilot datasets push fraud-train train.csv --metadata '{\"rows\":120000}'")
  static final class Push implements Callable<Integer> {
    @Mixin ClientOptions opts;
    @Parameters(index = "0", paramLabel = "DATASET", description = "id or name")
    String dataset;
    @Parameters(index = "1", paramLabel = "FILE")
    Path file;
    @Option(names = "--metadata", paramLabel = "JSON", description = "a JSON object stored with the version")
    String metadata;
    @Option(names = "--quality-rule", paramLabel = "RULE_ID", description = "the quality rule this version must pass")
    String qualityRule;
    @Mixin Transfer.Options transfer;

    @Override
    public Integer call() {
      Args.existingFile(file);
      Map<String, Object> meta = Args.object(metadata, "--metadata");
      DatasetRegistryClient client = opts.datasets();
      String datasetId = find(client, dataset).datasetId();
      DatasetVersion v = Transfer.run("push " + file.getFileName(), opts, transfer.rate,
          progress -> client.uploadDatasetVersion(datasetId, file, meta, qualityRule, progress));
      opts.print(v.raw(), () -> opts.printer().line("Pushed " + file.getFileName() + " as version " + v.ordinal() + " "
          + v.versionId() + " (" + Humanize.bytes(v.sizeBytes()) + ", sha256 " + v.contentSha256() + ")"));
      return 0;
    }
  }

  @Command(name = "pull", mixinStandardHelpOptions = true,
      description = {"Download a dataset version and verify its sha256.",
          "An interrupted pull leaves FILE.tmp; running the same pull again resumes from it."},
      footerHeading = "%nExample:%n", footer = "  datapilot datasets pull 5a2c... -o train.csv")
  static final class Pull implements Callable<Integer> {
    @Mixin ClientOptions opts;
    @Parameters(paramLabel = "VERSION_ID")
    String versionId;
    @Option(names = {"-o", "--output"}, paramLabel = "FILE", description = "where to write (default: the uploaded file name)")
    Path output;
    @Mixin Transfer.Options transfer;

    @Override
    public Integer call() {
      DatasetRegistryClient client = opts.datasets();
      DatasetVersion version = client.getDatasetVersion(versionId);
      Transfer.download(opts, "pull", output, Printer.value(version.metadata().get("filename")), "dataset.bin",
          transfer.rate, version.contentSha256(), (dest, progress) -> client.downloadDatasetVersion(versionId, dest,
              progress, true));
      return 0;
    }
  }
}
