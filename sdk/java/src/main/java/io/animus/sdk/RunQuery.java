package io.animus.sdk;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A search for runs (docs/protocol.md §3.5) for {@link RunsClient#searchRuns} and {@link RunsClient#listRuns}: a
 * filter in the search language, the experiments to look in, the order, the page size and cursor, and whether to
 * include latest metrics and archived runs. Unset parts are not sent (the server's defaults apply).
 *
 * <pre>{@code
 * RunQuery q = RunQuery.where("metrics.accuracy > 0.9 and params.optimizer = 'adam'")
 *     .orderBy("metrics.accuracy").limit(20).includeLatestMetrics(true);
 * }</pre>
 */
public final class RunQuery {
  private String filter;
  private final List<String> experimentIds = new ArrayList<>();
  private String orderBy;
  private String order;
  private Integer limit;
  private String pageToken;
  private boolean includeLatestMetrics;
  private boolean includeArchived;

  private RunQuery() {}

  /** Every run (of the project, or of the experiments named with {@link #experimentIds}). */
  public static RunQuery all() {
    return new RunQuery();
  }

  /** The runs that match {@code filter}, such as {@code metrics.loss < 0.2 and tags.stage = 'prod'}. */
  public static RunQuery where(String filter) {
    return new RunQuery().filter(filter);
  }

  /** The filter (null: none); at most 10,000 characters. */
  public RunQuery filter(String filter) {
    this.filter = filter;
    return this;
  }

  /** Looks only in these experiments ({@link RunsClient#searchRuns} only). */
  public RunQuery experimentIds(String... ids) {
    for (String id : ids) {
      experimentIds.add(Requests.requireText(id, "experiment id"));
    }
    return this;
  }

  /** Sorts by a key: {@code metrics.<name>}, {@code params.<name>}, {@code tags.<name>}, {@code name}... */
  public RunQuery orderBy(String key) {
    this.orderBy = key;
    return this;
  }

  /** {@code desc} (the server's default) or {@code asc}. */
  public RunQuery order(String order) {
    this.order = order;
    return this;
  }

  /** Ascending order. */
  public RunQuery ascending() {
    return order("asc");
  }

  /** At most this many runs per page (the server clamps it to 1–500; default 100). */
  public RunQuery limit(int limit) {
    this.limit = limit;
    return this;
  }

  /** Starts at this page (the {@code nextPageToken} of the previous page with the same query). */
  public RunQuery pageToken(String token) {
    this.pageToken = token;
    return this;
  }

  /** Adds {@link Run#latestMetrics()} to each run. */
  public RunQuery includeLatestMetrics(boolean include) {
    this.includeLatestMetrics = include;
    return this;
  }

  /** Includes archived runs (and runs of archived experiments). */
  public RunQuery includeArchived(boolean include) {
    this.includeArchived = include;
    return this;
  }

  /** The body of {@code POST /experiment-runs:search}; {@code token} replaces the query's page token when not null. */
  Map<String, Object> searchBody(String token) {
    Map<String, Object> body = new LinkedHashMap<>();
    putText(body, "filter", filter);
    if (!experimentIds.isEmpty()) {
      body.put("experiment_ids", List.copyOf(experimentIds));
    }
    putText(body, "order_by", orderBy);
    putText(body, "order", order);
    if (limit != null) {
      body.put("limit", limit);
    }
    putText(body, "page_token", token != null ? token : pageToken);
    if (includeLatestMetrics) {
      body.put("include", List.of("latest_metrics"));
    }
    if (includeArchived) {
      body.put("include_archived", true);
    }
    return body;
  }

  /** The query of a {@code GET} run listing; experiment ids are refused (the listing names its experiment). */
  Map<String, String> listQuery(String token) {
    if (!experimentIds.isEmpty()) {
      throw new IllegalArgumentException("experimentIds go with searchRuns; listRuns names one experiment");
    }
    return Transport.query("filter", filter, "order_by", orderBy, "order", order, "limit", limit,
        "page_token", token != null ? token : pageToken, "include", includeLatestMetrics ? "latest_metrics" : null,
        "include_archived", includeArchived ? "true" : null);
  }

  private static void putText(Map<String, Object> body, String key, String value) {
    if (value != null && !value.isEmpty()) {
      body.put(key, value);
    }
  }
}
