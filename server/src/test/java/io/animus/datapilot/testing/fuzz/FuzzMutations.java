package io.animus.datapilot.testing.fuzz;

import static io.animus.datapilot.testing.fuzz.FuzzJson.arr;
import static io.animus.datapilot.testing.fuzz.FuzzJson.obj;
import static io.animus.datapilot.testing.fuzz.FuzzJson.raw;
import static io.animus.datapilot.testing.fuzz.FuzzJson.str;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Structure-aware mutations of a valid request: JSON values of another type, Unicode edge cases,
 * U+0000, halves of surrogate pairs, huge and tiny numbers, deep nesting, fields removed, added or
 * repeated; bytes truncated or made invalid UTF-8; multipart forms truncated or malformed; query
 * parameters and path ids replaced; headers abused. Every choice comes from the given Random.
 */
public final class FuzzMutations {
  private final Random random;
  private final FuzzEdits edits;

  public FuzzMutations(Random random) {
    this.random = random;
    this.edits = new FuzzEdits(random);
  }

  private <T> T pick(List<T> items) {
    return items.get(random.nextInt(items.size()));
  }

  static final List<String> STRINGS = List.of("", " ", "\u0000", "a\u0000b", "\ud800", "x\udc00", "\udbff\udfff",
      "\ud83d\ude00", "\ud83d", "\uffff", "\ufeff", "\u202e", "e\u0301", "\u00e9\u4e2d", "%00", "../../etc/passwd",
      "'; DROP TABLE runs; --", "running", "RUNNING ", "pass", "viewer", "file", "2026-01-05T10:11:12Z",
      "9999-12-31T23:59:59.999999999Z", "9999-12-31T23:59:59.9999995+00:00", "0000-01-01T00:00:00Z",
      "+10000-01-01T00:00:00Z", "2026-02-30T00:00:00Z", "2026-01-05T10:11:12+25:00", "2026-01-05 10:11:12z",
      "0b6f3c1e-1111-4222-8333-444455556666", "sha256:" + "ab".repeat(32), "\t\r\n", "NaN", "null");

  static final List<String> NUMBERS = List.of("0", "-0", "-0.0", "-1", "1.5", "1e308", "1e309", "-1e309",
      "1e999999999", "1e-999999999", "1e131072", "1e-16383", "0.1e-16384", "9223372036854775807",
      "9223372036854775808", "-9223372036854775809", "123456789012345678901234567890", "NaN", "Infinity",
      "-Infinity", "1E2", "0.000001", "4.9e-324");

  /** A JSON value of any kind, awkward on purpose. */
  FuzzJson.Node awkward() {
    return switch (random.nextInt(9)) {
      case 0, 1 -> str(pick(STRINGS));
      case 2, 3 -> raw(pick(NUMBERS));
      case 4 -> raw(pick(List.of("true", "false", "null")));
      case 5 -> random.nextBoolean() ? arr() : arr(raw("1"), str("a"), raw("null"), obj());
      case 6 -> random.nextBoolean() ? obj() : obj(pick(STRINGS), str(pick(STRINGS)), "k", raw(pick(NUMBERS)));
      case 7 -> str(random.nextBoolean() ? "x".repeat(300) : "\ud83d\ude00".repeat(200) + "\ud800");
      default -> deep(random.nextInt(3) == 0 ? 5_000 : 200 + random.nextInt(900));
    };
  }

  /** Deep nesting as one literal (a tree this deep would overflow the fuzzer's own stack). */
  private FuzzJson.Node deep(int depth) {
    boolean arrays = random.nextBoolean();
    return raw(arrays ? "[".repeat(depth) + "1" + "]".repeat(depth)
        : "{\"a\":".repeat(depth) + "1" + "}".repeat(depth));
  }

  /** Applies 1 to 3 mutations of the kinds that fit the request. */
  public FuzzRequest mutate(FuzzRequest valid) {
    FuzzRequest r = valid.copy();
    int count = 1 + random.nextInt(3);
    for (int i = 0; i < count; i++) {
      int kind = random.nextInt(10);
      if (kind < 4 && r.json != null && r.rawBody == null) {
        mutateJson(r);
      } else if (kind < 4 && r.parts != null && r.rawBody == null) {
        mutateForm(r);
      } else if (kind < 5 && r.body() != null) {
        edits.mutateBytes(r);
      } else if (kind < 7) {
        mutateQueryOrPath(r);
      } else {
        edits.mutateHeaders(r);
      }
    }
    return r;
  }

  // ---- JSON ---------------------------------------------------------------------------------------

  private record Slot(List<Map.Entry<String, FuzzJson.Node>> fields, List<FuzzJson.Node> items, int index) {}

  private void slots(FuzzJson.Node node, List<Slot> out) {
    if (node instanceof FuzzJson.Obj o) {
      for (int i = 0; i < o.fields().size(); i++) {
        out.add(new Slot(o.fields(), null, i));
        slots(o.fields().get(i).getValue(), out);
      }
    } else if (node instanceof FuzzJson.Arr a) {
      for (int i = 0; i < a.items().size(); i++) {
        out.add(new Slot(null, a.items(), i));
        slots(a.items().get(i), out);
      }
    }
  }

