package io.animus.datapilot.bench;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.animus.datapilot.common.Redactor;
import io.animus.datapilot.kernel.Json;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * {@link Redactor#redact} (the protocol's redaction rules) on metadata objects as experiments, datasets and
 * artifacts carry them: a small flat object as the SDK's examples send, and a nested one with a few
 * secret-looking keys at several depths. Also {@link Redactor#redactText} on an event message.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class RedactorBenchmark {
  private static final String SMALL = """
      {"framework":"pytorch","owner":"alice","team":"ml","tokenizer":"bpe","max_tokens":512}""";
  private static final String NESTED = """
      {"team":"ml","owner":"alice","description":"ResNet-50 baseline on CIFAR-10",
       "dataset":{"name":"cifar10","version":"3","source":"s3://datasets/cifar10/v3","rows":60000,
                  "credentials":{"aws_access_key_id":"AKIA...","AWS_SECRET_ACCESS_KEY":"..."}},
       "tags":["baseline","resnet",{"githubToken":"ghp_xxx","keyword":"vision"}],
       "training":{"lr":0.001,"batch_size":128,"optimizer":"adam","epochs":90,
                   "scheduler":{"name":"cosine","warmup_steps":500}},
       "tracking":{"apiKey":"abc123","endpoint":"https://tracker.example.com","privateKey":"-----BEGIN"},
       "db_password":"hunter2","passkey":"not-a-secret","max_tokens":2048,"tokenizer":"sentencepiece"}""";
  private static final String MESSAGE = "epoch 12 done; loss=0.412 acc=0.903; pushing checkpoint with "
      + "animus_run_v1.eyJydW5faWQiOiJydW4tMTIzIn0.LCXMnsHyV1hdFWBrxZmW-uz0sldr5e3Sa4V06tndAC8 to the store";

  /** The metadata object redacted; only {@link #redact} varies with its shape. */
  @State(Scope.Benchmark)
  public static class Metadata {
    @Param({"small", "nested"})
    public String shape;

    ObjectNode value;

    @Setup
    public void setUp() {
      String text = shape.equals("small") ? SMALL : NESTED;
      value = (ObjectNode) Json.parse(text.getBytes(StandardCharsets.UTF_8));
    }
  }

  @Benchmark
  public ObjectNode redact(Metadata metadata) {
    return Redactor.redact(metadata.value);
  }

  @Benchmark
  public String redactText() {
    return Redactor.redactText(MESSAGE);
  }
}
