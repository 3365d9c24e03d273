package io.animus.datapilot.experiments;

import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import io.animus.datapilot.common.Clock;
import io.animus.datapilot.common.ProjectScope;
import io.animus.datapilot.kernel.ApiException;
import io.animus.datapilot.kernel.ErrorCode;
import io.animus.datapilot.kernel.Ids;
import io.animus.datapilot.kernel.Json;
import io.animus.datapilot.kernel.Page;
import io.animus.datapilot.kernel.PageToken;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

/** Run lists and searches (docs/protocol.md §3.3, §3.5): one experiment, several, or a whole project. */
public final class RunQueries {
  /** The numeric summary value of metric {@code :key} of run {@code r}, null when it has none. */
  private static final String SUMMARY_METRIC = "(SELECT v.num FROM run_values v WHERE v.run_id = r.run_id "
      + "AND v.kind = 'm' AND v.key = :key AND v.type = 'n')";

  /** Turns filter text into SQL with binds; a blank filter admits every run. */
  public interface RunFilters {
    Compiled compile(String filter);

    /** A compiled filter, and whether it speaks of {@code archived} itself (then archived runs are not hidden). */
    record Compiled(RunSearchStore.Where where, boolean decidesArchived) {}
  }

  /** A list or search request, validated except for the filter text. */
  public record RunQuery(List<String> experimentIds, Optional<String> filter, Optional<String> status,
                         boolean activeOnly, RunOrder order, int limit, Optional<String> pageToken,
                         boolean latestMetrics, boolean includeArchived) {}

  private final Jdbi jdbi;
  private final RunSearchStore store;
  private final ExperimentStore experiments;
  private final LatestMetrics metricValues;
  private final RunFilters filters;
  private final Clock clock;
  private final Duration staleAfter;
  private final String latestValueSql;

  public RunQueries(Jdbi jdbi, RunSearchStore store, ExperimentStore experiments, LatestMetrics latestMetrics,
                    RunFilters filters, Clock clock, Duration staleAfter) {
    this.jdbi = jdbi;
    this.store = store;
    this.experiments = experiments;
    this.metricValues = latestMetrics;
    this.filters = filters;
    this.clock = clock;
    this.staleAfter = staleAfter;
    this.latestValueSql = latestMetrics.latestValueOfKey().orElse(null);
  }

  /** The runs of one experiment; 404 when it does not exist (or is in another project than the one named). */
  public Page<Run> listForExperiment(ProjectScope project, String rawExperimentId, RunQuery query) {
    return jdbi.withHandle(h -> {
      Experiment experiment = findExperiment(h, project, rawExperimentId);
      return list(h, List.of(experiment.experimentId()), null, query);
    });
  }

  /** The runs of the request's project, or of the experiments the query names (each must be visible). */
  public Page<Run> listForProject(ProjectScope project, RunQuery query) {
    return jdbi.withHandle(h -> {
      List<UUID> ids = new ArrayList<>();
      for (String raw : query.experimentIds()) {
        ids.add(findExperiment(h, project, raw).experimentId());
      }
      return list(h, ids.isEmpty() ? null : ids, ids.isEmpty() ? project.projectId() : null, query);
    });
  }

  private Experiment findExperiment(Handle h, ProjectScope project, String raw) {
    return Ids.parse(raw).flatMap(id -> experiments.find(h, id))
        .filter(e -> project.admits(e.projectId()))
        .orElseThrow(() -> ApiException.notFound("experiment"));
  }

