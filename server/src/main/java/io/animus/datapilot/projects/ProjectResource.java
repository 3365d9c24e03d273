package io.animus.datapilot.projects;

import io.animus.datapilot.http.Reply;
import io.animus.datapilot.http.Router;
import io.animus.datapilot.http.Router.Access;
import java.util.Map;

/** {@code GET /api/experiments/projects}: every project holding an experiment or a dataset. */
public final class ProjectResource {
  private final ProjectService service;

  public ProjectResource(ProjectService service) {
    this.service = service;
  }

  public void register(Router router) {
    router.get("/api/experiments/projects", Access.VIEWER, r -> Reply.ok(Map.of("projects", service.list())));
  }
}