  private void mutateJson(FuzzRequest r) {
    List<Slot> slots = new ArrayList<>();
    slots(r.json, slots);
    if (slots.isEmpty() || random.nextInt(6) == 0) {
      if (r.json instanceof FuzzJson.Obj o) {
        String key = random.nextBoolean() ? "unexpected" : pick(STRINGS);
        o.fields().add(new java.util.AbstractMap.SimpleEntry<>(key, awkward()));
        r.mutations.add("json: add field " + quoted(key));
      } else {
        r.json = awkward();
        r.mutations.add("json: whole body replaced");
      }
      return;
    }
    Slot s = pick(slots);
    int op = random.nextInt(6);
    if (random.nextInt(3) == 0) {
      // a third of the time: one string leaf edited in place (a character inserted), the commonest bug
      List<Slot> strings = slots.stream().filter(x -> (x.fields() != null ? x.fields().get(x.index()).getValue()
          : x.items().get(x.index())) instanceof FuzzJson.Str).toList();
      if (!strings.isEmpty()) {
        Slot at = pick(strings);
        String edge = pick(List.of("\u0000", "\ud800", "\udfff", "\ud83d\ude00", "\uffff", "\u202e", "\u0301"));
        if (at.fields() != null) {
          Map.Entry<String, FuzzJson.Node> e = at.fields().get(at.index());
          String text = ((FuzzJson.Str) e.getValue()).text();
          int cut = random.nextInt(text.length() + 1);
          at.fields().set(at.index(), new java.util.AbstractMap.SimpleEntry<>(e.getKey(),
              str(text.substring(0, cut) + edge + text.substring(cut))));
          r.mutations.add("json: " + quoted(edge) + " inserted into " + quoted(e.getKey()));
        } else {
          String text = ((FuzzJson.Str) at.items().get(at.index())).text();
          int cut = random.nextInt(text.length() + 1);
          at.items().set(at.index(), str(text.substring(0, cut) + edge + text.substring(cut)));
          r.mutations.add("json: " + quoted(edge) + " inserted into item " + at.index());
        }
        return;
      }
    }
    if (s.fields() != null) {
      Map.Entry<String, FuzzJson.Node> e = s.fields().get(s.index());
      switch (op) {
        case 0 -> {
          s.fields().remove(s.index());
          r.mutations.add("json: remove " + quoted(e.getKey()));
        }
        case 1 -> {
          s.fields().add(s.index(), new java.util.AbstractMap.SimpleEntry<>(e.getKey(), awkward()));
          r.mutations.add("json: repeat key " + quoted(e.getKey()));
        }
        case 2 -> {
          String key = pick(STRINGS);
          s.fields().set(s.index(), new java.util.AbstractMap.SimpleEntry<>(key, e.getValue()));
          r.mutations.add("json: rename " + quoted(e.getKey()) + " to " + quoted(key));
        }
        default -> {
          FuzzJson.Node value = awkward();
          s.fields().set(s.index(), new java.util.AbstractMap.SimpleEntry<>(e.getKey(), value));
          r.mutations.add("json: " + quoted(e.getKey()) + " = " + abbreviated(value));
        }
      }
    } else if (op == 0) {
      s.items().remove(s.index());
      r.mutations.add("json: remove item " + s.index());
    } else if (op == 1) {
      for (int i = 0; i < 50; i++) {
        s.items().add(s.items().get(s.index()).copy());
      }
      r.mutations.add("json: item " + s.index() + " repeated 50 times");
    } else {
      FuzzJson.Node value = awkward();
      s.items().set(s.index(), value);
      r.mutations.add("json: item " + s.index() + " = " + abbreviated(value));
    }
  }

  private static String abbreviated(FuzzJson.Node node) {
    String text = FuzzJson.write(node);
    return text.length() > 60 ? text.substring(0, 60) + "…" : text;
  }

  private static String quoted(String text) {
    return FuzzJson.write(str(text));
  }

  static byte[] concat(byte[] a, byte[] b) {
    byte[] out = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }

  // ---- multipart ----------------------------------------------------------------------------------

