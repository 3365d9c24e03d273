package io.animus.datapilot.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
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
      JsonNode page = opts.experiments().listModelImages(repo, commit, limit);
      opts.print(page, () -> {
        Instant now = Instant.now();
        List<List<String>> rows = new ArrayList<>();
        for (JsonNode i : page.path("model_images")) {
          rows.add(List.of(Printer.text(i, "image_digest"), Printer.text(i, "repo"), Printer.text(i, "commit_sha"),
              Printer.text(i, "pipeline_id"), Printer.text(i, "provider"), Human.ago(i.path("received_at"), now)));
        }
        opts.printer().table("images", List.of("DIGEST", "REPO", "COMMIT", "PIPELINE", "PROVIDER", "RECEIVED"), rows);
      });
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
      JsonNode i = opts.experiments().getModelImage(digest);
      opts.print(i, () -> opts.printer().details(List.of(Map.entry("Digest", Printer.text(i, "image_digest")),
          Map.entry("Repo", Printer.text(i, "repo")), Map.entry("Commit", Printer.text(i, "commit_sha")),
          Map.entry("Pipeline", Printer.text(i, "pipeline_id")), Map.entry("Provider", Printer.text(i, "provider")),
          Map.entry("Received", Printer.text(i, "received_at") + " by " + Printer.text(i, "received_by")),
          Map.entry("Payload", Printer.compact(i.path("payload"))))));
      return 0;
    }
  }
}
