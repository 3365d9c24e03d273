package io.animus.datapilot.projects;

import io.animus.datapilot.common.ProjectTally;
import java.util.List;
import org.jdbi.v3.core.Handle;

/**
 * What a feature owning project-scoped tables tells the project listing: one tally per project, read in
 * ONE query of its own Store in the caller's transaction. {@code App} implements it over the experiments
 * and datasets Stores, so this feature names none of their tables.
 */
@FunctionalInterface
public interface ProjectHoldings {
  List<ProjectTally> perProject(Handle h);
}
