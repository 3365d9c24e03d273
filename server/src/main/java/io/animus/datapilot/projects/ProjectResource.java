package io.animus.datapilot.projects;

import io.animus.datapilot.http.Reply;
import io.animus.datapilot.http.Router;
import io.animus.datapilot.http.Router.Access;
import io.animus.datapilot.storage.Rows;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

/** {@code GET /api/experiments/projects}: every project holding an experiment or a dataset. */
public final class ProjectResource {
  private final ProjectService service;

  public ProjectResource(ProjectService service) {
    this.service = service;
  }

  public void register(Router router) {
    router.get("/api/experiments/projects", Access.VIEWER, r -> Reply.ok(Map.of("projects", service.list())));
  }

  /** A project and what it holds. */
  public record Project(String projectId, long experimentCount, long datasetCount, Instant lastActivityAt) {}

  /** Read-only listing; projects exist once used, so there is nothing to create. */
  public static final class ProjectService {
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

  /** Aggregates over experiments, datasets and runs. */
  public static final class ProjectStore {
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
}
