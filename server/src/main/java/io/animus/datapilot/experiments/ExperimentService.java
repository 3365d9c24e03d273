package io.animus.datapilot.experiments;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.animus.datapilot.common.Clock;
import io.animus.datapilot.kernel.Ids;
import io.animus.datapilot.common.ProjectScope;
import io.animus.datapilot.common.Redactor;
import io.animus.datapilot.kernel.ApiException;
import io.animus.datapilot.kernel.ErrorCode;
import io.animus.datapilot.kernel.Json;
import io.animus.datapilot.kernel.Page;
import io.animus.datapilot.kernel.PageToken;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.jdbi.v3.core.Jdbi;

/** Experiment use cases: create (name unique per project), get, list. */
public final class ExperimentService {
  private final Jdbi jdbi;
  private final ExperimentStore store;
  private final Clock clock;

  public ExperimentService(Jdbi jdbi, ExperimentStore store, Clock clock) {
    this.jdbi = jdbi;
    this.store = store;
    this.clock = clock;
  }

  public record CreateExperiment(String name, String description, ObjectNode metadata) {}

  public record ListExperiments(Optional<String> name, Optional<String> q, boolean includeArchived, int limit,
                                Optional<String> pageToken) {}

  public Experiment create(ProjectScope project, String actor, CreateExperiment request) {
    Experiment candidate = new Experiment(Ids.newId(), project.projectId(), request.name(), request.description(),
        Redactor.redact(request.metadata()), clock.now(), actor, null, null, null);
    return jdbi.inTransaction(h -> store.insert(h, candidate).orElseGet(() -> {
      UUID existing = store.findByName(h, project.projectId(), request.name())
          .map(Experiment::experimentId).orElse(null);
      throw new ApiException(ErrorCode.EXPERIMENT_NAME_EXISTS,
          "an experiment named " + Json.writeString(request.name()) + " already exists in project "
              + project.projectId(),
          existing == null ? Map.of() : Map.of("experiment_id", existing.toString()));
    }));
  }

  /** The experiment, or 404 when it is missing or belongs to a project the caller did not name. */
  public Experiment get(ProjectScope project, String rawId) {
    return Ids.parse(rawId)
        .flatMap(id -> jdbi.withHandle(h -> store.find(h, id)))
        .filter(e -> project.admits(e.projectId()))
        .orElseThrow(() -> ApiException.notFound("experiment"));
  }

  public Page<Experiment> list(ProjectScope project, ListExperiments request) {
    String name = request.name().orElse(null);
    String q = request.q().map(String::trim).filter(s -> !s.isEmpty()).orElse(null);
    String fingerprint = PageToken.fingerprint("experiments", project.projectId(), name, q,
        String.valueOf(request.includeArchived()));
    PageToken.After after = PageToken.after(request.pageToken(), fingerprint);
    if (hasNul(name) || hasNul(q)) {
      // no stored name holds U+0000 (inputs refuse it), and PostgreSQL cannot take it as a parameter
      return new Page<>(List.of(), Optional.empty());
    }
    return jdbi.withHandle(h -> {
      List<Experiment> rows = store.list(h, project.projectId(), name, q, request.includeArchived(), after.at(), after.id(),
          request.limit() + 1);
      Page<Experiment> page = Page.fromOverfetch(rows, request.limit(), fingerprint,
          e -> List.of(e.createdAt().toString(), e.experimentId().toString()));
      Map<UUID, ExperimentStore.RunSummary> summaries =
          store.runSummaries(h, page.items().stream().map(Experiment::experimentId).toList());
      return page.map(e -> {
        ExperimentStore.RunSummary s = summaries.get(e.experimentId());
        return s == null ? e.withRunSummary(0, null) : e.withRunSummary(s.runCount(), s.lastRunAt());
      });
    });
  }

  private static boolean hasNul(String text) {
    return text != null && text.indexOf('\0') >= 0;
  }
}
