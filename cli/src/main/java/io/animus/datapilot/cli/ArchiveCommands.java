package io.animus.datapilot.cli;

import io.animus.sdk.DatasetRegistryClient;
import io.animus.sdk.Deletion;
import io.animus.sdk.ExperimentsClient;
import io.animus.sdk.Run;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code archive}, {@code restore} and {@code delete} of runs, experiments and datasets (docs/protocol.md §3.6).
 * Archiving hides a thing from lists and keeps everything; deleting removes it at once for every reader and frees
 * its space in the background.
 */
final class ArchiveCommands {
  private ArchiveCommands() {}

  /** Prints the archived or restored thing: its JSON, or one line for people. */
  static void printArchived(ClientOptions opts, Map<String, Object> raw, String what, Instant archivedAt) {
    opts.print(raw, () -> opts.printer().line(what + (archivedAt == null ? " is not archived"
        : " is archived (since " + Humanize.time(archivedAt) + ")")));
  }

  /** Prints a deletion: its JSON, or one line for people. */
  static void printDeleted(ClientOptions opts, Deletion d, String what) {
    opts.print(d.raw(), () -> opts.printer().line("Deleted " + what + " (deletion " + d.deletionId() + ", "
        + d.state() + "; the space is freed in the background)"));
  }

  /** {@code runs archive|restore|delete RUN_ID}. */
  abstract static class RunAction implements Callable<Integer> {
    @Mixin ClientOptions opts;
    @Parameters(paramLabel = "RUN_ID")
    String runId;

    void archived(Run r) {
      printArchived(opts, r.raw(), "Run " + r.runId() + " (" + r.name() + ")", r.archivedAt());
    }
  }

  @Command(name = "archive", mixinStandardHelpOptions = true,
      description = "Archive a run: hidden from lists (runs list --archived shows it), everything kept.",
      footerHeading = "%nExample:%n", footer = "  datapilot runs archive 7d1e...")
  static final class ArchiveRun extends RunAction {
    @Override
    public Integer call() {
      archived(opts.experiments().runs().archiveRun(runId));
      return 0;
    }
  }

  @Command(name = "restore", mixinStandardHelpOptions = true, description = "Restore an archived run.",
      footerHeading = "%nExample:%n", footer = "  datapilot runs restore 7d1e...")
  static final class RestoreRun extends RunAction {
    @Override
    public Integer call() {
      archived(opts.experiments().runs().restoreRun(runId));
      return 0;
    }
  }

  @Command(name = "delete", mixinStandardHelpOptions = true,
      description = {"Delete a run with its metrics, events and artifacts (a running one is canceled first).",
          "It is gone at once; this cannot be undone."},
      footerHeading = "%nExample:%n", footer = "  datapilot runs delete 7d1e...")
  static final class DeleteRun extends RunAction {
    @Override
    public Integer call() {
      printDeleted(opts, opts.experiments().runs().deleteRun(runId), "run " + runId);
      return 0;
    }
  }

  /** {@code experiments archive|restore|delete EXPERIMENT}. */
  abstract static class ExperimentAction implements Callable<Integer> {
    @Mixin ClientOptions opts;
    @Parameters(paramLabel = "EXPERIMENT", description = "id or name")
    String experiment;

    String id(ExperimentsClient client, boolean includeArchived) {
      return ExperimentsCommand.find(client, experiment, includeArchived).experimentId();
    }

    void archived(io.animus.sdk.Experiment e) {
      printArchived(opts, e.raw(), "Experiment " + e.name(), e.archivedAt());
    }
  }

  @Command(name = "archive", mixinStandardHelpOptions = true,
      description = "Archive an experiment: it and its runs are hidden from lists, everything kept.",
      footerHeading = "%nExample:%n", footer = "  datapilot experiments archive baseline")
  static final class ArchiveExperiment extends ExperimentAction {
    @Override
    public Integer call() {
      ExperimentsClient client = opts.experiments();
      archived(client.runs().archiveExperiment(id(client, false)));
      return 0;
    }
  }

