package io.animus.datapilot.datasets;

import io.animus.datapilot.kernel.ApiException;
import io.animus.datapilot.kernel.ErrorCode;
import java.util.Map;
import java.util.UUID;
import org.jdbi.v3.core.Handle;

/**
 * The optional quality gate of docs/protocol.md §6.4, one check used by version download, run creation
 * and execution: the version must name a rule, have an evaluation for it, and the newest must be
 * {@code pass}. Does nothing unless {@code DATAPILOT_REQUIRE_QUALITY_GATE=true}.
 */
public final class QualityGate {
  private final boolean enabled;
  private final DatasetStore versions;
  private final QualityStore evaluations;

  public QualityGate(boolean enabled, DatasetStore versions, QualityStore evaluations) {
    this.enabled = enabled;
    this.versions = versions;
    this.evaluations = evaluations;
  }

  public static QualityGate disabled() {
    return new QualityGate(false, new DatasetStore(), new QualityStore());
  }

  public boolean enabled() {
    return enabled;
  }

  /** Throws a 409 quality code unless the gate is off or the version passed its rule. */
  public void require(Handle h, UUID versionId) {
    if (!enabled) {
      return;
    }
    String rule = versions.findVersion(h, versionId)
        .orElseThrow(() -> ApiException.notFound("dataset version"))
        .qualityRuleId();
    if (rule == null) {
      throw new ApiException(ErrorCode.QUALITY_RULE_NOT_SET, "the dataset version has no quality_rule_id",
          Map.of("version_id", versionId.toString()));
    }
    QualityEvaluation newest = evaluations.newest(h, versionId, rule).orElseThrow(() -> new ApiException(
        ErrorCode.QUALITY_NOT_EVALUATED, "the dataset version has not been evaluated against rule " + rule,
        Map.of("version_id", versionId.toString(), "rule_id", rule)));
    if (!newest.status().equals("pass")) {
      throw new ApiException(ErrorCode.QUALITY_GATE_FAILED, "the newest quality evaluation of the dataset version is "
          + newest.status(), Map.of("version_id", versionId.toString(), "rule_id", rule,
          "evaluation_id", newest.evaluationId().toString(), "status", newest.status()));
    }
  }
}
