package io.animus.datapilot.cli;

import io.animus.sdk.Project;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code datapilot projects list}. */
@Command(name = "projects", mixinStandardHelpOptions = true, description = "List projects.",
    subcommands = ProjectsCommand.ListProjects.class,
    footerHeading = "%nExample:%n", footer = "  datapilot projects list")
final class ProjectsCommand {

  @Command(name = "list", mixinStandardHelpOptions = true,
      description = "Every project with its experiment and dataset counts.",
      footerHeading = "%nExample:%n", footer = "  datapilot projects list --json")
  static final class ListProjects implements Callable<Integer> {
    @Mixin ClientOptions opts;

    @Override
    public Integer call() {
      List<Project> projects = opts.experiments().listProjects();
      ListOutput.print(opts, "projects", projects, null, List.of("PROJECT", "EXPERIMENTS", "DATASETS", "LAST ACTIVITY"),
          (p, now) -> Printer.row(p.projectId(), p.experimentCount(), p.datasetCount(), Humanize.ago(p.lastActivityAt(), now)));
      return 0;
    }
  }
}
