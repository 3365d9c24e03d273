package io.animus.datapilot.projects;

import io.animus.datapilot.storage.Rows;
import java.util.List;
import org.jdbi.v3.core.Handle;

/** Aggregates over experiments, datasets and runs. */
public final class ProjectStore {
  public List<Project> list(Handle h) {
    return h.createQuery("""
            SELECT project_id, sum(experiments) AS experiment_count, sum(datasets) AS dataset_count,
                   max(last_at) AS last_activity_at
            FROM (SELECT project_id, count(*) AS experiments, 0 AS datasets, max(created_at) AS last_at
                  FROM experiments GROUP BY project_id
                  UNION ALL
                  SELECT project_id, 0, count(*), max(created_at) FROM datasets GROUP BY project_id
                  UNION ALL
                  SELECT project_id, 0, 0, max(created_at) FROM runs GROUP BY project_id) AS activity
            GROUP BY project_id
            HAVING sum(experiments) + sum(datasets) > 0
            ORDER BY project_id
            """)
        .map((rs, ctx) -> new Project(rs.getString("project_id"), rs.getLong("experiment_count"),
            rs.getLong("dataset_count"), Rows.instant(rs, "last_activity_at")))
        .list();
  }
}
