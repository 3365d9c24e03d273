package io.animus.datapilot.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.animus.sdk.AnimusTransportException;
import io.animus.sdk.ExperimentsClient;
import io.animus.sdk.MetricPoint;
import io.animus.sdk.Run;
import io.animus.sdk.RunEvent;
import io.animus.sdk.RunStream;
import io.animus.sdk.StreamFrame;
import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code datapilot runs tail}: follows a run's live stream until the run ends, printing status changes and events
 * as they come and, once per interval, one line with the latest value of every metric; exits 0 when the run
 * succeeded and 1 when it failed or was canceled, so CI can wait on it.
 */
@Command(name = "tail", mixinStandardHelpOptions = true,
    description = {"Follow a run live until it ends: status changes and events as they come, and one line per",
        "interval with the latest value of each metric (--all prints every metric sample instead).",
        "Exit code 0 when the run succeeded, 1 when it failed or was canceled."},
    footerHeading = "%nExamples:%n",
    footer = {"  datapilot runs tail 7d1e... && echo trained", "  datapilot runs tail 7d1e... --interval 30s",
        "  datapilot runs tail 7d1e... --json | jq -c 'select(.event==\"metrics\") | .metrics'",
        "  datapilot runs tail 7d1e... --all --json      every frame of the stream"})
final class RunTail implements Callable<Integer> {
  private static final Set<String> TERMINAL = Set.of("succeeded", "failed", "canceled");
  private static final int RECONNECTS = 5;
  private static final int MAX_METRICS_SHOWN = 20;
  private static final long QUIET_MS = 700;
  private static final Object END = new Object();
  private static final Pattern DURATION = Pattern.compile("(\\d+)(ms|s|m|h)?");

  @Mixin ClientOptions opts;
  @Parameters(paramLabel = "RUN_ID")
  String runId;
  @Option(names = "--after-event-id", paramLabel = "ID", defaultValue = "0",
      description = "replay only events after this id (default: the run's whole event history)")
  long afterEventId;
  @Option(names = "--interval", paramLabel = "DURATION", defaultValue = "5s",
      description = "how often to print the latest metrics: 500ms, 5s, 1m... (default: ${DEFAULT-VALUE})")
  String interval;
  @Option(names = "--all", description = "print every metric sample as it arrives (with --json: every stream frame)")
  boolean all;

  @Override
  public Integer call() throws InterruptedException {
    return follow(opts, runId, afterEventId, interval(interval), all);
  }

  /** {@code 500ms}, {@code 5s}, {@code 2m}, {@code 1h} or plain seconds, at least 1 ms. */
  static Duration interval(String text) {
    Matcher m = DURATION.matcher(text == null ? "" : text.strip());
    if (!m.matches()) {
      throw new UsageException("--interval takes a duration such as 500ms, 5s or 1m, got " + text);
    }
    long n = Long.parseLong(m.group(1));
    String unit = m.group(2) == null ? "s" : m.group(2);
    Duration d = switch (unit) {
      case "ms" -> Duration.ofMillis(n);
      case "m" -> Duration.ofMinutes(n);
      case "h" -> Duration.ofHours(n);
      default -> Duration.ofSeconds(n);
    };
    if (d.isZero()) {
      throw new UsageException("--interval must be positive (--all prints every sample)");
    }
    return d;
  }

  /** Follows {@code runId} with the default interval; answers 0 when it succeeded, else 1. */
  static int follow(ClientOptions opts, String runId, long afterEventId) throws InterruptedException {
    return follow(opts, runId, afterEventId, Duration.ofSeconds(5), false);
  }

  /** Follows {@code runId} until it ends; answers 0 when it succeeded, else 1. */
  static int follow(ClientOptions opts, String runId, long afterEventId, Duration interval, boolean all)
      throws InterruptedException {
    ExperimentsClient client = opts.experiments();
    Run run = client.getRun(runId);
    View view = new View(opts, run, all);
    // the stream pushes only new samples: start from the latest value of each metric
    view.seed(client.listMetrics(runId, null, 1000).items());
    long lastEventId = afterEventId;
    long intervalNanos = interval.toNanos();
    long nextLine = System.nanoTime() + intervalNanos;
    int failures = 0;
    while (true) {
      RunStream stream;
      try {
        stream = client.streamRun(runId, lastEventId);
      } catch (AnimusTransportException e) {
        if (++failures > RECONNECTS) {
          throw e;
        }
        Thread.sleep(500L * failures);
        continue;
      }
      BlockingQueue<Object> frames = new LinkedBlockingQueue<>();
      stream.listen(frames::add, failure -> frames.add(failure == null ? END : failure));
      try {
        boolean ended = false;
        long lastFrame = System.nanoTime();
        while (true) {
          long untilLine = Math.max(1, (nextLine - System.nanoTime()) / 1_000_000);
          // after the final status, wait for the trailing events (job log lines) until the stream is quiet
          long quietLeft = Math.max(1, QUIET_MS - (System.nanoTime() - lastFrame) / 1_000_000);
          long wait = Math.min(view.terminal() ? quietLeft : 1000, untilLine);
          Object item = frames.poll(wait, TimeUnit.MILLISECONDS);
          if (System.nanoTime() - nextLine >= 0) {
            view.metricsLine();
            nextLine = System.nanoTime() + intervalNanos;
          }
          if (item == null) {
            if (view.terminal() && (System.nanoTime() - lastFrame) / 1_000_000 >= QUIET_MS) {
              break;
            }
            continue;
          }
          lastFrame = System.nanoTime();
          if (item == END || item instanceof RuntimeException || item instanceof StreamFrame.Error) {
            ended = true;
            if (item instanceof AnimusTransportException e && ++failures > RECONNECTS) {
              throw e;
            }
            break;
          }
          StreamFrame f = (StreamFrame) item;
          failures = 0;
          if (f instanceof StreamFrame.Event e) {
            lastEventId = Math.max(lastEventId, e.event().eventId());
          }
          view.frame(f);
        }
        if (!ended || view.terminal()) {
          return view.finish();
        }
      } finally {
        stream.close();
      }
      Thread.sleep(300);
    }
  }

