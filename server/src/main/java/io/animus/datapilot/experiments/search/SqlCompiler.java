package io.animus.datapilot.experiments.search;

import io.animus.datapilot.experiments.search.Filter.Compare;
import io.animus.datapilot.experiments.search.Filter.Key;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.UnaryOperator;
import org.jdbi.v3.core.statement.Query;

/**
 * Turns a {@link Filter} into a boolean SQL expression over {@code runs} aliased {@code r} (and
 * {@code run_values}, {@code experiments}), made only of fixed fragments: every key, value, pattern
 * and run-id set is a bind. Values kept elsewhere (latest telemetry, image digests) are evaluated
 * here in Java and enter the SQL as run-id sets.
 */
public final class SqlCompiler {
  /** Values of other features, by run: the latest telemetry value of a metric, the image digest. */
  public interface ForeignValues {
    Map<UUID, Double> latestMetric(String name);

    Map<UUID, String> imageDigests();
  }

  /** The compiled filter: its SQL and what binds its parameters. */
  public record Compiled(String sql, UnaryOperator<Query> binder) {}

  private static final Map<String, String> ATTRIBUTE_SQL = Map.ofEntries(Map.entry("name", "r.name"),
      Map.entry("status", "r.status"), Map.entry("started_at", "r.started_at"),
      Map.entry("ended_at", "COALESCE(r.ended_at, r.terminal_at)"),
      Map.entry("duration", "CAST(EXTRACT(EPOCH FROM COALESCE(r.ended_at, r.terminal_at) - r.started_at) AS float8)"),
      Map.entry("experiment_id", "CAST(r.experiment_id AS text)"), Map.entry("run_id", "CAST(r.run_id AS text)"),
      Map.entry("git_repo", "r.git_repo"), Map.entry("git_commit", "r.git_commit"), Map.entry("git_ref", "r.git_ref"),
      Map.entry("dataset_version_id", "CAST(r.dataset_version_id AS text)"), Map.entry("created_by", "r.created_by"));

  private final ForeignValues foreign;
  private final List<Object[]> binds = new ArrayList<>();

  private SqlCompiler(ForeignValues foreign) {
    this.foreign = foreign;
  }

  public static Compiled compile(Filter filter, ForeignValues foreign) {
    SqlCompiler c = new SqlCompiler(foreign);
    String sql = c.node(filter);
    List<Object[]> binds = List.copyOf(c.binds);
    return new Compiled(sql, q -> {
      for (Object[] b : binds) {
        String name = (String) b[0];
        Object value = b[1];
        if (value instanceof UUID[] ids) {
          q.bindArray(name, UUID.class, (Object[]) ids);
        } else if (value instanceof String[] texts) {
          q.bindArray(name, String.class, (Object[]) texts);
        } else if (value instanceof Double[] numbers) {
          q.bindArray(name, Double.class, (Object[]) numbers);
        } else if (value instanceof Instant at) {
          q.bind(name, Timestamp.from(at));
        } else {
          q.bind(name, value);
        }
      }
      return q;
    });
  }

  private String bind(Object value) {
    String name = "f_" + binds.size();
    binds.add(new Object[] {name, value});
    return ":" + name;
  }

  private String node(Filter f) {
    if (f instanceof Filter.And a) {
      return join(a.parts(), " AND ");
    }
    if (f instanceof Filter.Or o) {
      return join(o.parts(), " OR ");
    }
    if (f instanceof Filter.Not n) {
      return "NOT (" + node(n.part()) + ")";
    }
    if (f instanceof Filter.IsNull i) {
      String present = present(i.key());
      return i.negated() ? present : "NOT (" + present + ")";
    }
    return compare((Compare) f);
  }

  private String join(List<Filter> parts, String op) {
    List<String> sql = new ArrayList<>();
    for (Filter p : parts) {
      sql.add("(" + node(p) + ")");
    }
    return String.join(op, sql);
  }

  /** True when the run has the key (never NULL). */
  private String present(Key key) {
    switch (key.kind()) {
      case METRIC -> {
        String summary = values('m', key.name(), "v.type = 'n'");
        Set<UUID> telemetry = foreign.latestMetric(key.name()).keySet();
        return telemetry.isEmpty() ? summary : "(" + summary + " OR r.run_id = ANY(" + ids(telemetry) + "))";
      }
      case PARAM -> {
        return values('p', key.name(), "TRUE");
      }
      case TAG -> {
        return values('t', key.name(), "TRUE");
      }
      default -> {
        return switch (key.name()) {
          case "experiment", "archived" -> "TRUE";
          case "image_digest" -> "r.run_id = ANY(" + ids(foreign.imageDigests().keySet()) + ")";
          default -> "(" + ATTRIBUTE_SQL.get(key.name()) + " IS NOT NULL)";
        };
      }
    }
  }

