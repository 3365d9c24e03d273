package io.animus.datapilot.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.animus.sdk.AnimusApiException;
import io.animus.sdk.DownloadResult;
import io.animus.sdk.TransferProgress;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.function.BiFunction;
import java.util.function.Function;
import picocli.CommandLine.Option;
import picocli.CommandLine;

/**
 * Watches one upload or download: draws a progress bar (bytes, rate, ETA) on standard error when a person is
 * watching, and holds the transfer to {@code --limit-rate} by sleeping in the SDK's progress callback.
 */
final class Transfer implements TransferProgress {
  private static final int BAR = 24;
  private static final long REDRAW_NANOS = 100_000_000L;

  private final String label;
  private final PrintStream err;
  private final boolean draw;
  private final long limitBytesPerSecond;
  private long startNanos = -1;
  private long startBytes;
  private long lastDraw;
  private long done;
  private long total = -1;

  Transfer(String label, Terminal term, boolean json, long limitBytesPerSecond) {
    this.label = label;
    this.err = term.err();
    this.draw = term.interactive() && !json;
    this.limitBytesPerSecond = limitBytesPerSecond;
  }

  @Override
  public void update(long done, long total) {
    long now = System.nanoTime();
    if (startNanos < 0) {
      startNanos = now;
      startBytes = done;
    }
    this.done = done;
    this.total = total;
    throttle(now);
    if (draw && now - lastDraw >= REDRAW_NANOS) {
      lastDraw = now;
      err.print("\r" + render(System.nanoTime()) + "\u001b[K");
      err.flush();
    }
  }

