package io.animus.datapilot.experiments;

import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.animus.datapilot.common.Clock;
import io.animus.datapilot.kernel.Ids;
import io.animus.datapilot.common.ProjectScope;
import io.animus.datapilot.datasets.DatasetVersionLookup;
import io.animus.datapilot.datasets.QualityGate;
import io.animus.datapilot.kernel.ApiException;
import io.animus.datapilot.kernel.ErrorCode;
import io.animus.datapilot.kernel.Json;
import io.animus.datapilot.kernel.Page;
import io.animus.datapilot.kernel.PageToken;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

/** Run use cases: create, get, list (per experiment and per project), state history. */
public final class RunService {
  private final Jdbi jdbi;
  private final RunStore runs;
  private final ExperimentStore experiments;
  private final Clock clock;
  private final Duration staleAfter;
  private final QualityGate qualityGate;
  private final DatasetVersionLookup datasetVersions;
  private final LatestMetrics metricValues;
  private final RunStore.SortKey metricSortKey;

  /**
   * {@code qualityGate} and {@code datasetVersions} are the datasets feature's, {@code latestMetrics}
   * telemetry's: runs read those tables only through them.
   */
  public RunService(Jdbi jdbi, RunStore runs, ExperimentStore experiments, Clock clock, Duration staleAfter,
                    QualityGate qualityGate, DatasetVersionLookup datasetVersions, LatestMetrics latestMetrics) {
    this.jdbi = jdbi;
    this.runs = runs;
    this.experiments = experiments;
    this.clock = clock;
    this.staleAfter = staleAfter;
    this.qualityGate = qualityGate;
    this.datasetVersions = datasetVersions;
    this.metricValues = latestMetrics;
    this.metricSortKey = latestMetrics.latestValueOfKey().map(RunStore.SortKey::sql)
        .orElse(null);
  }

  /** A validated create-run request (docs/protocol.md §3.2). */
  public record CreateRun(RunStatus status, Optional<String> datasetVersionId, Optional<Instant> startedAt,
                          Optional<Instant> endedAt, Optional<String> gitRepo, Optional<String> gitCommit,
                          Optional<String> gitRef, ObjectNode params, ObjectNode metrics,
                          Optional<String> artifactsPrefix) {}

  /** How a run list is ordered: by start time, or by a param's or metric's value. */
  public record Ordering(String kind, String key, boolean ascending) {
    public static Ordering parse(Optional<String> orderBy, Optional<String> order) {
      boolean ascending = switch (order.map(String::trim).orElse("desc")) {
        case "desc", "" -> false;
        case "asc" -> true;
        default -> throw new ApiException(ErrorCode.INVALID_ORDER_BY, "order must be asc or desc");
      };
      String by = orderBy.map(String::trim).orElse("started_at");
      if (by.isEmpty() || by.equals("started_at")) {
        return new Ordering("started_at", null, ascending);
      }
      for (String kind : List.of("param", "metric")) {
        String prefix = kind + ":";
        // a key holding U+0000 cannot be stored, so it names nothing to order by
        if (by.startsWith(prefix) && by.length() > prefix.length() && by.indexOf('\0') < 0) {
          return new Ordering(kind, by.substring(prefix.length()), ascending);
        }
      }
      throw new ApiException(ErrorCode.INVALID_ORDER_BY,
          "order_by must be started_at, metric:<name> or param:<name>");
    }
  }

  public Run create(ProjectScope project, String actor, String rawExperimentId, CreateRun request) {
    Instant now = clock.now();
    Instant startedAt = request.startedAt().orElse(now);
    request.endedAt().ifPresent(ended -> {
      if (ended.isBefore(startedAt)) {
        throw new ApiException(ErrorCode.ENDED_BEFORE_STARTED, "ended_at is before started_at");
      }
    });
    UUID runId = Ids.newId();
    UUID experimentId = Ids.parse(rawExperimentId).orElseThrow(() -> ApiException.notFound("experiment"));
    String projectFilter = project.explicit() ? project.projectId() : null;
    return jdbi.inTransaction(h -> {
      // With a dataset version the experiment is read first (its project decides which versions it
      // may use); otherwise the insert itself checks the experiment, saving a round trip.
      UUID datasetVersion = null;
      if (request.datasetVersionId().isPresent()) {
        Experiment experiment = experiments.find(h, experimentId).filter(e -> project.admits(e.projectId()))
            .orElseThrow(() -> ApiException.notFound("experiment"));
        datasetVersion = checkDatasetVersion(h, experiment, request.datasetVersionId().get());
      }
      ObjectNode details = Json.object().put("actor", actor);
      Run run = new Run(runId, experimentId, null, datasetVersion, request.status().wire(), startedAt,
          request.endedAt().orElse(null), request.gitRepo().orElse(null), request.gitCommit().orElse(null),
          request.gitRef().orElse(null), request.params(), request.metrics(), request.artifactsPrefix().orElse(null),
          null, null, false, null, null, null, now);
      RunStatusChange first = new RunStatusChange(Ids.newId(), runId, request.status().wire(), now, details);
      String runProject = runs.insert(h, run, first, request.status().terminal() ? now : null, projectFilter)
          .orElseThrow(() -> ApiException.notFound("experiment"));
      Run stored = run.withProject(runProject);
      Run answered = request.status().terminal() && stored.endedAt() == null ? stored.withEndedAt(now) : stored;
      return withStaleness(answered, now);
    });
  }

  private UUID checkDatasetVersion(Handle h, Experiment experiment, String raw) {
    UUID id = Ids.parse(raw)
        .filter(v -> datasetVersions.projectOf(h, v).filter(experiment.projectId()::equals).isPresent())
        .orElseThrow(() -> ApiException.notFound("dataset version"));
    qualityGate.require(h, id);
    return id;
  }

