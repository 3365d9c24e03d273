package io.animus.datapilot.cli;

import io.animus.sdk.ExecuteRunResult;
import io.animus.sdk.ExperimentsClient;
import io.animus.sdk.GitMetadata;
import io.animus.sdk.NewExecution;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code datapilot execute}: starts a training job ({@code runs:execute}) and optionally follows it. */
@Command(name = "execute", mixinStandardHelpOptions = true,
    description = {"Start a training run on the server's executor (runs:execute).",
        "Everything after -- is the job's command (local executor; replaces the image's command elsewhere)."},
    footerHeading = "%nExample:%n",
    footer = {"  datapilot execute -e baseline --dataset-version 5a2c... --image local/train:dev \\",
        "      --git-commit $(git rev-parse HEAD) --param lr=0.001 --resource cpu=2 --follow -- python3 -u train.py"})
final class ExecuteCommand implements Callable<Integer> {
  @Mixin ClientOptions opts;
  @Option(names = {"-e", "--experiment"}, required = true, paramLabel = "EXPERIMENT", description = "id or name")
  String experiment;
  @Option(names = "--dataset-version", required = true, paramLabel = "VERSION_ID")
  String datasetVersion;
  @Option(names = "--image", required = true, paramLabel = "IMAGE_REF", description = "image reference (name@sha256:... when pinned)")
  String image;
  @Option(names = "--git-commit", paramLabel = "SHA", description = "required unless the image was registered by ci report")
  String gitCommit;
  @Option(names = "--git-repo", paramLabel = "REPO", description = "the code's repository, e.g. github.com/acme/train")
  String gitRepo;
  @Option(names = "--detect-git", description = "take repo, commit and ref from CI variables or git in the current directory")
  boolean detectGit;
  @Option(names = "--param", paramLabel = "KEY=VALUE", description = "a run parameter (repeatable; JSON values keep their type)")
  List<String> params;
  @Option(names = "--resource", paramLabel = "KEY=VALUE", description = "gpus=1, cpu=2, memory=4Gi (repeatable)")
  List<String> resources;
  @Option(names = "--env", paramLabel = "NAME=VALUE", description = "an extra variable for the job (repeatable)")
  List<String> env;
  @Option(names = "--follow", description = "then follow the run like runs tail; exit 0 only if it succeeds")
  boolean follow;
  @Parameters(paramLabel = "COMMAND", arity = "0..*", description = "the job's command and arguments")
  List<String> command;

  @Override
  public Integer call() throws InterruptedException {
    Map<String, Object> p = Args.pairs(params, "--param");
    Map<String, Object> r = Args.pairs(resources, "--resource");
    Map<String, String> e = Args.textPairs(env, "--env");
    ExperimentsClient client = opts.experiments();
    String experimentId = ExperimentsCommand.find(client, experiment).experimentId();
    NewExecution job = NewExecution.of(experimentId, datasetVersion, image).params(p).resources(r).command(command)
        .env(e);
    GitMetadata git = detectGit ? GitMetadata.detect(opts.term().env(), null).orElse(null) : null;
    if (git != null || gitCommit != null || gitRepo != null) {
      job.git(new GitMetadata(gitRepo != null ? gitRepo : git == null ? null : git.repo(),
          gitCommit != null ? gitCommit : git == null ? null : git.commit(), git == null ? null : git.ref(),
          git == null ? "cli" : git.source()));
    }
    ExecuteRunResult started = client.executeRun(job);
    String runId = started.runId();
    if (follow) {
      if (!opts.json) {
        opts.printer().line("Started run " + runId);
      }
      return RunTail.follow(opts, runId, 0);
    }
    opts.print(Printer.tree(started), () -> opts.printer().details(List.of(Printer.field("Run id", runId),
        Printer.field("Execution id", started.executionId()), Printer.field("Status", started.status()),
        Printer.field("Follow with", "datapilot runs tail " + runId))));
    return 0;
  }
}