  private void throttle(long now) {
    if (limitBytesPerSecond <= 0) {
      return;
    }
    long dueNanos = (long) ((done - startBytes) * 1e9 / limitBytesPerSecond);
    long aheadNanos = dueNanos - (now - startNanos);
    if (aheadNanos > 0) {
      try {
        Thread.sleep(aheadNanos / 1_000_000, (int) (aheadNanos % 1_000_000));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /** Draws the last state and ends the line (only if a bar was drawn). */
  void finish() {
    if (draw && startNanos >= 0) {
      err.print("\r" + render(System.nanoTime()) + "\u001b[K\n");
      err.flush();
    }
  }

  /** {@code label [=====>    ]  45%  45 MiB / 100 MiB  12 MiB/s  ETA 4s}. */
  String render(long nowNanos) {
    double seconds = Math.max(1e-3, (nowNanos - startNanos) / 1e9);
    double rate = (done - startBytes) / seconds;
    StringBuilder s = new StringBuilder(label).append("  ");
    if (total > 0) {
      int filled = (int) (BAR * Math.min(1.0, (double) done / total));
      s.append('[').append("=".repeat(filled)).append(filled < BAR ? ">" + " ".repeat(BAR - filled - 1) : "")
          .append("] ").append(String.format(Locale.ROOT, "%3d%%", done * 100 / total)).append("  ")
          .append(Humanize.bytes(done)).append(" / ").append(Humanize.bytes(total));
    } else {
      s.append(Humanize.bytes(done));
    }
    s.append("  ").append(Humanize.bytes((long) rate)).append("/s");
    if (total > 0 && done < total && rate > 0) {
      s.append("  ETA ").append(Humanize.duration(Duration.ofSeconds((long) Math.ceil((total - done) / rate))));
    }
    return s.toString();
  }

  /** Runs one transfer, drawing its bar and holding it to {@code rate} (0: no limit); the bar's line is ended. */
  static <T> T run(String label, ClientOptions opts, long rate, Function<TransferProgress, T> work) {
    Transfer progress = new Transfer(label, opts.term(), opts.json, rate);
    try {
      return work.apply(progress);
    } finally {
      progress.finish();
    }
  }

  /** The {@code --limit-rate} option of the transfer commands (a bad value is a usage error). */
  static final class Options {
    @Option(names = "--limit-rate", paramLabel = "RATE", converter = RateConverter.class,
        description = "at most this many bytes/s, e.g. 500K, 20M (default: no limit)")
    long rate;
  }

  /** Reads {@code --limit-rate}. */
  static final class RateConverter implements CommandLine.ITypeConverter<Long> {
    @Override
    public Long convert(String value) {
      try {
        return parseRate(value);
      } catch (UsageException e) {
        throw new CommandLine.TypeConversionException(e.getMessage());
      }
    }
  }

  /**
   * Downloads to {@code output} (default: the last segment of {@code name}, else {@code fallback}) with a bar,
   * resuming what an interrupted download left, and reports the file; a sha256 other than {@code expectedSha}
   * (the one the server recorded) is an error (exit 1).
   */
  static void download(ClientOptions opts, String verb, Path output, String name, String fallback, long rate,
      String expectedSha, BiFunction<Path, TransferProgress, DownloadResult> fetch) {
    Path dest = output != null ? output
        : Path.of(name == null || name.isEmpty() ? fallback : Path.of(name).getFileName().toString());
    long resumedFrom = partialSize(dest);
    // Ctrl-C: end the bar's line and say how to go on (the partial file stays)
    Thread onInterrupt = new Thread(() -> opts.term().err().println("\ndatapilot: interrupted; "
        + Humanize.bytes(partialSize(dest)) + " kept in " + dest + ".tmp: run the same command again to resume"));
    Runtime.getRuntime().addShutdownHook(onInterrupt);
    DownloadResult r;
    try {
      r = run(verb + " " + dest.getFileName(), opts, rate, progress -> fetch.apply(dest, progress));
    } finally {
      try {
        Runtime.getRuntime().removeShutdownHook(onInterrupt);
      } catch (IllegalStateException shuttingDown) {
        // the hook is running or about to
      }
    }
    printDownload(opts, dest, r, resumedFrom, expectedSha);
  }

  /** The bytes an earlier, interrupted download left in {@code <dest>.tmp}. */
  private static long partialSize(Path dest) {
    Path tmp = dest.toAbsolutePath().resolveSibling(dest.getFileName() + ".tmp");
    try {
      return Files.isRegularFile(tmp) ? Files.size(tmp) : 0;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Reports a finished download; a sha256 other than the one the server recorded is an error (exit 1). */
  private static void printDownload(ClientOptions opts, Path dest, DownloadResult r, long resumedFrom, String expectedSha) {
    if (expectedSha != null && !expectedSha.isEmpty() && !expectedSha.equalsIgnoreCase(r.sha256())) {
      throw new AnimusApiException(0, "checksum_mismatch", null, Printer.JSON.createObjectNode()
          .put("error", "checksum_mismatch").put("message", dest + " hashes to " + r.sha256() + ", expected " + expectedSha));
    }
    ObjectNode out = Printer.JSON.createObjectNode().put("path", dest.toAbsolutePath().toString())
        .put("size_bytes", r.sizeBytes()).put("sha256", r.sha256()).put("content_type", r.contentType())
        .put("resumed_from_bytes", resumedFrom).put("verified", true);
    opts.print(out, () -> opts.printer().line("Saved " + dest + " (" + Humanize.bytes(r.sizeBytes()) + ", sha256 "
        + r.sha256() + " verified" + (resumedFrom > 0 ? ", resumed at " + Humanize.bytes(resumedFrom) : "") + ")"));
  }
  /** Parses {@code --limit-rate}: bytes per second with an optional K, M or G suffix (binary units); 0 = none. */
  static long parseRate(String text) {
    if (text == null || text.isBlank()) {
      return 0;
    }
    String t = text.strip().toUpperCase(Locale.ROOT);
    long unit = 1;
    char last = t.charAt(t.length() - 1);
    if (last == 'K' || last == 'M' || last == 'G') {
      unit = last == 'K' ? 1L << 10 : last == 'M' ? 1L << 20 : 1L << 30;
      t = t.substring(0, t.length() - 1);
    }
    try {
      double v = Double.parseDouble(t);
      if (v < 0 || Double.isNaN(v) || Double.isInfinite(v)) {
        throw new NumberFormatException();
      }
      return (long) (v * unit);
    } catch (NumberFormatException e) {
      throw new UsageException("--limit-rate must be a number of bytes per second such as 500K or 20M, got " + text);
    }
  }
}
