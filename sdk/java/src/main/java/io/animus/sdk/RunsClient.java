package io.animus.sdk;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Curating runs (docs/protocol.md §3.4–§3.6): names, tags, notes and summary metrics ({@link #updateRun}), params
 * added later ({@link #addParams}), search ({@link #searchRuns}, {@link #listRuns}, {@link #searchAll}) and
 * archive, restore and delete of runs and experiments. Get one from {@link ExperimentsClient#runs()}; it shares
 * that client's gateway, token and project. Failures throw {@link AnimusApiException} with the server's code
 * ({@code run_name_exists}, {@code param_already_set}, {@code invalid_filter} with {@code details.position}...).
 *
 * <pre>{@code
 * RunsClient runs = ExperimentsClient.builder().build().runs();
 * runs.updateRun(runId, RunPatch.create().tag("stage", "prod"));
 * runs.searchAll(RunQuery.where("tags.stage = 'prod'").orderBy("metrics.accuracy"))
 *     .forEach(r -> System.out.println(r.name() + " " + r.metrics()));
 * }</pre>
 */
public final class RunsClient {
  private static final String PREFIX = "/api/experiments";

  private final Transport http;

  RunsClient(Transport http) {
    this.http = http;
  }

  // -- metadata ----------------------------------------------------------------------------------------

  /** {@code PATCH /experiment-runs/{id}}: renames, sets notes, sets or removes tags and summary metrics. */
  public Run updateRun(String runId, RunPatch patch) {
    return Run.fromJson(http.callJson("PATCH", runPath(runId), null, patch.body()));
  }

  /**
   * {@code POST /experiment-runs/{id}/params}: adds params (1–100 keys) to the run. A key already set to an equal
   * value is accepted; one set to another value is 409 {@code param_already_set} ({@code details.key},
   * {@code details.value}) and nothing is stored.
   */
  public Run addParams(String runId, Map<String, ?> params) {
    if (params == null || params.isEmpty()) {
      throw new IllegalArgumentException("params must name at least one key");
    }
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("params", params);
    return Run.fromJson(http.callJson("POST", runPath(runId) + "/params", null, body));
  }

  /** {@code POST /experiment-runs/{id}/status}: moves the run (finish it with {@code succeeded} or {@code failed}). */
  public Run setRunStatus(String runId, String status) {
    return Run.fromJson(http.callJson("POST", runPath(runId) + "/status", null, Requests.runStatus(status, null)));
  }

  // -- search ------------------------------------------------------------------------------------------

  /** {@code POST /experiment-runs:search}: one page of the runs that match {@code query}, in its order. */
  public Page<Run> searchRuns(RunQuery query) {
    return searchRuns(query, null);
  }

  private Page<Run> searchRuns(RunQuery query, String pageToken) {
    return Wire.page(http.callJson("POST", PREFIX + "/experiment-runs:search", null, query.searchBody(pageToken)),
        "runs", Run::fromJson);
  }

  /**
   * {@code GET /experiments/{id}/runs?filter=…} (or, with a null {@code experimentId}, {@code GET /experiment-runs}
   * over the project): one page of the runs that match {@code query}.
   */
  public Page<Run> listRuns(String experimentId, RunQuery query) {
    return listRuns(experimentId, query, null);
  }

  private Page<Run> listRuns(String experimentId, RunQuery query, String pageToken) {
    String path = experimentId == null ? PREFIX + "/experiment-runs"
        : PREFIX + "/experiments/" + Transport.segment(experimentId) + "/runs";
    return http.getPage(path, query.listQuery(pageToken), "runs", Run::fromJson);
  }

  /** Every run that matches {@code query}, page after page ({@link #searchRuns}), fetched lazily as it is read. */
  public Stream<Run> searchAll(RunQuery query) {
    return Page.all(token -> searchRuns(query, token));
  }

  /** Every run of {@link #listRuns(String, RunQuery)}, page after page, fetched lazily. */
  public Stream<Run> listAll(String experimentId, RunQuery query) {
    return Page.all(token -> listRuns(experimentId, query, token));
  }

  // -- archive, restore, delete ------------------------------------------------------------------------

  /** {@code POST /experiment-runs/{id}:archive}: hides the run from lists; it stays readable by id. */
  public Run archiveRun(String runId) {
    return Run.fromJson(http.callJson("POST", runPath(runId) + ":archive", null, null));
  }

  /** {@code POST /experiment-runs/{id}:restore}: shows an archived run in lists again. */
  public Run restoreRun(String runId) {
    return Run.fromJson(http.callJson("POST", runPath(runId) + ":restore", null, null));
  }

  /** {@code DELETE /experiment-runs/{id}}: the run is gone at once (a running one is canceled first). */
  public Deletion deleteRun(String runId) {
    return Deletion.fromJson(http.callJson("DELETE", runPath(runId), null, null));
  }

  /** {@code POST /experiments/{id}:archive}: hides the experiment and, from project-wide lists, its runs. */
  public Experiment archiveExperiment(String experimentId) {
    return Experiment.fromJson(http.callJson("POST", experimentPath(experimentId) + ":archive", null, null));
  }

  /** {@code POST /experiments/{id}:restore}. */
  public Experiment restoreExperiment(String experimentId) {
    return Experiment.fromJson(http.callJson("POST", experimentPath(experimentId) + ":restore", null, null));
  }

  /** {@code DELETE /experiments/{id}}: the experiment and all its runs. */
  public Deletion deleteExperiment(String experimentId) {
    return Deletion.fromJson(http.callJson("DELETE", experimentPath(experimentId), null, null));
  }

  /** {@code GET /api/deletions/{id}}: whether the background sweep of a deletion is done. */
  public Deletion getDeletion(String deletionId) {
    return getDeletion(http, deletionId);
  }

  static Deletion getDeletion(Transport http, String deletionId) {
    return http.get("/api/deletions/" + Transport.segment(deletionId), null, Deletion::fromJson);
  }

  private static String runPath(String runId) {
    return PREFIX + "/experiment-runs/" + Transport.segment(runId);
  }

  private static String experimentPath(String experimentId) {
    return PREFIX + "/experiments/" + Transport.segment(experimentId);
  }
}
