package io.animus.datapilot.projects;

import java.util.Collection;
import java.util.List;
import org.jdbi.v3.core.Handle;

/** Projects have no table of their own; this only orders project ids as the database collates them. */
public final class ProjectStore {
  /**
   * The ids in the database's own text order, the order the listing has always had (a Java sort would
   * differ from a non-C collation).
   */
  public List<String> inDatabaseOrder(Handle h, Collection<String> projectIds) {
    if (projectIds.isEmpty()) {
      return List.of();
    }
    return h.createQuery("""
            SELECT project_id FROM unnest(:ids) AS ids(project_id) ORDER BY project_id
            """)
        .bindArray("ids", String.class, projectIds)
        .mapTo(String.class)
        .list();
  }
}
