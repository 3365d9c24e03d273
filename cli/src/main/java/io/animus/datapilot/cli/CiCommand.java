package io.animus.datapilot.cli;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.animus.sdk.CiSignature;
import io.animus.sdk.ExperimentsClient;
import java.io.IOException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.BiFunction;
import java.util.function.Function;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code datapilot ci sign|report|webhook}: HMAC-signed CI calls (key: {@code ANIMUS_CI_WEBHOOK_SECRET}). */
@Command(name = "ci", mixinStandardHelpOptions = true,
    description = {"Signed CI calls. The HMAC key is ANIMUS_CI_WEBHOOK_SECRET."},
    subcommands = {CiCommand.Sign.class, CiCommand.Report.class, CiCommand.Webhook.class},
    footerHeading = "%nExample:%n",
    footer = "  datapilot ci report --data '{\"image_digest\":\"sha256:...\",\"repo\":\"ghcr.io/acme/train\",\"commit_sha\":\"deadbeef\",\"pipeline_id\":\"42\"}'")
final class CiCommand {

  /** The payload options shared by the three commands. */
  static final class Payload {
    @Option(names = "--data", paramLabel = "JSON", description = "the payload text")
    String data;
    @Option(names = "--file", paramLabel = "PATH", description = "read the payload from a file (- = standard input)")
    Path file;
  }

  static String secret(ClientOptions opts) {
    String secret = opts.ciSecret();
    if (secret.isEmpty()) {
      throw new UsageException("ANIMUS_CI_WEBHOOK_SECRET is not set: it is the key CI calls are signed with");
    }
    return secret;
  }

  @Command(name = "sign", mixinStandardHelpOptions = true,
      description = {"Print the X-Animus-CI-Ts and X-Animus-CI-Sig headers for a payload, for curl-based CI.",
          "The signature covers the payload's exact bytes: send them unchanged (curl --data-binary)."},
      footerHeading = "%nExample:%n",
      footer = {"  BODY='{\"run_id\":\"7d1e...\",\"provider\":\"gitlab\"}'",
          "  datapilot ci sign --data \"$BODY\" > headers.txt",
          "  curl -X POST $ANIMUS_GATEWAY_URL/api/experiments/ci/webhook -H @headers.txt \\",
          "       -H 'Content-Type: application/json' --data-binary \"$BODY\""})
  static final class Sign implements Callable<Integer> {
    @Mixin ClientOptions opts;
    @Mixin Payload payload;
    @Option(names = "--timestamp", paramLabel = "UNIX_SECONDS", description = "sign for this time (default: now)")
    Long timestamp;
    @Option(names = "--method", defaultValue = "POST", description = "HTTP method (default: ${DEFAULT-VALUE})")
    String method;

    @Override
    public Integer call() throws NoSuchAlgorithmException {
      byte[] body = Args.body(payload.data, payload.file, System.in);
      long ts = timestamp != null ? timestamp : Instant.now().getEpochSecond();
      String sig = CiSignature.compute(secret(opts), Long.toString(ts), method, body);
      ObjectNode out = Printer.JSON.createObjectNode();
      out.put("timestamp", Long.toString(ts)).put("signature", sig)
          .put("body_sha256", HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(body)));
      out.putObject("headers").put(CiSignature.TS_HEADER, Long.toString(ts)).put(CiSignature.SIG_HEADER, sig);
      opts.print(out, () -> {
        opts.printer().line(CiSignature.TS_HEADER + ": " + ts);
        opts.printer().line(CiSignature.SIG_HEADER + ": " + sig);
      });
      return 0;
    }
  }

  /** Checks the payload and the secret, sends the signed call and prints the answer. */
  static <T> int send(ClientOptions opts, Payload payload, BiFunction<ExperimentsClient, Map<String, Object>, T> call,
      Function<T, String> human) {
    Map<String, Object> body = payloadObject(payload);
    secret(opts);
    T answer = call.apply(opts.experiments(), body);
    opts.print(Printer.tree(answer), () -> opts.printer().line(human.apply(answer)));
    return 0;
  }

  static Map<String, Object> payloadObject(Payload payload) {
    byte[] body = Args.body(payload.data, payload.file, System.in);
    try {
      JsonNode node = Printer.JSON.readTree(body);
      if (node == null || !node.isObject()) {
        throw new UsageException("the payload must be a JSON object");
      }
      return Printer.JSON.convertValue(node, new TypeReference<LinkedHashMap<String, Object>>() { });
    } catch (IOException e) {
      throw new UsageException("the payload is not valid JSON: " + e.getMessage());
    }
  }

  @Command(name = "report", mixinStandardHelpOptions = true,
      description = {"Register a CI-built image: image_digest, repo, commit_sha, pipeline_id (signed POST /ci/report)."},
      footerHeading = "%nExample:%n",
      footer = "  datapilot ci report --file build.json")
  static final class Report implements Callable<Integer> {
    @Mixin ClientOptions opts;
    @Mixin Payload payload;

    @Override
    public Integer call() {
      return send(opts, payload, (client, body) -> client.postCiReport(body),
          r -> "Image " + r.imageDigest() + ": " + r.status());
    }
  }

  @Command(name = "webhook", mixinStandardHelpOptions = true,
      description = {"Attach CI context to a run: a JSON object with run_id (signed POST /ci/webhook)."},
      footerHeading = "%nExample:%n",
      footer = "  datapilot ci webhook --data '{\"run_id\":\"7d1e...\",\"provider\":\"github_actions\",\"sha\":\"abc\"}'")
  static final class Webhook implements Callable<Integer> {
    @Mixin ClientOptions opts;
    @Mixin Payload payload;

    @Override
    public Integer call() {
      return send(opts, payload, (client, body) -> client.postCiWebhook(body),
          r -> "CI context " + r.contextId() + " for run " + r.runId() + ": " + (r.status() != null ? r.status() : "stored"));
    }
  }
}
