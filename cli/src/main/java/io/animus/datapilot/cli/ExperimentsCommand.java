package io.animus.datapilot.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.animus.sdk.AnimusApiException;
import io.animus.sdk.ExperimentsClient;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code datapilot experiments list|create|show}. */
@Command(name = "experiments", mixinStandardHelpOptions = true, description = "List, create and show experiments.",
    subcommands = {ExperimentsCommand.ListExperiments.class, ExperimentsCommand.Create.class,
        ExperimentsCommand.Show.class},
    footerHeading = "%nExample:%n", footer = "  datapilot experiments create baseline --description 'first try'")
final class ExperimentsCommand {

  /** An experiment by id, or by exact name in the project. */
  static JsonNode find(ExperimentsClient client, String idOrName) {
    if (Args.isId(idOrName)) {
      return client.getExperiment(idOrName);
    }
    for (JsonNode e : client.listExperiments(1, idOrName).path("experiments")) {
      return e;
    }
    throw new AnimusApiException(404, "not_found", null,
        Printer.JSON.createObjectNode().put("error", "not_found").put("message", "no experiment named " + idOrName));
  }

  @Command(name = "list", mixinStandardHelpOptions = true, description = "List the project's experiments, newest first.",
      footerHeading = "%nExample:%n", footer = "  datapilot experiments list --limit 20")
  static final class ListExperiments implements Callable<Integer> {
    @Mixin ClientOptions opts;
    @Option(names = "--name", description = "only the experiment with exactly this name")
    String name;
    @Option(names = "--limit", defaultValue = "100", description = "at most this many (default: ${DEFAULT-VALUE})")
    int limit;

    @Override
    public Integer call() {
      JsonNode page = opts.experiments().listExperiments(limit, name);
      opts.print(page, () -> {
        Instant now = Instant.now();
        List<List<String>> rows = new ArrayList<>();
        for (JsonNode e : page.path("experiments")) {
          rows.add(List.of(Printer.text(e, "experiment_id"), Printer.text(e, "name"), Printer.text(e, "run_count"),
              Human.ago(e.path("last_run_at"), now), Human.ago(e.path("created_at"), now)));
        }
        opts.printer().table("experiments", List.of("EXPERIMENT ID", "NAME", "RUNS", "LAST RUN", "CREATED"), rows);
      });
      return 0;
    }
  }

  @Command(name = "create", mixinStandardHelpOptions = true, description = "Create an experiment.",
      footerHeading = "%nExample:%n",
      footer = "  datapilot experiments create baseline --description 'Baseline' --metadata '{\"team\":\"ml\"}'")
  static final class Create implements Callable<Integer> {
    @Mixin ClientOptions opts;
    @Parameters(paramLabel = "NAME", description = "unique in the project")
    String name;
    @Option(names = "--description", defaultValue = "", description = "free text")
    String description;
    @Option(names = "--metadata", paramLabel = "JSON", description = "a JSON object")
    String metadata;

    @Override
    public Integer call() {
      JsonNode e = opts.experiments().createExperiment(name, description, Args.object(metadata, "--metadata"));
      opts.print(e, () -> show(opts.printer(), e));
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
      JsonNode e = find(opts.experiments(), experiment);
      opts.print(e, () -> show(opts.printer(), e));
      return 0;
    }
  }

  static void show(Printer p, JsonNode e) {
    p.details(List.of(Map.entry("Experiment id", Printer.text(e, "experiment_id")),
        Map.entry("Name", Printer.text(e, "name")), Map.entry("Project", Printer.text(e, "project_id")),
        Map.entry("Description", Printer.text(e, "description")), Map.entry("Metadata", Printer.pairs(e.path("metadata"))),
        Map.entry("Created", Printer.text(e, "created_at") + " by " + Printer.text(e, "created_by"))));
  }
}
