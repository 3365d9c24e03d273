package io.animus.datapilot.cli;

import com.fasterxml.jackson.databind.JsonNode;
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
      JsonNode page = opts.experiments().listProjects();
      opts.print(page, () -> {
        Instant now = Instant.now();
        List<List<String>> rows = new ArrayList<>();
        for (JsonNode p : page.path("projects")) {
          rows.add(List.of(Printer.text(p, "project_id"), Printer.text(p, "experiment_count"),
              Printer.text(p, "dataset_count"), Human.ago(p.path("last_activity_at"), now)));
        }
        opts.printer().table("projects", List.of("PROJECT", "EXPERIMENTS", "DATASETS", "LAST ACTIVITY"), rows);
      });
      return 0;
    }
  }
}
