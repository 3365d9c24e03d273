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
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code datapilot runs tail}: follows a run's live stream (status changes, events, latest metric values) until
 * the run ends; exits 0 when it succeeded and 1 when it failed or was canceled, so CI can wait on it.
 */
@Command(name = "tail", mixinStandardHelpOptions = true,
    description = {"Follow a run live until it ends: status, events and the latest metrics.",
        "Exit code 0 when the run succeeded, 1 when it failed or was canceled."},
    footerHeading = "%nExamples:%n",
    footer = {"  datapilot runs tail 7d1e... && echo trained", "  datapilot runs tail 7d1e... --json | jq -c 'select(.event==\"metrics\")'"})
final class RunTail implements Callable<Integer> {
  private static final Set<String> TERMINAL = Set.of("succeeded", "failed", "canceled");
  private static final int RECONNECTS = 5;
  private static final Object END = new Object();

  @Mixin ClientOptions opts;
  @Parameters(paramLabel = "RUN_ID")
  String runId;
  @Option(names = "--after-event-id", paramLabel = "ID", defaultValue = "0",
      description = "replay only events after this id (default: the run's whole event history)")
  long afterEventId;

  @Override
  public Integer call() throws InterruptedException {
    return follow(opts, runId, afterEventId);
  }

  /** Follows {@code runId} until it ends; answers 0 when it succeeded, else 1. */
  static int follow(ClientOptions opts, String runId, long afterEventId) throws InterruptedException {
    ExperimentsClient client = opts.experiments();
    Run run = client.getRun(runId);
    View view = new View(opts, run);
    // the stream pushes only new samples: start from the latest value of each metric
    view.seed(client.listMetrics(runId, null, 1000).items());
    long lastEventId = afterEventId;
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
        Object item;
        boolean ended = false;
        // after the final status, wait for the trailing events (job log lines) until the stream is quiet
        while ((item = frames.poll(view.terminal() ? 700 : 1000, TimeUnit.MILLISECONDS)) != null || !view.terminal()) {
          if (item == null) {
            view.tick();
            continue;
          }
          if (item == END || item instanceof RuntimeException || isError(item)) {
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

  private static boolean isError(Object item) {
    return item instanceof StreamFrame.Error;
  }

  /** Shows frames: JSON lines, plain lines when piped, or a live status line under the events on a terminal. */
  private static final class View {
    private final boolean json;
    private final boolean live;
    private final PrintStream out;
    private final Printer printer;
    private final String runId;
    private final Instant started;
    private final Map<String, Double> metrics = new LinkedHashMap<>();
    private String status;
    private long step = -1;
    private Instant ended;

    View(ClientOptions opts, Run run) {
      this.json = opts.json;
      this.live = opts.term().interactive() && !opts.json;
      this.out = opts.term().out();
      this.printer = opts.printer();
      this.runId = run.runId();
      this.started = run.startedAt();
      this.status = run.status();
      if (live) {
        out.println("Following run " + runId + " (Ctrl-C stops following, not the run)");
        drawStatus();
      }
    }

    void seed(List<MetricPoint> latest) {
      for (MetricPoint p : latest) {
        metrics.put(p.name(), p.value());
        step = Math.max(step, p.step());
      }
      drawStatus();
    }

    boolean terminal() {
      return TERMINAL.contains(status);
    }

    void frame(StreamFrame f) {
      if (json) {
        printer.jsonLine(jsonLine(f));
      }
      if (f instanceof StreamFrame.Status s) {
        boolean changed = !s.state().status().equals(status);
        status = s.state().status();
        if (terminal() && ended == null) {
          ended = s.state().observedAt();
        }
        if (!json && !live && changed) {
          out.println("status: " + status);
        }
      } else if (f instanceof StreamFrame.Metrics m) {
        StringBuilder plain = new StringBuilder();
        for (MetricPoint sample : m.samples()) {
          metrics.put(sample.name(), sample.value());
          step = Math.max(step, sample.step());
          plain.append(' ').append(sample.name()).append('=').append(Humanize.number(sample.value(), true));
        }
        if (!json && !live) {
          out.println("metrics: step=" + step + plain);
        }
      } else if (f instanceof StreamFrame.Event e && !json) {
        clearStatus();
        out.println(eventLine(e.event()));
      }
      drawStatus();
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

    void tick() {
      drawStatus();
    }

    int finish() {
      if (live) {
        drawStatus();
        out.println();
      }
      if (!json) {
        out.println("Run " + runId + " " + status + (started == null ? "" : " after " + elapsed()));
      }
      out.flush();
      return "succeeded".equals(status) ? 0 : 1;
    }

    private String elapsed() {
      return Humanize.duration(Duration.between(started, ended != null ? ended : Instant.now()));
    }

    private void clearStatus() {
      if (live) {
        out.print("\r\u001b[K");
      }
    }

    private void drawStatus() {
      if (!live) {
        return;
      }
      StringBuilder s = new StringBuilder("\r\u001b[K").append("status: ").append(status);
      if (started != null) {
        s.append(" | ").append(elapsed());
      }
      if (step >= 0) {
        s.append(" | step ").append(step);
      }
      int shown = 0;
      for (Map.Entry<String, Double> m : metrics.entrySet()) {
        if (shown++ == 6) {
          s.append(" …");
          break;
        }
        s.append(shown == 1 ? " | " : " ").append(m.getKey()).append('=').append(Humanize.number(m.getValue(), true));
      }
      out.print(s);
      out.flush();
    }

    private static String eventLine(RunEvent e) {
      String at = Humanize.time(e.occurredAt());
      String time = at.length() >= 19 ? at.substring(11, 19) : at;
      return time + "  " + String.format(Locale.ROOT, "%-5s", Printer.value(e.level()).toUpperCase(Locale.ROOT))
          + "  " + e.message();
    }
  }
}
