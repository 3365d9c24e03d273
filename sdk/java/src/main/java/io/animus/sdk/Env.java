package io.animus.sdk;

import java.util.Map;

/** Environment lookups shared by the builders: the first non-blank value among names. */
final class Env {
  private Env() {}

  static String first(Map<String, String> env, String... names) {
    for (String name : names) {
      String v = env.get(name);
      if (v != null && !v.isBlank()) {
        return v.strip();
      }
    }
    return null;
  }
}
