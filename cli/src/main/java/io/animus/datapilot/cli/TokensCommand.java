package io.animus.datapilot.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.animus.sdk.ApiToken;
import io.animus.sdk.CreatedApiToken;
import io.animus.sdk.Page;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code datapilot tokens create|list|revoke}: API tokens (admin). */
@Command(name = "tokens", mixinStandardHelpOptions = true, description = "Create, list and revoke API tokens (admin).",
    subcommands = {TokensCommand.Create.class, TokensCommand.ListTokens.class, TokensCommand.Revoke.class},
    footerHeading = "%nExample:%n", footer = "  datapilot tokens create ci-bot --role editor --expires-in 90d")
final class TokensCommand {

  @Command(name = "create", mixinStandardHelpOptions = true,
      description = "Create an API token; its secret (dp_...) is shown only this once.",
      footerHeading = "%nExample:%n", footer = "  export ANIMUS_AUTH_TOKEN=$(datapilot tokens create ci --role editor --json | jq -r .token)")
  static final class Create implements Callable<Integer> {
    @Mixin ClientOptions opts;
    @Parameters(paramLabel = "NAME", description = "a name for the token")
    String name;
    @Option(names = "--role", defaultValue = "viewer", description = "viewer, editor or admin (default: ${DEFAULT-VALUE})")
    String role;
    @Option(names = "--expires-in", paramLabel = "TIME",
        description = "expiry: RFC 3339 time or a duration such as 30d, 12h (default: never)")
    String expires;

    @Override
    public Integer call() {
      CreatedApiToken created = opts.experiments().createApiToken(name, role, Args.timeOrDuration(expires,
          "--expires-in", Instant.now()));
      ApiToken t = created.token();
      // the server's shape: the token object with the secret in "token"
      ObjectNode json = ((ObjectNode) Printer.tree(t)).put("token", created.secret());
      opts.print(json, () -> {
        Printer p = opts.printer();
        p.details(List.of(Printer.field("Token id", t.tokenId()), Printer.field("Name", t.name()), Printer.field("Role", t.role()),
            Printer.field("Expires", Humanize.time(t.expiresAt())), Printer.field("Token", created.secret())));
        p.note("Store the token now: it is not shown again.");
      });
      return 0;
    }
  }

  @Command(name = "list", mixinStandardHelpOptions = true, description = "List API tokens (never their secrets).",
      footerHeading = "%nExample:%n", footer = "  datapilot tokens list --json")
  static final class ListTokens implements Callable<Integer> {
    @Mixin ClientOptions opts;
    @Option(names = "--limit", defaultValue = "100", description = "at most this many (default: ${DEFAULT-VALUE})")
    int limit;

    @Override
    public Integer call() {
      Page<ApiToken> page = opts.experiments().listApiTokens(limit);
      ListOutput.print(opts, "tokens", page, List.of("TOKEN ID", "NAME", "ROLE", "PREFIX", "CREATED", "EXPIRES", "LAST USED"),
          (t, now) -> Printer.row(t.tokenId(), t.name(), t.role(), t.tokenPrefix(), Humanize.ago(t.createdAt(), now), Humanize.time(t.expiresAt()), Humanize.ago(t.lastUsedAt(), now)));
      return 0;
    }
  }

  @Command(name = "revoke", mixinStandardHelpOptions = true, description = "Revoke an API token at once.",
      footerHeading = "%nExample:%n", footer = "  datapilot tokens revoke 3f0c2a1e-...")
  static final class Revoke implements Callable<Integer> {
    @Mixin ClientOptions opts;
    @Parameters(paramLabel = "TOKEN_ID", description = "the token's id (from tokens list)")
    String tokenId;

    @Override
    public Integer call() {
      opts.experiments().deleteApiToken(tokenId);
      ObjectNode done = Printer.JSON.createObjectNode().put("token_id", tokenId).put("revoked", true);
      opts.print(done, () -> opts.printer().line("Revoked token " + tokenId));
      return 0;
    }
  }
}
