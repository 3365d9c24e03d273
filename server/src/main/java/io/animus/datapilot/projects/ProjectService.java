package io.animus.datapilot.projects;

import io.animus.datapilot.common.ProjectTally;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.transaction.TransactionIsolationLevel;

/**
 * Read-only listing; projects exist once used, so there is nothing to create. A project is listed when it
 * holds an experiment or a dataset; its last activity is the newest experiment, dataset or run in it.
 */
public final class ProjectService {
  private final Jdbi jdbi;
  private final ProjectStore store;
  private final ProjectHoldings experiments;
  private final ProjectHoldings datasets;

  public ProjectService(Jdbi jdbi, ProjectStore store, ProjectHoldings experiments, ProjectHoldings datasets) {
    this.jdbi = jdbi;
    this.store = store;
    this.experiments = experiments;
    this.datasets = datasets;
  }

  /** One query per owning feature, in one snapshot, merged here. */
  public List<Project> list() {
    return jdbi.inTransaction(TransactionIsolationLevel.REPEATABLE_READ, this::listIn);
  }

  private List<Project> listIn(Handle h) {
    Map<String, Project> byId = new HashMap<>();
    for (ProjectTally t : experiments.perProject(h)) {
      byId.merge(t.projectId(), new Project(t.projectId(), t.count(), 0, t.lastActivityAt()), ProjectService::sum);
    }
    for (ProjectTally t : datasets.perProject(h)) {
      byId.merge(t.projectId(), new Project(t.projectId(), 0, t.count(), t.lastActivityAt()), ProjectService::sum);
    }
    byId.values().removeIf(p -> p.experimentCount() + p.datasetCount() == 0);
    List<Project> out = new ArrayList<>(byId.size());
    for (String id : store.inDatabaseOrder(h, byId.keySet())) {
      out.add(byId.get(id));
    }
    return out;
  }

  private static Project sum(Project a, Project b) {
    return new Project(a.projectId(), a.experimentCount() + b.experimentCount(),
        a.datasetCount() + b.datasetCount(), newest(a.lastActivityAt(), b.lastActivityAt()));
  }

  private static Instant newest(Instant a, Instant b) {
    if (a == null) {
      return b;
    }
    return b == null || a.isAfter(b) ? a : b;
  }
}