  /** Prints what happens: text lines for people, or one JSON object per line with {@code --json}. */
  private static final class View {
    private final boolean json;
    private final boolean all;
    private final PrintStream out;
    private final Printer printer;
    private final String runId;
    private final Instant started;
    private final Map<String, Double> metrics = new LinkedHashMap<>();
    private String status;
    private long step = -1;
    private boolean unprinted;
    private Instant ended;

    View(ClientOptions opts, Run run, boolean all) {
      this.json = opts.json;
      this.all = all;
      this.out = opts.term().out();
      this.printer = opts.printer();
      this.runId = run.runId();
      this.started = run.startedAt();
      this.status = run.status();
      if (opts.term().interactive() && !json) {
        out.println("Following run " + runId + " (Ctrl-C stops following, not the run)");
      }
    }

    void seed(List<MetricPoint> latest) {
      for (MetricPoint p : latest) {
        metrics.put(p.name(), p.value());
        step = Math.max(step, p.step());
        unprinted = true;
      }
      printMetrics();
    }

    boolean terminal() {
      return TERMINAL.contains(status);
    }

    void frame(StreamFrame f) {
      boolean raw = json && (all || !(f instanceof StreamFrame.Metrics));
      if (raw) {
        printer.jsonLine(jsonLine(f));
      }
      if (f instanceof StreamFrame.Status s) {
        boolean changed = !s.state().status().equals(status);
        status = s.state().status();
        if (terminal() && ended == null) {
          ended = s.state().observedAt();
        }
        if (!json && changed) {
          out.println("status: " + status);
        }
      } else if (f instanceof StreamFrame.Metrics m) {
        StringBuilder plain = new StringBuilder();
        for (MetricPoint sample : m.samples()) {
          metrics.put(sample.name(), sample.value());
          step = Math.max(step, sample.step());
          plain.append(' ').append(sample.name()).append('=').append(Humanize.number(sample.value(), true));
        }
        unprinted = !all;
        if (all && !json) {
          out.println("metrics: step=" + step + plain);
        }
      } else if (f instanceof StreamFrame.Event e && !json) {
        out.println(eventLine(e.event()));
      }
      out.flush();
    }

    /** The interval's line: the latest value of each metric, when something arrived since the last line. */
    void metricsLine() {
      if (!all) {
        printMetrics();
      }
    }

    private void printMetrics() {
      if (!unprinted) {
        return;
      }
      unprinted = false;
      if (json) {
        ObjectNode line = Printer.JSON.createObjectNode().put("event", "metrics").put("at", Instant.now().toString())
            .put("step", step);
        ObjectNode values = line.putObject("metrics");
        metrics.forEach(values::put);
        printer.jsonLine(line);
        return;
      }
      StringBuilder s = new StringBuilder("metrics: step=").append(step);
      int shown = 0;
      for (Map.Entry<String, Double> m : metrics.entrySet()) {
        if (shown++ == MAX_METRICS_SHOWN) {
          s.append(" … (").append(metrics.size() - MAX_METRICS_SHOWN).append(" more)");
          break;
        }
        s.append(' ').append(m.getKey()).append('=').append(Humanize.number(m.getValue(), true));
      }
      out.println(s);
      out.flush();
    }

    /** {@code {"event":<name>,"id":<event id or null>,"data":<the frame's object>}}. */
    private static ObjectNode jsonLine(StreamFrame f) {
      ObjectNode line = Printer.JSON.createObjectNode().put("event", f.name());
      JsonNode data;
      if (f instanceof StreamFrame.Status s) {
        data = Printer.tree(s.state());
      } else if (f instanceof StreamFrame.Event e) {
        line.put("id", e.event().eventId());
        data = Printer.tree(e.event());
      } else if (f instanceof StreamFrame.Error e) {
        data = Printer.JSON.createObjectNode().put("error", e.code());
      } else if (f instanceof StreamFrame.Other o) {
        line.put("event", o.name());
        data = Printer.node(o.data());
      } else {
        data = Printer.tree(f);
      }
      line.set("data", data);
      return line;
    }

    int finish() {
      metricsLine();
      if (!json) {
        out.println("Run " + runId + " " + status + (started == null ? "" : " after " + elapsed()));
      }
      out.flush();
      return "succeeded".equals(status) ? 0 : 1;
    }

    private String elapsed() {
      return Humanize.duration(Duration.between(started, ended != null ? ended : Instant.now()));
    }

    private static String eventLine(RunEvent e) {
      String at = Humanize.time(e.occurredAt());
      String time = at.length() >= 19 ? at.substring(11, 19) : at;
      return time + "  " + String.format(Locale.ROOT, "%-5s", Printer.value(e.level()).toUpperCase(Locale.ROOT))
          + "  " + e.message();
    }
  }
}