  public Run get(ProjectScope project, String rawRunId) {
    return withStaleness(findVisible(project, rawRunId), clock.now());
  }

  public List<RunStatusChange> states(ProjectScope project, String rawRunId) {
    Run run = findVisible(project, rawRunId);
    return jdbi.withHandle(h -> runs.states(h, run.runId()));
  }

  private Run findVisible(ProjectScope project, String rawRunId) {
    return Ids.parse(rawRunId)
        .flatMap(id -> jdbi.withHandle(h -> runs.find(h, id)))
        .filter(r -> project.admits(r.projectId()))
        .orElseThrow(() -> ApiException.notFound("run"));
  }

  public Page<Run> listForExperiment(ProjectScope project, String rawExperimentId, Optional<String> status,
                                     Ordering ordering, int limit, Optional<String> pageToken,
                                     boolean latestMetrics) {
    String statusFilter = parseStatusFilter(status);
    return jdbi.withHandle(h -> {
      Experiment experiment = Ids.parse(rawExperimentId).flatMap(id -> experiments.find(h, id))
          .filter(e -> project.admits(e.projectId()))
          .orElseThrow(() -> ApiException.notFound("experiment"));
      var filter = new RunStore.RunFilter(experiment.experimentId(), null, statusFilter, false);
      return list(h, filter, ordering, limit, pageToken, latestMetrics);
    });
  }

  public Page<Run> listForProject(ProjectScope project, Optional<String> status, boolean activeOnly, int limit,
                                  Optional<String> pageToken) {
    var filter = new RunStore.RunFilter(null, project.projectId(), parseStatusFilter(status), activeOnly);
    return jdbi.withHandle(h -> list(h, filter, new Ordering("started_at", null, false), limit, pageToken,
        false));
  }

  private Page<Run> list(Handle h, RunStore.RunFilter filter, Ordering ordering, int limit,
                         Optional<String> pageToken, boolean latestMetrics) {
    Instant now = clock.now();
    String fingerprint = PageToken.fingerprint("runs", String.valueOf(filter.experimentId()),
        filter.projectId(), filter.status(), String.valueOf(filter.activeOnly()), ordering.kind(), ordering.key(),
        String.valueOf(ordering.ascending()));
    Optional<PageToken.Cursor> cursor = PageToken.decode(pageToken, fingerprint, 2);
    UUID afterId = cursor.map(c -> c.uuid(1)).orElse(null);
    Page<Run> page;
    if (ordering.kind().equals("started_at")) {
      Instant afterStart = cursor.map(c -> c.instant(0)).orElse(null);
      List<Run> rows = runs.listByStart(h, filter, ordering.ascending(), afterStart, afterId, limit + 1);
      page = Page.fromOverfetch(rows, limit, fingerprint, r -> List.of(r.startedAt().toString(), r.runId().toString()));
    } else {
      boolean byParam = ordering.kind().equals("param");
      RunStore.SortKey key = byParam ? RunStore.SortKey.PARAM
          : metricSortKey != null ? metricSortKey
          // the points live in another database: their latest values come from there
          : RunStore.SortKey.given(metricValues.valuesOf(ordering.key(), runs.ids(h, filter)));
      List<RunStore.Sorted> rows = runs.listByValue(h, filter, key, ordering.key(), ordering.ascending(),
          cursor.map(c -> c.text(0)).map(v -> byParam ? jsonCursorValue(v) : floatCursorValue(v)).orElse(null),
          afterId, limit + 1);
      page = Page.fromOverfetch(rows, limit, fingerprint,
          s -> java.util.Arrays.asList(s.sortValue(), s.run().runId().toString())).map(RunStore.Sorted::run);
    }
    Map<UUID, Map<String, Double>> latest = latestMetrics
        ? metricValues.latestByRun(h, page.items().stream().map(Run::runId).toList()) : Map.of();
    return page.map(r -> {
      Run shown = withStaleness(r, now);
      return latestMetrics ? shown.withLatestMetrics(latest.getOrDefault(r.runId(), Map.of())) : shown;
    });
  }

  /** A param cursor holds the JSON text of a stored value; anything else is a forged token. */
  private static String jsonCursorValue(String text) {
    try {
      JsonNode value = Json.mapper().reader().without(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS).readTree(text);
      if (value != null && !value.isMissingNode() && Json.unstorable(value).isEmpty()) {
        return text;
      }
    } catch (java.io.IOException | NumberFormatException e) {
      // answered below
    }
    throw new ApiException(ErrorCode.INVALID_PAGE_TOKEN, "page_token is malformed");
  }

  /** A metric cursor holds a float8 as PostgreSQL writes it (NaN and ±Infinity included). */
  private static String floatCursorValue(String text) {
    try {
      Double.parseDouble(text);
      return text;
    } catch (NumberFormatException e) {
      throw new ApiException(ErrorCode.INVALID_PAGE_TOKEN, "page_token is malformed");
    }
  }

  private static String parseStatusFilter(Optional<String> status) {
    return status.map(String::trim).filter(s -> !s.isEmpty())
        .map(s -> RunStatus.find(s).orElseThrow(() -> new ApiException(ErrorCode.INVALID_STATUS,
            "status must be one of pending, running, succeeded, failed, canceled")).wire())
        .orElse(null);
  }

  /** Sets {@code stale}, the one field derived at read time (a running run not seen for a while). */
  private Run withStaleness(Run run, Instant now) {
    // A run is "seen" at creation at the latest, even when it was created with an old started_at.
    Instant seen = run.lastSeenAt() != null ? run.lastSeenAt() : run.createdAt();
    return run.withStale(RunStatus.RUNNING.wire().equals(run.status()) && seen.plus(staleAfter).isBefore(now));
  }
}
