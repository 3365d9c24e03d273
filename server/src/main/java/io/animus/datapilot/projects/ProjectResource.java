package io.animus.datapilot.projects;

import io.animus.datapilot.http.Reply;
import io.animus.datapilot.http.Router;
import java.util.Map;

/** {@code GET /api/experiments/projects}: every project holding an experiment or a dataset. */
public final class ProjectResource {
  private final ProjectService service;

  public ProjectResource(ProjectService service) {
    this.service = service;
  }

  /** This resource's handler; the route table ({@code ApiRoutes}) says where and for whom. */
  public Router.Handler list() {
    return r -> Reply.ok(Map.of("projects", service.list()));
  }

}
