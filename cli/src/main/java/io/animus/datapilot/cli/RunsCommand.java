package io.animus.datapilot.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.animus.sdk.CancelResult;
import io.animus.sdk.ExperimentsClient;
import io.animus.sdk.MetricPoint;
import io.animus.sdk.Page;
import io.animus.sdk.Run;
import io.animus.sdk.RunProgress;
import io.animus.sdk.RunState;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
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
      String experimentId = experiment == null ? null : ExperimentsCommand.find(client, experiment).experimentId();
      if (experimentId == null && (orderBy != null || order != null)) {
        throw new UsageException("--order-by and --order need --experiment");
      }
      Page<Run> page = client.listRuns(experimentId, limit, status, orderBy, order, experimentId != null, null);
      ListOutput.print(opts, "runs", page, List.of("RUN ID", "STATUS", "STARTED", "DURATION", "PARAMS", "METRICS"),
          (r, now) -> Printer.row(r.runId(), r.status() + (r.stale() ? " (stale)" : ""), Humanize.ago(r.startedAt(), now), duration(r, now), Printer.pairs(r.params()), Printer.pairs(r.latestMetrics())));
      return 0;
    }
  }

  /** How long the run ran (or has been running). */
  static String duration(Run run, Instant now) {
    if (run.startedAt() == null) {
      return "";
    }
    return Humanize.duration(Duration.between(run.startedAt(), run.endedAt() == null ? now : run.endedAt()));
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
      Run r = client.getRun(runId);
      if (opts.json) {
        opts.printer().json(r.raw());
        return 0;
      }
      Map<String, Double> latest = new LinkedHashMap<>();
      for (MetricPoint s : client.listMetrics(runId, null, 1000).items()) {
        latest.put(s.name(), s.value());
      }
      String git = (Printer.value(r.gitRepo()) + " " + Printer.value(r.gitRef()) + " " + Printer.value(r.gitCommit()))
          .strip().replaceAll(" +", " ");
      opts.printer().details(List.of(Printer.field("Run id", r.runId()), Printer.field("Experiment", r.experimentId()),
          Printer.field("Project", r.projectId()), Printer.field("Status", r.status() + (r.stale() ? " (stale)" : "")),
          Printer.field("Reported", r.reportedStatus()), Printer.field("Progress", progressText(r.progress())),
          Printer.field("Started", Humanize.time(r.startedAt())), Printer.field("Ended", Humanize.time(r.endedAt())),
          Printer.field("Duration", duration(r, Instant.now())), Printer.field("Dataset version", r.datasetVersionId()),
          Printer.field("Git", git), Printer.field("Params", Printer.pairs(r.params())),
          Printer.field("Metrics", Printer.pairs(latest))));
      return 0;
    }
  }

  static String progressText(RunProgress progress) {
    if (progress == null) {
      return "";
    }
    String s = "step " + progress.step() + (progress.totalSteps() == null ? "" : "/" + progress.totalSteps());
    if (progress.percent() != null) {
      s += String.format(java.util.Locale.ROOT, " (%.0f%%)", progress.percent() * 100);
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
        Run r = client.setRunStatus(runId, set, message);
        opts.print(r.raw(), () -> opts.printer().line("Run " + runId + " is " + r.status()));
        return 0;
      }
      if (message != null) {
        throw new UsageException("--message goes with --set");
      }
      List<RunState> states = client.listRunStates(runId);
      Run run = client.getRun(runId);
      ObjectNode out = Printer.JSON.createObjectNode().put("run_id", runId).put("status", run.status());
      ListOutput.printWithin(opts, out, "Status: " + run.status(), "states", states,
          List.of("STATUS", "OBSERVED", "DETAILS"),
          (s, now) -> Printer.row(s.status(), Humanize.time(s.observedAt()), Printer.pairs(s.details())));
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
      CancelResult r = opts.experiments().cancelRun(runId);
      opts.print(Printer.tree(r), () -> opts.printer().line("Run " + runId + " is " + r.status()));
      return 0;
    }
  }
}
