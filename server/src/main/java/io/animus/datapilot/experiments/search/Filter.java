package io.animus.datapilot.experiments.search;

import java.util.List;

/** A parsed run filter (docs/protocol.md §3.5): an immutable tree. Every node is true or false for a run. */
public sealed interface Filter {
  /** What a comparison names: a metric, param or tag by name, or an attribute. */
  record Key(Kind kind, String name) {
    public enum Kind { METRIC, PARAM, TAG, ATTRIBUTE }
  }

  record And(List<Filter> parts) implements Filter {}

  record Or(List<Filter> parts) implements Filter {}

  record Not(Filter part) implements Filter {}

  /**
   * {@code key op values}: op is one of {@code = != < <= > >= in notin like notlike ilike notilike};
   * values are Double, String, Boolean or java.time.Instant (one, or several for in).
   */
  record Compare(Key key, String op, List<Object> values) implements Filter {}

  /** {@code key is null} ({@code negated}: is not null). */
  record IsNull(Key key, boolean negated) implements Filter {}

  /** Whether the filter speaks of the {@code archived} attribute anywhere. */
  static boolean mentionsArchived(Filter f) {
    if (f instanceof And a) {
      return a.parts().stream().anyMatch(Filter::mentionsArchived);
    }
    if (f instanceof Or o) {
      return o.parts().stream().anyMatch(Filter::mentionsArchived);
    }
    if (f instanceof Not n) {
      return mentionsArchived(n.part());
    }
    Key key = f instanceof Compare c ? c.key() : ((IsNull) f).key();
    return key.kind() == Key.Kind.ATTRIBUTE && key.name().equals("archived");
  }
}