  private String values(char kind, String key, String condition) {
    return "EXISTS (SELECT 1 FROM run_values v WHERE v.run_id = r.run_id AND v.kind = '" + kind + "' AND v.key = "
        + bind(key) + " AND " + condition + ")";
  }

  private String ids(Set<UUID> ids) {
    return "CAST(" + bind(ids.toArray(new UUID[0])) + " AS uuid[])";
  }

  private String compare(Compare c) {
    Key key = c.key();
    switch (key.kind()) {
      case METRIC -> {
        String summaryPresent = values('m', key.name(), "v.type = 'n'");
        String summaryMatch = values('m', key.name(), "v.type = 'n' AND " + test("v.num", c, true));
        Map<UUID, Double> telemetry = foreign.latestMetric(key.name());
        if (telemetry.isEmpty()) {
          return summaryMatch;
        }
        Set<UUID> matching = new HashSet<>();
        telemetry.forEach((run, value) -> {
          if (Evaluation.test(value, c)) {
            matching.add(run);
          }
        });
        return "(CASE WHEN " + summaryPresent + " THEN " + summaryMatch + " ELSE r.run_id = ANY(" + ids(matching)
            + ") END)";
      }
      case PARAM -> {
        Object first = c.values().get(0);
        if (first instanceof Boolean) {
          return values('p', key.name(), "v.type = 'b' AND " + test("v.txt", c, false));
        }
        return values('p', key.name(), first instanceof Double ? "v.num IS NOT NULL AND " + test("v.num", c, true)
            : test("v.txt", c, false));
      }
      case TAG -> {
        return values('t', key.name(), test("v.txt", c, false));
      }
      default -> {
        return attribute(c);
      }
    }
  }

  private String attribute(Compare c) {
    String name = c.key().name();
    switch (name) {
      case "archived" -> {
        boolean wanted = (Boolean) c.values().get(0) == c.op().equals("=");
        return wanted ? "r.archived_at IS NOT NULL" : "r.archived_at IS NULL";
      }
      case "experiment" -> {
        boolean negated = c.op().equals("!=") || c.op().equals("notin");
        String op = switch (c.op()) {
          case "!=" -> "=";
          case "notin" -> "in";
          default -> c.op();
        };
        Compare positive = new Compare(c.key(), op, c.values());
        String byName = test("x.name", positive, false);
        String match = op.equals("=") || op.equals("in")
            ? "(" + byName + " OR " + test("CAST(x.experiment_id AS text)", positive, false) + ")" : byName;
        String sql = "EXISTS (SELECT 1 FROM experiments x WHERE x.experiment_id = r.experiment_id AND " + match + ")";
        return negated ? "NOT " + sql : sql;
      }
      case "image_digest" -> {
        Set<UUID> matching = new HashSet<>();
        foreign.imageDigests().forEach((run, digest) -> {
          if (Evaluation.test(digest, c)) {
            matching.add(run);
          }
        });
        return "r.run_id = ANY(" + ids(matching) + ")";
      }
      default -> {
        String expr = ATTRIBUTE_SQL.get(name);
        return "(" + expr + " IS NOT NULL AND " + test(expr, c, name.equals("duration")) + ")";
      }
    }
  }

  /** {@code expr op values}, never NULL for a non-NULL {@code expr}; numbers exclude NaN. */
  private String test(String expr, Compare c, boolean numeric) {
    Object first = c.values().get(0);
    String guard = numeric ? expr + " <> 'NaN'::float8 AND " : "";
    String lhs = numeric || first instanceof Instant ? expr : expr + " COLLATE \"C\"";
    String value = first instanceof Boolean b ? bind(b.toString()) : first instanceof Instant ? "CAST(" + bind(first)
        + " AS timestamptz)" : bind(first);
    return switch (c.op()) {
      case "in", "notin" -> {
        String list = numeric ? "CAST(" + bind(c.values().stream().map(v -> (Double) v).toArray(Double[]::new))
            + " AS float8[])" : bind(c.values().stream().map(String::valueOf).toArray(String[]::new));
        yield guard + (c.op().equals("in") ? "" : "NOT ") + expr + " = ANY(" + list + ")";
      }
      case "like" -> expr + " LIKE " + value;
      case "notlike" -> "NOT (" + expr + " LIKE " + value + ")";
      case "ilike" -> "lower(" + expr + ") LIKE lower(" + value + ")";
      case "notilike" -> "NOT (lower(" + expr + ") LIKE lower(" + value + "))";
      default -> guard + lhs + " " + c.op() + " " + value;
    };
  }
}
