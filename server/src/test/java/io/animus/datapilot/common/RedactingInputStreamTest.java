package io.animus.datapilot.common;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The streaming log redactor: the same answer as whole lines, whatever the cuts, in bounded memory. */
class RedactingInputStreamTest {
  private static final String RUN_TOKEN = "animus_run_v1.eyJydW5faWQiOiJhYmMiLCJleHAiOjE3OTk5OTk5OTl9."
      + "IoRvh8CIhnLBbUOt4nrljMcF2QIC8GM4Rlh7Uih02M4";
  private static final String API_TOKEN = "dp_" + "Ab9_-".repeat(8) + "xyz";
  private static final String SECRET = "the-ci-secret-0123";
  private static final LogRedactor RULES = new LogRedactor(List.of(SECRET, "short"));
  private static final int WINDOW = RedactingInputStream.WINDOW;

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.ISO_8859_1);
  }

  private static byte[] redact(byte[] input, int maxChunk, long seed, long skip) throws IOException {
    Random random = new Random(seed);
    InputStream source = new ByteArrayInputStream(input) {
      @Override
      public synchronized int read(byte[] b, int off, int len) {
        return super.read(b, off, Math.min(len, 1 + random.nextInt(maxChunk)));
      }
    };
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (InputStream in = new RedactingInputStream(source, RULES, skip)) {
      byte[] buf = new byte[1 + random.nextInt(9000)];
      for (int n; (n = in.read(buf, 0, 1 + random.nextInt(buf.length))) >= 0; ) {
        out.write(buf, 0, n);
      }
    }
    return out.toByteArray();
  }

  private static byte[] redact(byte[] input) throws IOException {
    return redact(input, 1 << 16, 1, 0);
  }

  /** The rules applied to each whole line, as ISO-8859-1 text. */
  private static byte[] byWholeLines(byte[] input) {
    String text = new String(input, StandardCharsets.ISO_8859_1);
    StringBuilder out = new StringBuilder();
    int start = 0;
    while (start < text.length()) {
      int nl = text.indexOf('\n', start);
      String line = text.substring(start, nl < 0 ? text.length() : nl + 1);
      int at = 0;
      for (LogRedactor.Span span : RULES.spans(line, 0, true)) {
        out.append(line, at, span.start()).append(Redactor.REDACTED);
        at = span.end();
      }
      out.append(line, at, line.length());
      start += line.length();
    }
    return bytes(out.toString());
  }

  @Test
  void credentialsAreReplacedAndEverythingElseKeptByteForByte() throws IOException {
    String in = "TOKEN=" + RUN_TOKEN + "\r\n"
        + "Authorization: Bearer " + RUN_TOKEN + "\n"
        + "key " + API_TOKEN + ", secret " + SECRET + ".\n"
        + "export AWS_SECRET_ACCESS_KEY=abc def\n"
        + "  --db-password=hunter2 --lr=0.1 max_tokens=512 tokenizer=bpe\n"
        + "config {\"api_key\": \"k-123\", \"name\": \"x\"} {'password': 'p w'}\n"
        + "PATH=/usr/bin:/bin\n"
        + "ARGS=--password=pw1 --x=1\n"
        + "short and shorter\n"
        + "bytes \u00e9\u00ff\u0000 kept";
    byte[] input = bytes(in);
    input[input.length - 6] = (byte) 0xC3; // a lone UTF-8 lead byte, not valid text
    String out = new String(redact(input), StandardCharsets.ISO_8859_1);
    assertThat(out).isEqualTo("TOKEN=[REDACTED]\r\n"
        + "Authorization: Bearer [REDACTED]\n"
        + "key [REDACTED], secret [REDACTED].\n"
        + "export AWS_SECRET_ACCESS_KEY=[REDACTED]\n"
        + "  --db-password=[REDACTED] --lr=0.1 max_tokens=512 tokenizer=bpe\n"
        + "config {\"api_key\": \"[REDACTED]\", \"name\": \"x\"} {'password': '[REDACTED]'}\n"
        + "PATH=/usr/bin:/bin\n"
        + "ARGS=--password=[REDACTED] --x=1\n"
        + "short and shorter\n"
        + "bytes \u00e9\u00ff\u00c3 kept");
    assertThat(LogRedactor.standard().redactLine("a " + RUN_TOKEN + " \u00e9")).isEqualTo("a [REDACTED] \u00e9");
  }

  @Test
  void readsInAnyChunksGiveTheAnswerOfWholeLines() throws IOException {
    Random random = new Random(42);
    String[] pieces = {"loss=0.5 ", "step ", RUN_TOKEN, API_TOKEN, SECRET, "TOKEN=", "password=x ", "\n", "\r\n",
        "\"secret\": \"s\" ", "é", " ", "word", "dp_short ", "animus_run_v1.", "."};
    ByteArrayOutputStream input = new ByteArrayOutputStream();
    while (input.size() < 400_000) {
      input.writeBytes(pieces[random.nextInt(pieces.length)].getBytes(StandardCharsets.UTF_8));
    }
    byte[] all = input.toByteArray();
    byte[] expected = byWholeLines(all);
    for (int chunk : new int[] {1, 7, 4096, 1 << 16}) {
      assertThat(redact(all, chunk, chunk, 0)).as("chunks of up to %d", chunk).isEqualTo(expected);
    }
  }

  @Test
  void aCredentialAcrossTheWindowOfALongLineIsStillReplacedWhole() throws IOException {
    int overlap = RULES.overlap();
    String[] credentials = {RUN_TOKEN, API_TOKEN, SECRET, "password=" + "p".repeat(40)};
    for (String credential : credentials) {
      // a first cut falls at the safe point (the window less the overlap) or, for a match, before it
      for (int before = WINDOW - overlap - 120; before < WINDOW + 10; before += 1) {
        if (before == WINDOW - overlap + 10) {
          before = WINDOW - 120; // the other place that matters: the window's end
        }
        String filler = "ab ".repeat(before / 3) + "c".repeat(before % 3);
        String line = filler + " " + credential + " " + "de ".repeat(1_000) + "\n";
        String expected = filler + " " + (credential.startsWith("password=") ? "password=" : "")
            + Redactor.REDACTED + " " + "de ".repeat(1_000) + "\n";
        byte[] out = redact(bytes(line), 1 << 16, before, 0);
        assertThat(new String(out, StandardCharsets.ISO_8859_1)).as("%d bytes before", before).isEqualTo(expected);
      }
    }
  }

  @Test
  void aSecretValueLongerThanTheWindowIsDroppedToTheEndOfItsLine() throws IOException {
    String in = "x\nSECRET_KEY=" + "v".repeat(3 * WINDOW + 5) + "\nnext " + RUN_TOKEN + "\n";
    assertThat(new String(redact(bytes(in)), StandardCharsets.ISO_8859_1))
        .isEqualTo("x\nSECRET_KEY=[REDACTED]\nnext [REDACTED]\n");
    String token = "animus_run_v1.a." + "b".repeat(2 * WINDOW);
    assertThat(new String(redact(bytes("a " + token + " z\n")), StandardCharsets.ISO_8859_1))
        .isEqualTo("a [REDACTED] z\n");
  }

  @Test
  void skippedContextIsNotWrittenButACredentialCrossingItIsReplaced() throws IOException {
    byte[] input = bytes("first line\nTOKEN " + RUN_TOKEN + " tail\nlast\n");
    int tokenAt = "first line\nTOKEN ".length();
    assertThat(new String(redact(input, 1 << 16, 1, tokenAt + 20), StandardCharsets.ISO_8859_1))
        .isEqualTo("[REDACTED] tail\nlast\n");
    assertThat(new String(redact(input, 1 << 16, 1, 3), StandardCharsets.ISO_8859_1))
        .isEqualTo("st line\nTOKEN [REDACTED] tail\nlast\n");
    assertThat(redact(input, 5, 2, input.length)).isEmpty();
  }

  @Test
  void oneHundredMebibytesGoThroughInBoundedMemory() throws IOException {
    long total = 100L << 20;
    // many short lines, and one line without any newline at all
    String lines = "step 17 loss=0.25 TOKEN=" + RUN_TOKEN + " ok\nplain line of log output\n";
    String oneLine = "word " + RUN_TOKEN + " " + API_TOKEN + " ";
    for (String unit : new String[] {lines, oneLine}) {
      byte[] unitBytes = bytes(unit);
      byte[] redactedUnit = redact(unitBytes);
      long units = total / unitBytes.length;
      MessageDigest expected = sha256();
      for (long i = 0; i < units; i++) {
        expected.update(redactedUnit);
      }
      RedactingInputStream in = new RedactingInputStream(new Repeating(unitBytes, units), RULES);
      MessageDigest actual = sha256();
      byte[] buf = new byte[1 << 16];
      long seen = 0;
      int largest = 0;
      for (int n; (n = in.read(buf, 0, buf.length)) >= 0; ) {
        actual.update(buf, 0, n);
        seen += n;
        largest = Math.max(largest, in.bufferedCapacity());
      }
      assertThat(seen).isEqualTo(units * redactedUnit.length);
      assertThat(actual.digest()).isEqualTo(expected.digest());
      assertThat(largest).isLessThanOrEqualTo(4 * WINDOW);
    }
  }

  private static MessageDigest sha256() {
    return Hashing.sha256();
  }

  /** {@code count} copies of {@code unit}, produced as they are read. */
  private static final class Repeating extends InputStream {
    private final byte[] unit;
    private long remaining;
    private int at;

    Repeating(byte[] unit, long count) {
      this.unit = unit;
      this.remaining = count * unit.length;
    }

    @Override
    public int read() {
      byte[] one = new byte[1];
      return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) {
      if (remaining == 0) {
        return -1;
      }
      int n = (int) Math.min(Math.min(len, remaining), unit.length - at);
      System.arraycopy(unit, at, b, off, n);
      at = (at + n) % unit.length;
      remaining -= n;
      return n;
    }
  }
}
