package io.animus.datapilot.experiments;

import io.animus.datapilot.common.ProjectScope;
import io.animus.datapilot.kernel.ApiException;
import io.animus.datapilot.kernel.Ids;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.jdbi.v3.core.Jdbi;

/**
 * Resolves a path's run id to an existing run visible to the request (404 otherwise), for every
 * feature that writes or reads under a run. Runs never change project, so the project of a run is
 * cached; a deleted run is forgotten ({@link #forget}).
 */
public final class RunLookup {
  private static final int MAX_CACHED = 100_000;
  private final Jdbi jdbi;
  private final RunStore runs;
  private final Map<UUID, String> projectOfRun = new ConcurrentHashMap<>();

  public RunLookup(Jdbi jdbi, RunStore runs) {
    this.jdbi = jdbi;
    this.runs = runs;
  }

  public UUID require(ProjectScope project, String rawRunId) {
    UUID id = Ids.parse(rawRunId).orElseThrow(() -> ApiException.notFound("run"));
    String owner = projectOfRun.get(id);
    if (owner == null) {
      owner = jdbi.withHandle(h -> runs.projectOf(h, id))
          .orElseThrow(() -> ApiException.notFound("run"));
      if (projectOfRun.size() >= MAX_CACHED) {
        projectOfRun.clear();
      }
      projectOfRun.put(id, owner);
    }
    if (!project.admits(owner)) {
      throw ApiException.notFound("run");
    }
    return id;
  }

  /** Drops deleted runs from the cache, so that they are 404 from now on. */
  public void forget(java.util.Collection<UUID> runIds) {
    runIds.forEach(projectOfRun::remove);
  }
}
