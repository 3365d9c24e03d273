package io.animus.datapilot.cli;

import io.animus.sdk.AnimusApiException;
import io.animus.sdk.AnimusTransportException;
import java.io.PrintWriter;
import java.lang.reflect.Constructor;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import picocli.AutoComplete;
import picocli.CommandLine.Command;
import picocli.CommandLine;

/**
 * {@code datapilot}: {@code serve} runs the server (the server module's own command, unchanged); every other
 * command is a client of a running server built on the Java SDK. Exit codes: 0 success, 1 API error, 2 usage
 * error, 3 network error.
 */
@Command(name = "datapilot", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
    description = {"Animus DataPilot: the control plane for ML training.",
        "Client commands talk to the server at ANIMUS_GATEWAY_URL (or --url) with ANIMUS_AUTH_TOKEN (or --token).",
        "Their options --url, --token, --project and --json may also come before the command."},
    subcommands = {io.animus.datapilot.Main.Serve.class, TokensCommand.class, ProjectsCommand.class,
        ExperimentsCommand.class, RunsCommand.class, DatasetsCommand.class, ArtifactsCommand.class,
        ImagesCommand.class, CiCommand.class, ExecuteCommand.class},
    footerHeading = "%nExamples:%n",
    footer = {"  datapilot serve                  start the server on http://localhost:8080",
        "  export ANIMUS_GATEWAY_URL=http://localhost:8080",
        "  datapilot datasets push fraud-train train.csv",
        "  datapilot runs tail RUN_ID       follow a run; exit 0 when it succeeds",
        "  datapilot runs list --filter \"metrics.accuracy > 0.9 and tags.stage = 'prod'\" --order-by metrics.accuracy",
        "  datapilot runs tag RUN_ID stage=prod; datapilot runs archive RUN_ID",
        "  source <(datapilot completion)   shell completion (bash, zsh)",
        "",
        "Exit codes: 0 success, 1 API error, 2 usage error, 3 network error."})
public final class Main {
  static final int API_ERROR = 1;
  static final int USAGE = 2;
  static final int NETWORK = 3;

  public static void main(String[] args) {
    if (args.length > 0 && "serve".equals(args[0])) {
      // the server's own command line, exactly as before, without building the client commands first
      io.animus.datapilot.Main.main(args);
      return;
    }
    System.exit(run(Terminal.system(), args));
  }

  /** Runs one command line; answers its exit code. */
  public static int run(Terminal term, String... args) {
    return commandLine(term).execute(clientOptionsLast(args));
  }

  /**
   * Client options written before the command ({@code datapilot --json runs list}) are moved behind it (before a
   * {@code --}), where the command's own options are parsed; {@code serve} keeps its options to itself.
   */
  static String[] clientOptionsLast(String[] args) {
    List<String> leading = new ArrayList<>();
    int i = 0;
    while (i < args.length && isClientOption(args[i])) {
      leading.add(args[i]);
      if (!args[i].contains("=") && !"--json".equals(args[i]) && i + 1 < args.length) {
        leading.add(args[++i]);
      }
      i++;
    }
    if (leading.isEmpty()) {
      return args;
    }
    List<String> rest = new ArrayList<>(Arrays.asList(args).subList(i, args.length));
    int dashes = rest.indexOf("--");
    rest.addAll(dashes < 0 ? rest.size() : dashes, leading);
    return rest.toArray(String[]::new);
  }

  private static boolean isClientOption(String arg) {
    for (String name : List.of("--url", "--token", "--project")) {
      if (arg.equals(name) || arg.startsWith(name + "=")) {
        return true;
      }
    }
    return "--json".equals(arg);
  }

  static CommandLine commandLine(Terminal term) {
    CommandLine cmd = new CommandLine(new Main(), new Factory(term));
    cmd.addSubcommand("completion", new AutoComplete.GenerateCompletion());
    cmd.getSubcommands().get("completion").getCommandSpec().usageMessage()
        .description("Print a bash/zsh completion script: source <(datapilot completion)");
    cmd.setOut(new PrintWriter(term.out(), true, StandardCharsets.UTF_8));
    cmd.setErr(new PrintWriter(term.err(), true, StandardCharsets.UTF_8));
    cmd.setExecutionExceptionHandler((e, line, parsed) -> failure(e, term, wantsJson(parsed)));
    return cmd;
  }

  private static boolean wantsJson(CommandLine.ParseResult parsed) {
    for (CommandLine.ParseResult p = parsed; p != null; p = p.hasSubcommand() ? p.subcommand() : null) {
      if (p.hasMatchedOption("--json")) {
        return true;
      }
    }
    return false;
  }

  /** Prints what went wrong on standard error and answers the exit code. */
  static int failure(Exception e, Terminal term, boolean json) {
    if (e instanceof AnimusTransportException t) {
      String detail = t.getCause() instanceof java.net.ConnectException ? "connection refused" : t.serverMessage();
      term.err().println("datapilot: network error: cannot reach the server: " + detail
          + " (is it running? check --url or ANIMUS_GATEWAY_URL)");
      return NETWORK;
    }
    if (e instanceof AnimusApiException a) {
      if (json && a.bodyObject() != null) {
        term.err().println(Printer.compact(a.bodyObject()));
      } else {
        String message = a.serverMessage().isEmpty() ? "" : ": " + a.serverMessage();
        term.err().println("datapilot: error: " + a.code() + message + " (HTTP " + a.status()
            + (a.requestId() == null ? "" : ", request id " + a.requestId()) + ")");
      }
      return API_ERROR;
    }
    if (e instanceof UsageException || e instanceof IllegalArgumentException) {
      term.err().println("datapilot: " + e.getMessage());
      return USAGE;
    }
    if (e instanceof NoSuchFileException || e.getCause() instanceof NoSuchFileException) {
      Throwable missing = e instanceof NoSuchFileException ? e : e.getCause();
      term.err().println("datapilot: no such file: " + missing.getMessage());
      return USAGE;
    }
    term.err().println("datapilot: " + e);
    return API_ERROR;
  }

  /** Builds commands and mixins, handing the {@link Terminal} to those whose constructor takes one. */
  private static final class Factory implements CommandLine.IFactory {
    private final Terminal term;

    Factory(Terminal term) {
      this.term = term;
    }

    @Override
    public <K> K create(Class<K> cls) throws Exception {
      try {
        Constructor<K> c = cls.getDeclaredConstructor(Terminal.class);
        c.setAccessible(true);
        return c.newInstance(term);
      } catch (NoSuchMethodException e) {
        return CommandLine.defaultFactory().create(cls);
      }
    }
  }

  /** The version of the running build. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String v = Main.class.getPackage().getImplementationVersion();
      return new String[] {"datapilot " + (v == null ? "0.1.0-SNAPSHOT" : v)};
    }
  }
}
