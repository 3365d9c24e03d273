package io.animus.datapilot.cli;

import io.animus.sdk.Project;
import java.time.Instant;
import java.util.ArrayList;
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
      opts.print(Printer.list("projects", projects, null), () -> {
        Instant now = Instant.now();
        List<List<String>> rows = new ArrayList<>();
        for (Project p : projects) {
          rows.add(Printer.row(p.projectId(), Long.toString(p.experimentCount()), Long.toString(p.datasetCount()),
              Human.ago(p.lastActivityAt(), now)));
        }
        opts.printer().table("projects", List.of("PROJECT", "EXPERIMENTS", "DATASETS", "LAST ACTIVITY"), rows);
      });
      return 0;
    }
  }
}
