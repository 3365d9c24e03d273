package io.animus.datapilot.testing.fuzz;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/** The fuzzer's byte-level and header mutations (the structure-aware ones are in {@link FuzzMutations}). */
final class FuzzEdits {
  private final Random random;

  FuzzEdits(Random random) {
    this.random = random;
  }

  private <T> T pick(List<T> items) {
    return items.get(random.nextInt(items.size()));
  }

  // ---- bytes --------------------------------------------------------------------------------------

  void mutateBytes(FuzzRequest r) {
    byte[] body = r.body();
    byte[] out;
    switch (random.nextInt(7)) {
      case 0 -> {
        int cut = body.length == 0 ? 0 : random.nextInt(body.length);
        out = Arrays.copyOf(body, cut);
        r.mutations.add("bytes: truncated at " + cut);
      }
      case 1 -> {
        out = insert(body, new byte[] {0});
        r.mutations.add("bytes: raw NUL byte inserted");
      }
      case 2 -> {
        byte[] bad = pick(List.of(new byte[] {(byte) 0xff}, new byte[] {(byte) 0xed, (byte) 0xa0, (byte) 0x80},
            new byte[] {(byte) 0xc0, (byte) 0xaf}, new byte[] {(byte) 0xf4, (byte) 0x90, (byte) 0x80, (byte) 0x80},
            new byte[] {(byte) 0xc3}));
        out = insert(body, bad);
        r.mutations.add("bytes: invalid UTF-8 inserted");
      }
      case 3 -> {
        out = FuzzMutations.concat(new byte[] {(byte) 0xef, (byte) 0xbb, (byte) 0xbf}, body);
        r.mutations.add("bytes: BOM prefix");
      }
      case 4 -> {
        byte[] tail = pick(List.of("{}", " trailing", "\u0000", "]", ",")).getBytes(StandardCharsets.UTF_8);
        out = FuzzMutations.concat(body, tail);
        r.mutations.add("bytes: trailing data");
      }
      case 5 -> {
        out = body.clone();
        if (out.length > 0) {
          int at = random.nextInt(out.length);
          out[at] = (byte) random.nextInt(256);
          r.mutations.add("bytes: byte " + at + " replaced");
        }
      }
      default -> {
        out = new byte[0];
        r.mutations.add("bytes: empty body");
      }
    }
    r.rawBody = out;
  }

  private byte[] insert(byte[] body, byte[] bytes) {
    int at = body.length == 0 ? 0 : random.nextInt(body.length);
    byte[] out = new byte[body.length + bytes.length];
    System.arraycopy(body, 0, out, 0, at);
    System.arraycopy(bytes, 0, out, at, bytes.length);
    System.arraycopy(body, at, out, at + bytes.length, body.length - at);
    return out;
  }

  // ---- headers ------------------------------------------------------------------------------------

  void mutateHeaders(FuzzRequest r) {
    String[] header = switch (random.nextInt(14)) {
      case 0 -> new String[] {"Content-Type", pick(List.of("text/plain", "application/json; charset=utf-16",
          "application/json; charset=nonsense", "", "application/x-www-form-urlencoded", "multipart/form-data"))};
      case 1 -> new String[] {"Content-Length", pick(List.of("0", "-1", "abc", "99999999999999999999", "1, 2"))};
      case 2 -> new String[] {"X-Request-Id", pick(List.of("r".repeat(200), "   ", latin1("caf\u00e9"), "a b"))};
      case 3 -> new String[] {"X-Project-Id", pick(List.of("", "../etc", "p".repeat(100), latin1("\u00e9t\u00e9"),
          "default", "other-project"))};
      case 4 -> new String[] {"Idempotency-Key", pick(List.of("fuzz-key-1", "fuzz-key-2", "k".repeat(300),
          latin1("caf\u00e9"), ""))};
      case 5 -> new String[] {"Authorization", pick(List.of("", "Bearer", "Bearer dp_" + "x".repeat(2000),
          "Bearer animus_run_v1.e30.e30", "Basic AAAA", latin1("Bearer \u00ff")))};
      case 6 -> new String[] {"Range", pick(List.of("bytes=0-0", "bytes=5-1", "bytes=-0", "bytes=99999999999-",
          "bytes=0-1,2-3", "items=1-2", "bytes=", "bytes=-99999999999999999999"))};
      case 7 -> new String[] {"If-None-Match", pick(List.of("*", "\"x\"", "", "W/\"" + "e".repeat(500) + "\""))};
      case 8 -> new String[] {"Transfer-Encoding", pick(List.of("chunked", "gzip", "identity", "chunked, chunked"))};
      case 9 -> new String[] {"Content-Encoding", pick(List.of("gzip", "br", "deflate"))};
      case 10 -> new String[] {"X-Long", "v".repeat(random.nextBoolean() ? 20_000 : 70_000)};
      case 11 -> new String[] {"Last-Event-ID", pick(List.of("-1", "abc", "99999999999999999999", "%00"))};
      case 12 -> new String[] {"X-Animus-CI-Sig", pick(List.of("", "sha256=00", "x".repeat(64)))};
      default -> new String[] {"X-Folded", "a\r\n b"};
    };
    r.headers.removeIf(h -> h[0].equalsIgnoreCase(header[0]));
    r.headers.add(header);
    if (header[0].equals("Transfer-Encoding") && header[1].equals("chunked")) {
      // framed when written, over whatever the body is then, so that no later mutation leaves a chunk unfinished
      r.chunked = random.nextBoolean() ? 1 : 2;
    }
    r.mutations.add("header: " + header[0]);
  }

  /** A text whose UTF-8 bytes are written one per ISO-8859-1 character (the wire form of the header). */
  private static String latin1(String text) {
    return new String(text.getBytes(StandardCharsets.UTF_8), StandardCharsets.ISO_8859_1);
  }
}
