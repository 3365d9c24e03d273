package io.animus.datapilot.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.animus.sdk.CancelResult;
import io.animus.sdk.ExperimentsClient;
import io.animus.sdk.MetricPoint;
import io.animus.sdk.Page;
import io.animus.sdk.Run;
import io.animus.sdk.RunProgress;
import io.animus.sdk.RunQuery;
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

/** {@code datapilot runs list|show|status|cancel|tail|tag|rename|note|archive|restore|delete}. */
@Command(name = "runs", mixinStandardHelpOptions = true,
    description = "Search, inspect, follow, tag, annotate, archive and delete runs.",
    subcommands = {RunsCommand.ListRuns.class, RunsCommand.Show.class, RunsCommand.Status.class,
        RunsCommand.Cancel.class, RunTail.class, RunEditCommands.Tag.class, RunEditCommands.Rename.class,
        RunEditCommands.Note.class, ArchiveCommands.ArchiveRun.class, ArchiveCommands.RestoreRun.class,
        ArchiveCommands.DeleteRun.class},
    footerHeading = "%nExamples:%n",
    footer = {"  datapilot runs list --filter \"metrics.accuracy > 0.9 and params.optimizer = 'adam'\" --order-by metrics.accuracy",
        "  datapilot runs tag 7d1e... stage=prod && datapilot runs list --filter \"tags.stage = 'prod'\""})
final class RunsCommand {

  @Command(name = "list", mixinStandardHelpOptions = true,
      description = {"Search the project's runs (or one experiment's) with a filter, newest first by default.",
          "Filter keys: metrics.<name>, params.<name>, tags.<name>, name, status, started_at, ended_at, duration,",
          "experiment, created_by, git_commit...; operators = != < <= > >= in like ilike 'is null', and/or/not."},
      footerHeading = "%nExamples:%n",
      footer = {"  datapilot runs list --filter \"metrics.accuracy > 0.9 and tags.stage = 'prod'\"",
          "  datapilot runs list -e baseline --order-by metrics.loss --asc --limit 5",
          "  datapilot runs list --filter \"started_at >= '2026-11-01' and duration < 3600\" --archived"})
  static final class ListRuns implements Callable<Integer> {
    @Mixin ClientOptions opts;
    @Option(names = {"-e", "--experiment"}, paramLabel = "EXPERIMENT", description = "id or name (default: all runs of the project)")
    String experiment;
    @Option(names = {"-f", "--filter"}, paramLabel = "FILTER", description = "a search filter (see above)")
    String filter;
    @Option(names = "--status", description = "pending, running, succeeded, failed or canceled (added to the filter)")
    String status;
    @Option(names = "--order-by", paramLabel = "KEY",
        description = "metrics.<name>, params.<name>, tags.<name>, name, status, started_at (default), ended_at, duration")
    String orderBy;
    @Option(names = "--asc", description = "ascending order (default: descending; runs without the key come last)")
    boolean asc;
    @Option(names = "--order", hidden = true, description = "desc or asc (older spelling of --asc)")
    String order;
    @Option(names = "--archived", description = "include archived runs")
    boolean archived;
    @Option(names = "--limit", defaultValue = "100", description = "at most this many (default: ${DEFAULT-VALUE})")
    int limit;

    @Override
    public Integer call() {
      ExperimentsClient client = opts.experiments();
      RunQuery query = RunQuery.where(filter(filter, status)).orderBy(orderBy).order(asc ? "asc" : order).limit(limit)
          .includeLatestMetrics(true).includeArchived(archived);
      if (experiment != null) {
        query.experimentIds(ExperimentsCommand.find(client, experiment, archived).experimentId());
      }
      Page<Run> page = client.runs().searchRuns(query);
      ListOutput.print(opts, "runs", page, List.of("RUN ID", "NAME", "STATUS", "STARTED", "DURATION", "TAGS", "PARAMS", "METRICS"),
          (r, now) -> Printer.row(r.runId(), r.name(), statusText(r), Humanize.ago(r.startedAt(), now), duration(r, now), Printer.pairs(r.tags()), Printer.pairs(r.params()), Printer.pairs(metrics(r))));
      return 0;
    }
  }

  /** {@code filter} with {@code status = '<status>'} added (either may be null). */
  static String filter(String filter, String status) {
    if (status == null || status.isBlank()) {
      return filter;
    }
    String clause = "status = '" + status.strip().replace("'", "''") + "'";
    return filter == null || filter.isBlank() ? clause : "(" + filter + ") and " + clause;
  }

  static String statusText(Run r) {
    return r.status() + (r.stale() ? " (stale)" : "") + (r.archived() ? " (archived)" : "");
  }

  /** The metrics a list shows: the summary value where the run has one, else the latest telemetry value. */
  static Map<String, Object> metrics(Run r) {
    Map<String, Object> out = new LinkedHashMap<>(r.metrics());
    r.latestMetrics().forEach(out::putIfAbsent);
    return out;
  }

  /**
   * Summary metrics and latest values for people: {@code acc=0.93 (latest 0.91) loss=0.25}, the summary first and
   * the latest value beside it where the two differ.
   */
  static String metricsText(Map<String, Object> summary, Map<String, Double> latest) {
    StringBuilder s = new StringBuilder();
    for (Map.Entry<String, Object> e : summary.entrySet()) {
      s.append(s.length() == 0 ? "" : " ").append(e.getKey()).append('=').append(Printer.value(e.getValue()));
      Double last = latest.get(e.getKey());
      if (last != null && !(e.getValue() instanceof Number n && Double.compare(n.doubleValue(), last) == 0)) {
        s.append(" (latest ").append(Humanize.number(last, true)).append(')');
      }
    }
    for (Map.Entry<String, Double> e : latest.entrySet()) {
      if (!summary.containsKey(e.getKey())) {
        s.append(s.length() == 0 ? "" : " ").append(e.getKey()).append('=').append(Humanize.number(e.getValue(), true));
      }
    }
    return s.toString();
  }

  /** How long the run ran (or has been running). */
  static String duration(Run run, Instant now) {
    if (run.startedAt() == null) {
      return "";
    }
    return Humanize.duration(Duration.between(run.startedAt(), run.endedAt() == null ? now : run.endedAt()));
  }

  @Command(name = "show", mixinStandardHelpOptions = true,
      description = "Show a run: name, status, tags, git, params, summary and latest metrics, notes.",
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
      Printer p = opts.printer();
      p.details(List.of(Printer.field("Run id", r.runId()), Printer.field("Name", r.name()),
          Printer.field("Experiment", r.experimentId()), Printer.field("Project", r.projectId()),
          Printer.field("Status", statusText(r)), Printer.field("Archived", Humanize.time(r.archivedAt())),
          Printer.field("Reported", r.reportedStatus()), Printer.field("Progress", progressText(r.progress())),
          Printer.field("Started", Humanize.time(r.startedAt())), Printer.field("Ended", Humanize.time(r.endedAt())),
          Printer.field("Duration", duration(r, Instant.now())), Printer.field("Dataset version", r.datasetVersionId()),
          Printer.field("Git", git), Printer.field("Tags", Printer.pairs(r.tags())),
          Printer.field("Params", Printer.pairs(r.params())), Printer.field("Metrics", metricsText(r.metrics(), latest))));
      if (r.notes() != null && !r.notes().isBlank()) {
        p.line("Notes:");
        r.notes().lines().forEach(l -> p.line("  " + l));
      }
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