  private Page<Run> list(Handle h, List<UUID> experimentIds, String projectId, RunQuery q) {
    Instant now = clock.now();
    String status = parseStatusFilter(q.status());
    String filterText = q.filter().map(String::trim).orElse("");
    RunFilters.Compiled compiled = filterText.isEmpty()
        ? new RunFilters.Compiled(RunSearchStore.Where.ALL, false) : filters.compile(filterText);
    var scope = new RunSearchStore.Scope(experimentIds, projectId, status, q.activeOnly(),
        q.includeArchived() || compiled.decidesArchived());
    RunOrder order = q.order();
    String fingerprint = PageToken.fingerprint("runs", String.valueOf(experimentIds), projectId, status,
        String.valueOf(q.activeOnly()), String.valueOf(scope.includeArchived()), filterText, order.field().name(),
        order.key(), String.valueOf(order.ascending()));
    Optional<PageToken.Cursor> cursor = PageToken.decode(q.pageToken(), fingerprint, 2);
    UUID afterId = cursor.map(c -> c.uuid(1)).orElse(null);
    RunSearchStore.Where where = compiled.where();
    Page<Run> page;
    if (order.field() == RunOrder.Field.STARTED_AT) {
      Instant afterStart = cursor.map(c -> c.instant(0)).orElse(null);
      List<Run> rows = store.listByStart(h, scope, where, order.ascending(), afterStart, afterId, q.limit() + 1);
      page = Page.fromOverfetch(rows, q.limit(), fingerprint,
          r -> List.of(r.startedAt().toString(), r.runId().toString()));
    } else {
      RunSearchStore.SortKey key = sortKey(h, order, scope, where);
      String afterValue = cursor.map(c -> c.text(0)).map(v -> cursorValue(key.type(), v)).orElse(null);
      List<RunSearchStore.Sorted> rows = store.listByValue(h, scope, where, key, order.key(), order.ascending(),
          afterValue, afterId, q.limit() + 1);
      page = Page.fromOverfetch(rows, q.limit(), fingerprint,
          s -> Arrays.asList(s.sortValue(), s.run().runId().toString())).map(RunSearchStore.Sorted::run);
    }
    Map<UUID, Map<String, Double>> latest = q.latestMetrics()
        ? metricValues.latestByRun(h, page.items().stream().map(Run::runId).toList()) : Map.of();
    return page.map(r -> {
      Run shown = RunService.withStaleness(r, now, staleAfter);
      return q.latestMetrics() ? shown.withLatestMetrics(latest.getOrDefault(r.runId(), Map.of())) : shown;
    });
  }

  private RunSearchStore.SortKey sortKey(Handle h, RunOrder order, RunSearchStore.Scope scope,
                                         RunSearchStore.Where where) {
    return switch (order.field()) {
      case METRIC -> latestValueSql != null
          ? RunSearchStore.SortKey.of("COALESCE(" + SUMMARY_METRIC + ", " + latestValueSql + ")", "float8")
          // the points live in another database: their latest values come from there
          : RunSearchStore.SortKey.given(SUMMARY_METRIC,
              metricValues.valuesOf(order.key(), store.ids(h, scope, where)));
      case PARAM -> RunSearchStore.SortKey.of("NULLIF(r.params::jsonb -> :key, 'null'::jsonb)", "jsonb");
      case TAG -> RunSearchStore.SortKey.of("(r.tags::jsonb ->> :key)", "text");
      case NAME -> RunSearchStore.SortKey.of("r.name", "text");
      case STATUS -> RunSearchStore.SortKey.of("r.status", "text");
      case CREATED_BY -> RunSearchStore.SortKey.of("r.created_by", "text");
      case ENDED_AT -> RunSearchStore.SortKey.of(
          "CAST(EXTRACT(EPOCH FROM COALESCE(r.ended_at, r.terminal_at)) AS float8)", "float8");
      case DURATION -> RunSearchStore.SortKey.of(
          "CAST(EXTRACT(EPOCH FROM COALESCE(r.ended_at, r.terminal_at) - r.started_at) AS float8)", "float8");
      case STARTED_AT -> throw new IllegalStateException("start time is listed by listByStart");
    };
  }

  /** A cursor's value as its sort type reads it; anything else is a forged token (never a database error). */
  private static String cursorValue(String type, String text) {
    try {
      switch (type) {
        case "float8" -> {
          // as PostgreSQL writes a float8: NaN and ±Infinity by name, any other text a finite number
          double value = Double.parseDouble(text);
          boolean named = text.equals("NaN") || text.equals("Infinity") || text.equals("-Infinity");
          if (Double.isFinite(value) == named) {
            throw new NumberFormatException();
          }
        }
        case "jsonb" -> {
          JsonNode value = Json.mapper().reader().without(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS).readTree(text);
          if (value == null || value.isMissingNode() || Json.unstorable(value).isPresent()) {
            throw new NumberFormatException();
          }
        }
        default -> {
          if (Json.unstorableText(text).isPresent()) {
            throw new NumberFormatException();
          }
        }
      }
      return text;
    } catch (java.io.IOException | NumberFormatException e) {
      throw new ApiException(ErrorCode.INVALID_PAGE_TOKEN, "page_token is malformed");
    }
  }

  static String parseStatusFilter(Optional<String> status) {
    return status.map(String::trim).filter(s -> !s.isEmpty())
        .map(s -> RunStatus.find(s).orElseThrow(() -> new ApiException(ErrorCode.INVALID_STATUS,
            "status must be one of pending, running, succeeded, failed, canceled")).wire())
        .orElse(null);
  }
}
