package io.animus.datapilot.cli;

import io.animus.sdk.Run;
import io.animus.sdk.RunPatch;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code datapilot runs tag|rename|note}: a run's metadata (docs/protocol.md §3.4). */
final class RunEditCommands {
  private RunEditCommands() {}

  /** Sends {@code patch} and prints the run (its JSON, or one line for people). */
  static int patch(ClientOptions opts, String runId, RunPatch patch, String what) {
    Run r = opts.experiments().runs().updateRun(runId, patch);
    opts.print(r.raw(), () -> opts.printer().line("Run " + r.runId() + " (" + r.name() + ") " + what
        + describe(r, what)));
    return 0;
  }

  private static String describe(Run r, String what) {
    if (what.startsWith("tags")) {
      return r.tags().isEmpty() ? ": none" : ": " + Printer.pairs(r.tags());
    }
    return "";
  }

  @Command(name = "tag", mixinStandardHelpOptions = true,
      description = "Set tags of a run (KEY=VALUE) and remove others (--remove KEY).",
      footerHeading = "%nExamples:%n",
      footer = {"  datapilot runs tag 7d1e... stage=prod owner=ana", "  datapilot runs tag 7d1e... --remove debug"})
  static final class Tag implements Callable<Integer> {
    @Mixin ClientOptions opts;
    @Parameters(index = "0", paramLabel = "RUN_ID")
    String runId;
    @Parameters(index = "1..*", arity = "0..*", paramLabel = "KEY=VALUE", description = "tags to set")
    List<String> tags;
    @Option(names = "--remove", paramLabel = "KEY", description = "a tag to remove (repeatable)")
    List<String> remove;

    @Override
    public Integer call() {
      Map<String, String> set = Args.textPairs(tags, "a tag");
      if (set.isEmpty() && (remove == null || remove.isEmpty())) {
        throw new UsageException("give tags to set (KEY=VALUE) or --remove KEY");
      }
      RunPatch patch = RunPatch.create().tags(set);
      if (remove != null) {
        remove.forEach(patch::removeTag);
      }
      return patch(opts, runId, patch, "tags");
    }
  }

  @Command(name = "rename", mixinStandardHelpOptions = true,
      description = "Rename a run (names are unique within the experiment).",
      footerHeading = "%nExample:%n", footer = "  datapilot runs rename 7d1e... resnet50-lr3e-4")
  static final class Rename implements Callable<Integer> {
    @Mixin ClientOptions opts;
    @Parameters(index = "0", paramLabel = "RUN_ID")
    String runId;
    @Parameters(index = "1", paramLabel = "NAME")
    String name;

    @Override
    public Integer call() {
      if (name.isBlank()) {
        throw new UsageException("NAME must not be empty");
      }
      return patch(opts, runId, RunPatch.create().name(name), "renamed");
    }
  }

  @Command(name = "note", mixinStandardHelpOptions = true,
      description = {"Replace a run's notes (markdown) with --text or the contents of --file (- for standard input).",
          "An empty text clears them."},
      footerHeading = "%nExamples:%n",
      footer = {"  datapilot runs note 7d1e... --text 'best run so far: lr 3e-4'", "  datapilot runs note 7d1e... --file NOTES.md"})
  static final class Note implements Callable<Integer> {
    @Mixin ClientOptions opts;
    @Parameters(paramLabel = "RUN_ID")
    String runId;
    @ArgGroup(exclusive = true, multiplicity = "1")
    Source source;

    static final class Source {
      @Option(names = "--text", paramLabel = "TEXT", required = true, description = "the notes")
      String text;
      @Option(names = "--file", paramLabel = "FILE", required = true, description = "a file holding the notes (- for stdin)")
      Path file;
    }

    @Override
    public Integer call() {
      String notes = source.text != null ? source.text : read(source.file);
      return patch(opts, runId, RunPatch.create().notes(notes), notes.isEmpty() ? "notes cleared" : "notes saved");
    }

    private static String read(Path file) {
      try {
        byte[] bytes = "-".equals(file.toString()) ? System.in.readAllBytes() : Files.readAllBytes(file);
        return new String(bytes, StandardCharsets.UTF_8);
      } catch (NoSuchFileException e) {
        throw new UsageException("no such file: " + file);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }
}