  @Command(name = "restore", mixinStandardHelpOptions = true, description = "Restore an archived experiment.",
      footerHeading = "%nExample:%n", footer = "  datapilot experiments restore baseline")
  static final class RestoreExperiment extends ExperimentAction {
    @Override
    public Integer call() {
      ExperimentsClient client = opts.experiments();
      archived(client.runs().restoreExperiment(id(client, true)));
      return 0;
    }
  }

  @Command(name = "delete", mixinStandardHelpOptions = true,
      description = {"Delete an experiment with all its runs. It is gone at once; this cannot be undone."},
      footerHeading = "%nExample:%n", footer = "  datapilot experiments delete scratch")
  static final class DeleteExperiment extends ExperimentAction {
    @Override
    public Integer call() {
      ExperimentsClient client = opts.experiments();
      printDeleted(opts, client.runs().deleteExperiment(id(client, true)), "experiment " + experiment);
      return 0;
    }
  }

  /** {@code datasets archive|restore|delete DATASET}. */
  abstract static class DatasetAction implements Callable<Integer> {
    @Mixin ClientOptions opts;
    @Parameters(paramLabel = "DATASET", description = "id or name")
    String dataset;

    String id(DatasetRegistryClient client, boolean includeArchived) {
      return DatasetsCommand.find(client, dataset, includeArchived).datasetId();
    }

    void archived(io.animus.sdk.Dataset d) {
      printArchived(opts, d.raw(), "Dataset " + d.name(), d.archivedAt());
    }
  }

  @Command(name = "archive", mixinStandardHelpOptions = true,
      description = "Archive a dataset: hidden from lists; it and its versions stay readable and usable.",
      footerHeading = "%nExample:%n", footer = "  datapilot datasets archive fraud-train-2025")
  static final class ArchiveDataset extends DatasetAction {
    @Override
    public Integer call() {
      DatasetRegistryClient client = opts.datasets();
      archived(client.archiveDataset(id(client, false)));
      return 0;
    }
  }

  @Command(name = "restore", mixinStandardHelpOptions = true, description = "Restore an archived dataset.",
      footerHeading = "%nExample:%n", footer = "  datapilot datasets restore fraud-train-2025")
  static final class RestoreDataset extends DatasetAction {
    @Override
    public Integer call() {
      DatasetRegistryClient client = opts.datasets();
      archived(client.restoreDataset(id(client, true)));
      return 0;
    }
  }

  @Command(name = "delete", mixinStandardHelpOptions = true,
      description = {"Delete a dataset with all its versions, or with --dataset-version only one version.",
          "A version that runs use is refused (dataset_version_in_use) unless --force; then the runs keep its id.",
          "It is gone at once; this cannot be undone."},
      footerHeading = "%nExamples:%n",
      footer = {"  datapilot datasets delete scratch-data", "  datapilot datasets delete fraud-train --dataset-version 5a2c... --force"})
  static final class DeleteDataset extends DatasetAction {
    @Option(names = "--dataset-version", paramLabel = "VERSION_ID", description = "delete only this version of the dataset")
    String version;
    @Option(names = "--force", description = "with --dataset-version: delete it even if runs use it")
    boolean force;

    @Override
    public Integer call() {
      DatasetRegistryClient client = opts.datasets();
      if (version == null) {
        if (force) {
          throw new UsageException("--force goes with --dataset-version (a whole dataset in use is never deleted)");
        }
        printDeleted(opts, client.deleteDataset(id(client, true)), "dataset " + dataset);
        return 0;
      }
      String datasetId = id(client, true);
      if (!datasetId.equals(client.getDatasetVersion(version).datasetId())) {
        throw new UsageException("version " + version + " is not a version of dataset " + dataset);
      }
      printDeleted(opts, client.deleteDatasetVersion(version, force), "version " + version + " of " + dataset);
      return 0;
    }
  }
}
