package io.animus.datapilot.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.animus.sdk.ExperimentsClient;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code datapilot runs list|show|status|cancel|tail}. */
@Command(name = "runs", mixinStandardHelpOptions = true, description = "List, inspect, cancel and follow runs.",
    subcommands = {RunsCommand.ListRuns.class, RunsCommand.Show.class, RunsCommand.Status.class,
        RunsCommand.Cancel.class, RunTail.class},
    footerHeading = "%nExample:%n", footer = "  datapilot runs list --experiment baseline --status running")
final class RunsCommand {

  @Command(name = "list", mixinStandardHelpOptions = true,
      description = "List runs of an experiment (with their latest metrics) or of the whole project.",
      footerHeading = "%nExample:%n", footer = "  datapilot runs list --experiment baseline --order-by metric:accuracy")
  static final class ListRuns implements Callable<Integer> {
    @Mixin ClientOptions opts;
    @Option(names = {"-e", "--experiment"}, paramLabel = "EXPERIMENT", description = "id or name (default: all runs of the project)")
    String experiment;
    @Option(names = "--status", description = "pending, running, succeeded, failed or canceled")
    String status;
    @Option(names = "--order-by", paramLabel = "KEY",
        description = "started_at, metric:<name> or param:<name> (with --experiment)")
    String orderBy;
    @Option(names = "--order", description = "desc (default) or asc")
    String order;
    @Option(names = "--limit", defaultValue = "100", description = "at most this many (default: ${DEFAULT-VALUE})")
    int limit;

    @Override
    public Integer call() {
      ExperimentsClient client = opts.experiments();
      String experimentId = experiment == null ? null : Printer.text(ExperimentsCommand.find(client, experiment),
          "experiment_id");
      if (experimentId == null && (orderBy != null || order != null)) {
        throw new UsageException("--order-by and --order need --experiment");
      }
      JsonNode page = client.listRuns(experimentId, limit, status, orderBy, order, experimentId != null, null);
      opts.print(page, () -> {
        Instant now = Instant.now();
        List<List<String>> rows = new ArrayList<>();
        for (JsonNode r : page.path("runs")) {
          rows.add(List.of(Printer.text(r, "run_id"), Printer.text(r, "status") + (r.path("stale").asBoolean() ? " (stale)" : ""),
              Human.ago(r.path("started_at"), now), duration(r, now), Printer.pairs(r.path("params")),
              Printer.pairs(r.path("latest_metrics"))));
        }
        opts.printer().table("runs", List.of("RUN ID", "STATUS", "STARTED", "DURATION", "PARAMS", "METRICS"), rows);
      });
      return 0;
    }
  }

  /** How long the run ran (or has been running). */
  static String duration(JsonNode run, Instant now) {
    Instant start = Human.instant(run.path("started_at"));
    if (start == null) {
      return "";
    }
    Instant end = Human.instant(run.path("ended_at"));
    return Human.duration(Duration.between(start, end == null ? now : end));
  }

  @Command(name = "show", mixinStandardHelpOptions = true, description = "Show a run: status, git, params, latest metrics.",
      footerHeading = "%nExample:%n", footer = "  datapilot runs show 7d1e...")
  static final class Show implements Callable<Integer> {
    @Mixin ClientOptions opts;
    @Parameters(paramLabel = "RUN_ID")
    String runId;

