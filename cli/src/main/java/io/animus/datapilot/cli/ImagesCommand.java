package io.animus.datapilot.cli;

import io.animus.sdk.ModelImage;
import io.animus.sdk.Page;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code datapilot images list|show}: model images registered by CI. */
@Command(name = "images", mixinStandardHelpOptions = true, description = "Model images registered by CI (ci report).",
    subcommands = {ImagesCommand.ListImages.class, ImagesCommand.Show.class},
    footerHeading = "%nExample:%n", footer = "  datapilot images list --repo ghcr.io/acme/train")
final class ImagesCommand {

  @Command(name = "list", mixinStandardHelpOptions = true, description = "List registered images, newest first.",
      footerHeading = "%nExample:%n", footer = "  datapilot images list --commit deadbeef --json")
  static final class ListImages implements Callable<Integer> {
    @Mixin ClientOptions opts;
    @Option(names = "--repo", description = "only this repository")
    String repo;
    @Option(names = "--commit", description = "only this commit sha")
    String commit;
    @Option(names = "--limit", defaultValue = "100", description = "at most this many (default: ${DEFAULT-VALUE})")
    int limit;

    @Override
    public Integer call() {
      Page<ModelImage> page = opts.experiments().listModelImages(repo, commit, limit);
      ListOutput.print(opts, "model_images", page, List.of("DIGEST", "REPO", "COMMIT", "PIPELINE", "PROVIDER", "RECEIVED"),
          (i, now) -> Printer.row(i.imageDigest(), i.repo(), i.commitSha(), i.pipelineId(), Printer.value(i.provider()), Humanize.ago(i.receivedAt(), now)));
      return 0;
    }
  }

  @Command(name = "show", mixinStandardHelpOptions = true, description = "Show one image and its CI payload.",
      footerHeading = "%nExample:%n", footer = "  datapilot images show sha256:4f2a...")
  static final class Show implements Callable<Integer> {
    @Mixin ClientOptions opts;
    @Parameters(paramLabel = "DIGEST", description = "sha256:<64 hex>")
    String digest;

    @Override
    public Integer call() {
      ModelImage i = opts.experiments().getModelImage(digest);
      opts.print(Printer.tree(i), () -> opts.printer().details(List.of(Printer.field("Digest", i.imageDigest()),
          Printer.field("Repo", i.repo()), Printer.field("Commit", i.commitSha()), Printer.field("Pipeline", i.pipelineId()),
          Printer.field("Provider", Printer.value(i.provider())),
          Printer.field("Received", Humanize.time(i.receivedAt()) + " by " + i.receivedBy()),
          Printer.field("Payload", Printer.value(i.payload())))));
      return 0;
    }
  }
}
