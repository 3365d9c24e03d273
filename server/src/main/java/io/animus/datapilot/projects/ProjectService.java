package io.animus.datapilot.projects;

import java.util.List;
import org.jdbi.v3.core.Jdbi;

/** Read-only listing; projects exist once used, so there is nothing to create. */
public final class ProjectService {
  private final Jdbi jdbi;
  private final ProjectStore store;

  public ProjectService(Jdbi jdbi, ProjectStore store) {
    this.jdbi = jdbi;
    this.store = store;
  }

  public List<Project> list() {
    return jdbi.withHandle(store::list);
  }
}
