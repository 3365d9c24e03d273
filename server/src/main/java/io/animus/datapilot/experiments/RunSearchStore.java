package io.animus.datapilot.experiments;

import io.animus.datapilot.storage.Rows;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.UnaryOperator;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.statement.Query;

/**
 * Lists and searches of {@code runs} (docs/protocol.md §3.3, §3.5): read only; {@link RunStore}
 * writes the rows. Every condition comes from code: a filter arrives compiled, with its values as
 * binds ({@link Where}).
 */
public final class RunSearchStore {
  /** Which runs a list may show at all; null fields mean "any". */
  public record Scope(List<UUID> experimentIds, String projectId, String status, boolean activeOnly,
                      boolean includeArchived) {}

  /**
   * A compiled filter: a boolean SQL expression over {@code runs} aliased {@code r}, made of fixed
   * fragments only, and what binds its parameters.
   */
  public record Where(String sql, UnaryOperator<Query> binder) {
    public static final Where ALL = new Where("TRUE", q -> q);
  }

  /**
   * What a run list is sorted by besides start time: an SQL expression over {@code r} (it may use
   * {@code :key}) and its PostgreSQL type. Expressions come from code, never from a request.
   * {@code runs}/{@code values}: values read elsewhere, joined in by run id.
   */
  public record SortKey(String expression, String type, List<UUID> runs, double[] values) {
    public static SortKey of(String expression, String type) {
      return new SortKey(expression, type, List.of(), new double[0]);
    }

    /** Values read elsewhere (a metric's latest values from the points database), by run. */
    public static SortKey given(String summaryExpression, Map<UUID, Double> byRun) {
      if (byRun.isEmpty()) {
        return of(summaryExpression, "float8");
      }
      List<UUID> runs = new ArrayList<>(byRun.size());
      double[] values = new double[byRun.size()];
      for (Map.Entry<UUID, Double> e : byRun.entrySet()) {
        values[runs.size()] = e.getValue();
        runs.add(e.getKey());
      }
      return new SortKey("COALESCE(" + summaryExpression + ", given.v)", "float8", runs, values);
    }

    boolean joinsGiven() {
      return !runs.isEmpty();
    }
  }

  /** A run with the text of the value it is sorted by (null when the run lacks the key). */
  public record Sorted(Run run, String sortValue) {}

  private static String scopeSql(Scope s) {
    StringBuilder sql = new StringBuilder("r.deleted_at IS NULL");
    if (s.experimentIds() != null) {
      sql.append(" AND r.experiment_id = ANY(:scope_experiments)");
    }
    if (s.projectId() != null) {
      sql.append(" AND r.project_id = :scope_project");
    }
    if (s.status() != null) {
      sql.append(" AND r.status = :scope_status");
    }
    if (s.activeOnly()) {
      sql.append(" AND r.status IN ('pending', 'running')");
    }
    if (!s.includeArchived()) {
      sql.append(" AND r.archived_at IS NULL AND NOT EXISTS (SELECT 1 FROM experiments x "
          + "WHERE x.experiment_id = r.experiment_id AND x.archived_at IS NOT NULL)");
    }
    return sql.toString();
  }

  private static Query bindScope(Query q, Scope s, Where where) {
    if (s.experimentIds() != null) {
      q.bindArray("scope_experiments", UUID.class, s.experimentIds());
    }
    if (s.projectId() != null) {
      q.bind("scope_project", s.projectId());
    }
    if (s.status() != null) {
      q.bind("scope_status", s.status());
    }
    return where.binder().apply(q);
  }

  /** Ordered by start time, then id descending, after the (started_at, run_id) cursor. */
  public List<Run> listByStart(Handle h, Scope scope, Where where, boolean ascending, Instant afterStart,
                               UUID afterId, int limit) {
    Query q = h.createQuery("""
            SELECT <columns> FROM runs r
            WHERE <scope> AND (<where>)
              AND (CAST(:after_id AS uuid) IS NULL
                   OR r.started_at <cmp> CAST(:after_start AS timestamptz)
                   OR (r.started_at = CAST(:after_start AS timestamptz) AND r.run_id < CAST(:after_id AS uuid)))
            ORDER BY r.started_at <dir>, r.run_id DESC
            LIMIT :limit
            """)
        .define("columns", RunRows.COLUMNS)
        .define("scope", scopeSql(scope))
        .define("where", where.sql())
        .define("cmp", ascending ? ">" : "<")
        .define("dir", ascending ? "ASC" : "DESC")
        .bind("after_start", Rows.timestamp(afterStart))
        .bind("after_id", afterId)
        .bind("limit", limit);
    return bindScope(q, scope, where).map((rs, ctx) -> RunRows.map(rs)).list();
  }

  /** The ids of every run the scope and filter admit (for sorting by values read elsewhere). */
  public List<UUID> ids(Handle h, Scope scope, Where where) {
    Query q = h.createQuery("SELECT r.run_id FROM runs r WHERE <scope> AND (<where>)")
        .define("scope", scopeSql(scope))
        .define("where", where.sql());
    return bindScope(q, scope, where).mapTo(UUID.class).list();
  }

  /**
   * Ordered by a key's value (runs without it last, in both directions), then id descending, after
   * the cursor. A null {@code afterValue} with an id means the cursor is among the runs without the key.
   */
  public List<Sorted> listByValue(Handle h, Scope scope, Where where, SortKey sortKey, String key,
                                  boolean ascending, String afterValue, UUID afterId, int limit) {
    Query q = h.createQuery("""
            WITH ranked AS (
              SELECT <columns>, <sort_expr> AS sort_value
              FROM runs r <given>
              WHERE <scope> AND (<where>))
            SELECT *, sort_value::text AS sort_text FROM ranked
            WHERE CAST(:after_id AS uuid) IS NULL
               OR (sort_value IS NULL AND CAST(:after_value AS <sort_type>) IS NULL AND run_id < CAST(:after_id AS uuid))
               OR (sort_value IS NULL AND CAST(:after_value AS <sort_type>) IS NOT NULL)
               OR sort_value <cmp> CAST(:after_value AS <sort_type>)
               OR (sort_value = CAST(:after_value AS <sort_type>) AND run_id < CAST(:after_id AS uuid))
            ORDER BY sort_value IS NULL, sort_value <dir>, run_id DESC
            LIMIT :limit
            """)
        .define("cmp", ascending ? ">" : "<")
        .define("dir", ascending ? "ASC" : "DESC")
        .define("columns", RunRows.COLUMNS)
        .define("sort_expr", sortKey.expression())
        .define("sort_type", sortKey.type())
        .define("given", sortKey.joinsGiven() ? """
            LEFT JOIN unnest(CAST(:sort_runs AS uuid[]), CAST(:sort_values AS float8[])) AS given(run_id, v)
              ON given.run_id = r.run_id""" : "")
        .define("scope", scopeSql(scope))
        .define("where", where.sql())
        .bind("key", key)
        .bind("after_value", afterValue)
        .bind("after_id", afterId)
        .bind("limit", limit);
    if (sortKey.joinsGiven()) {
      double[] values = sortKey.values();
      q.bindArray("sort_runs", UUID.class, sortKey.runs())
          .bind("sort_values", (position, statement, ctx) -> statement.setObject(position, values));
    }
    return bindScope(q, scope, where).map((rs, ctx) -> new Sorted(RunRows.map(rs), rs.getString("sort_text")))
        .list();
  }
}
