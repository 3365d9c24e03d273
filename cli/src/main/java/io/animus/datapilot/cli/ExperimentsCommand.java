package io.animus.datapilot.cli;

import io.animus.sdk.Experiment;
import io.animus.sdk.ExperimentsClient;
import io.animus.sdk.Page;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code datapilot experiments list|create|show|archive|restore|delete}. */
@Command(name = "experiments", mixinStandardHelpOptions = true,
    description = "List, create, show, archive, restore and delete experiments.",
    subcommands = {ExperimentsCommand.ListExperiments.class, ExperimentsCommand.Create.class,
        ExperimentsCommand.Show.class, ArchiveCommands.ArchiveExperiment.class,
        ArchiveCommands.RestoreExperiment.class, ArchiveCommands.DeleteExperiment.class},
    footerHeading = "%nExample:%n", footer = "  datapilot experiments create baseline --description 'first try'")
final class ExperimentsCommand {

  /** An experiment by id, or by exact name in the project (archived ones are not found by name). */
  static Experiment find(ExperimentsClient client, String idOrName) {
    return find(client, idOrName, false);
  }

  /** {@link #find(ExperimentsClient, String)}, finding archived experiments by name too when asked. */
  static Experiment find(ExperimentsClient client, String idOrName, boolean includeArchived) {
    if (Args.isId(idOrName)) {
      return client.getExperiment(idOrName);
    }
    for (Experiment e : client.listExperiments(1, idOrName, null, includeArchived).items()) {
      return e;
    }
    throw Args.notFound("no experiment named " + idOrName + (includeArchived ? "" : " (archived ones are not listed)"));
  }

  @Command(name = "list", mixinStandardHelpOptions = true, description = "List the project's experiments, newest first.",
      footerHeading = "%nExample:%n", footer = "  datapilot experiments list --limit 20")
  static final class ListExperiments implements Callable<Integer> {
    @Mixin ClientOptions opts;
    @Option(names = "--name", description = "only the experiment with exactly this name")
    String name;
    @Option(names = "--limit", defaultValue = "100", description = "at most this many (default: ${DEFAULT-VALUE})")
    int limit;
    @Option(names = "--archived", description = "include archived experiments")
    boolean archived;

    @Override
    public Integer call() {
      Page<Experiment> page = opts.experiments().listExperiments(limit, name, null, archived);
      ListOutput.print(opts, "experiments", page, List.of("EXPERIMENT ID", "NAME", "RUNS", "LAST RUN", "CREATED"),
          (e, now) -> Printer.row(e.experimentId(), e.name() + (e.archivedAt() != null ? " (archived)" : ""), e.runCount(), Humanize.ago(e.lastRunAt(), now), Humanize.ago(e.createdAt(), now)));
      return 0;
    }
  }

  @Command(name = "create", mixinStandardHelpOptions = true, description = "Create an experiment.",
      footerHeading = "%nExample:%n",
      footer = "  datapilot experiments create baseline --description 'Baseline' --metadata '{\"team\":\"ml\"}'")
  static final class Create implements Callable<Integer> {
    @Mixin ClientOptions opts;
    @Mixin CreateOptions resource;

    @Override
    public Integer call() {
      Experiment e = opts.experiments().createExperiment(resource.name, resource.description, resource.metadataObject());
      opts.print(e.raw(), () -> show(opts.printer(), e));
      return 0;
    }
  }

  @Command(name = "show", mixinStandardHelpOptions = true, description = "Show one experiment (by id or name).",
      footerHeading = "%nExample:%n", footer = "  datapilot experiments show baseline")
  static final class Show implements Callable<Integer> {
    @Mixin ClientOptions opts;
    @Parameters(paramLabel = "EXPERIMENT", description = "id or name")
    String experiment;

    @Override
    public Integer call() {
      Experiment e = find(opts.experiments(), experiment);
      opts.print(e.raw(), () -> show(opts.printer(), e));
      return 0;
    }
  }

  static void show(Printer p, Experiment e) {
    p.details(List.of(Printer.field("Experiment id", e.experimentId()), Printer.field("Name", e.name()),
        Printer.field("Project", e.projectId()), Printer.field("Description", e.description()),
        Printer.field("Metadata", Printer.pairs(e.metadata())), Printer.field("Archived", Humanize.time(e.archivedAt())),
        Printer.field("Created", Humanize.time(e.createdAt()) + " by " + e.createdBy())));
  }
}