  private void mutateForm(FuzzRequest r) {
    List<FuzzRequest.Part> parts = r.parts;
    int op = random.nextInt(9);
    if (op <= 2 && !parts.isEmpty()) {
      int i = random.nextInt(parts.size());
      FuzzRequest.Part p = parts.get(i);
      byte[] value = pick(List.of("a\u0000b", "\u0000", "", " ", "\ud83d\ude00", "{\"k\":\"\\u0000\"}",
          "{\"k\":\"\\ud800\"}", "not json", "x".repeat(300), "dataset", "FILE", "model", "{}", "[]"))
          .getBytes(StandardCharsets.UTF_8);
      if (op == 2) {
        value = new byte[] {'a', (byte) 0xff, 'b'};
      }
      parts.set(i, new FuzzRequest.Part(p.name(), p.filename(), p.contentType(), value));
      r.mutations.add("form: value of part " + quoted(p.name()) + " replaced");
    } else if (op == 3) {
      parts.removeIf(p -> p.name().equals("file"));
      r.mutations.add("form: no file part");
    } else if (op == 4) {
      parts.add(new FuzzRequest.Part("file", "second.bin", "application/octet-stream", new byte[] {1, 2, 3}));
      r.mutations.add("form: a second file part");
    } else if (op == 5) {
      String filename = pick(List.of("../../etc/passwd", "a\u0000b.txt", "", ".", "..", "\ud83d\ude00.txt",
          "x".repeat(500), "dir\\file.txt", "%00.txt", "\"quoted\".txt"));
      String contentType = pick(List.of("text/pl\u0000ain", "", "x".repeat(300), "text/plain; charset=\u00e9",
          "application/octet-stream"));
      parts.replaceAll(p -> p.name().equals("file") ? new FuzzRequest.Part("file", filename, contentType, p.bytes())
          : p);
      r.mutations.add("form: file name " + quoted(filename) + ", type " + quoted(contentType));
    } else if (op == 6) {
      r.closeForm = false;
      r.mutations.add("form: no closing delimiter");
    } else if (op == 7) {
      r.contentType = pick(List.of("multipart/form-data", "multipart/form-data; boundary=", "multipart/form-data; "
          + "boundary=other", "multipart/mixed; boundary=" + r.boundary, "application/json",
          "multipart/form-data; boundary=\"" + r.boundary + "\"", "multipart/form-data; boundary=" + "b".repeat(300)));
      r.mutations.add("form: Content-Type " + r.contentType);
    } else {
      byte[] body = r.body();
      int cut = random.nextInt(Math.max(1, body.length));
      r.rawBody = Arrays.copyOf(body, cut);
      r.mutations.add("form: truncated at byte " + cut + " of " + body.length);
    }
  }

  // ---- query, path --------------------------------------------------------------------------------

  static final List<String> QUERY_NAMES = List.of("limit", "page_token", "name", "q", "status", "order_by", "order",
      "include", "active", "kind", "repo", "commit_sha", "before_event_id", "after_event_id", "max_points",
      "project_id", "x");
  static final List<String> QUERY_VALUES = List.of("%00", "a%00b", "%ED%A0%80", "%FF", "%C0%AF", "%F0%9F%98%80", "",
      "-1", "0", "99999999999999999999", "1e309", "NaN", "%25", "%", "%zz", "+", "param:%00", "param:", "metric:loss",
      "desc", "ASC", "latest_metrics,%00", "true", "maybe", "eyJmIjpudWxsfQ", "x".repeat(3000), "..%2F..");
  static final List<String> IDS = List.of("..", "%2e%2e", "%2F", "%00", "a%00", "%ZZ", "x:y",
      "0B6F3C1E-1111-4222-8333-444455556666", "0b6f3c1e-1111-4222-8333-44445555666", "%20", "%C0%AF", "%ff",
      "x".repeat(3000), "null", "-1", "sha256:" + "ab".repeat(31), "sha256:" + "AB".repeat(32));

  private void mutateQueryOrPath(FuzzRequest r) {
    int op = random.nextInt(5);
    if (op == 4) {
      // not DELETE: runs, experiments and datasets answer it now, and the sweeper then changes the stored state
      // in the background, which the fuzzer would blame on a later request (DeletionHttpTest covers DELETE)
      String method = pick(List.of("GET", "HEAD", "OPTIONS", "POST", "PUT", "PATCH", "TRACE", "get"));
      r.mutations.add("method: " + r.method + " -> " + method);
      r.method = method;
      return;
    }
    if (op == 0) {
      String[] segments = r.path.split("/", -1);
      List<Integer> ids = new ArrayList<>();
      for (int i = 0; i < segments.length; i++) {
        if (segments[i].matches("[0-9a-f]{8}-.*") || segments[i].startsWith("sha256:")) {
          ids.add(i);
        }
      }
      if (!ids.isEmpty()) {
        int at = pick(ids);
        String old = segments[at];
        int colon = old.indexOf(':', old.startsWith("sha256:") ? 7 : 0);
        segments[at] = pick(IDS) + (colon > 0 && !old.startsWith("sha256:") ? old.substring(colon) : "");
        r.path = String.join("/", segments);
        r.mutations.add("path: id replaced");
        return;
      }
    }
    String name = op == 1 && !r.query.isEmpty() ? pick(new ArrayList<>(r.query.keySet())) : pick(QUERY_NAMES);
    String value = pick(QUERY_VALUES);
    if (op == 3) {
      r.query.put(name + "&" + name, value);
      r.mutations.add("query: " + name + " repeated");
    } else {
      r.query.put(name, value);
      r.mutations.add("query: " + name + "=" + (value.length() > 30 ? value.substring(0, 30) + "…" : value));
    }
  }

}
