package io.animus.datapilot.datasets;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.animus.datapilot.common.Clock;
import io.animus.datapilot.kernel.Ids;
import io.animus.datapilot.common.ProjectScope;
import io.animus.datapilot.kernel.ApiException;
import io.animus.datapilot.kernel.ErrorCode;
import io.animus.datapilot.kernel.Page;
import io.animus.datapilot.kernel.PageToken;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.jdbi.v3.core.Jdbi;

/** Appends and lists quality evaluations of dataset versions (docs/protocol.md §6.4). */
public final class QualityService {
  private static final Set<String> STATUSES = Set.of("pass", "fail", "error");
  private final Jdbi jdbi;
  private final DatasetService datasets;
  private final QualityStore store;
  private final Clock clock;

  public QualityService(Jdbi jdbi, DatasetService datasets, QualityStore store, Clock clock) {
    this.jdbi = jdbi;
    this.datasets = datasets;
    this.store = store;
    this.clock = clock;
  }

  public QualityEvaluation append(ProjectScope project, String actor, String rawVersionId, Optional<String> status,
                                  ObjectNode summary) {
    String wanted = status.map(s -> s.trim().toLowerCase(Locale.ROOT)).filter(s -> !s.isEmpty())
        .orElseThrow(() -> new ApiException(ErrorCode.STATUS_REQUIRED, "status is required"));
    if (!STATUSES.contains(wanted)) {
      throw new ApiException(ErrorCode.INVALID_STATUS, "status must be pass, fail or error");
    }
    DatasetVersion version = datasets.getVersion(project, rawVersionId);
    if (version.qualityRuleId() == null) {
      throw new ApiException(ErrorCode.QUALITY_RULE_NOT_SET, "the dataset version has no quality_rule_id",
          Map.of("version_id", version.versionId().toString()));
    }
    QualityEvaluation evaluation = new QualityEvaluation(Ids.newId(), version.versionId(), version.qualityRuleId(),
        wanted, summary, clock.now(), actor);
    jdbi.useTransaction(h -> store.insert(h, evaluation));
    return evaluation;
  }

  public Page<QualityEvaluation> list(ProjectScope project, String rawVersionId, int limit,
                                      Optional<String> pageToken) {
    DatasetVersion version = datasets.getVersion(project, rawVersionId);
    String fingerprint = PageToken.fingerprint("quality_evaluations", version.versionId().toString());
    PageToken.After after = PageToken.after(pageToken, fingerprint);
    List<QualityEvaluation> rows = jdbi.withHandle(h -> store.list(h, version.versionId(), after.at(), after.id(),
        limit + 1));
    return Page.fromOverfetch(rows, limit, fingerprint, e -> List.of(e.evaluatedAt().toString(),
        e.evaluationId().toString()));
  }
}