    @Override
    public Integer call() {
      ExperimentsClient client = opts.experiments();
      JsonNode r = client.getRun(runId);
      if (opts.json) {
        opts.printer().json(r);
        return 0;
      }
      StringBuilder metrics = new StringBuilder();
      for (JsonNode s : client.listMetrics(runId, null, 200).path("samples")) {
        metrics.append(metrics.length() == 0 ? "" : " ").append(Printer.text(s, "name")).append('=')
            .append(Human.number(s.path("value")));
      }
      JsonNode progress = r.path("progress");
      String git = String.join(" ", Printer.text(r, "git_repo"), Printer.text(r, "git_ref"), Printer.text(r, "git_commit")).strip();
      opts.printer().details(List.of(Map.entry("Run id", Printer.text(r, "run_id")),
          Map.entry("Experiment", Printer.text(r, "experiment_id")), Map.entry("Project", Printer.text(r, "project_id")),
          Map.entry("Status", Printer.text(r, "status") + (r.path("stale").asBoolean() ? " (stale)" : "")),
          Map.entry("Reported", Printer.text(r, "reported_status")),
          Map.entry("Progress", progress.isObject() ? progressText(progress) : ""),
          Map.entry("Started", Printer.text(r, "started_at")), Map.entry("Ended", Printer.text(r, "ended_at")),
          Map.entry("Duration", duration(r, Instant.now())), Map.entry("Dataset version", Printer.text(r, "dataset_version_id")),
          Map.entry("Git", git), Map.entry("Params", Printer.pairs(r.path("params"))),
          Map.entry("Metrics", metrics.toString())));
      return 0;
    }
  }

  static String progressText(JsonNode progress) {
    String s = "step " + Printer.text(progress, "step");
    if (progress.has("total_steps")) {
      s += "/" + Printer.text(progress, "total_steps");
    }
    if (progress.has("percent")) {
      s += String.format(java.util.Locale.ROOT, " (%.0f%%)", progress.path("percent").asDouble() * 100);
    }
    return s;
  }

  @Command(name = "status", mixinStandardHelpOptions = true,
      description = {"Print a run's status and state history, or move it with --set."},
      footerHeading = "%nExamples:%n",
      footer = {"  datapilot runs status 7d1e...", "  datapilot runs status 7d1e... --set succeeded --message 'done'"})
  static final class Status implements Callable<Integer> {
    @Mixin ClientOptions opts;
    @Parameters(paramLabel = "RUN_ID")
    String runId;
    @Option(names = "--set", paramLabel = "STATUS", description = "move the run: running, succeeded, failed or canceled")
    String set;
    @Option(names = "--message", description = "with --set: why")
    String message;

    @Override
    public Integer call() {
      ExperimentsClient client = opts.experiments();
      if (set != null) {
        JsonNode r = client.setRunStatus(runId, set, message);
        opts.print(r, () -> opts.printer().line("Run " + runId + " is " + Printer.text(r, "status")));
        return 0;
      }
      if (message != null) {
        throw new UsageException("--message goes with --set");
      }
      JsonNode states = client.listRunStates(runId);
      JsonNode run = client.getRun(runId);
      com.fasterxml.jackson.databind.node.ObjectNode out = Printer.JSON.createObjectNode();
      out.put("run_id", runId).put("status", Printer.text(run, "status")).set("states", states.path("states"));
      opts.print(out, () -> {
        Printer p = opts.printer();
        p.line("Status: " + Printer.text(run, "status"));
        List<List<String>> rows = new ArrayList<>();
        for (JsonNode s : states.path("states")) {
          rows.add(List.of(Printer.text(s, "status"), Printer.text(s, "observed_at"), Printer.pairs(s.path("details"))));
        }
        p.table("states", List.of("STATUS", "OBSERVED", "DETAILS"), rows);
      });
      return 0;
    }
  }

  @Command(name = "cancel", mixinStandardHelpOptions = true,
      description = "Cancel a run (its job is stopped: SIGTERM, then SIGKILL after 10 s).",
      footerHeading = "%nExample:%n", footer = "  datapilot runs cancel 7d1e...")
  static final class Cancel implements Callable<Integer> {
    @Mixin ClientOptions opts;
    @Parameters(paramLabel = "RUN_ID")
    String runId;

    @Override
    public Integer call() {
      JsonNode r = opts.experiments().cancelRun(runId);
      opts.print(r, () -> opts.printer().line("Run " + runId + " is " + Printer.text(r, "status")));
      return 0;
    }
  }
}
