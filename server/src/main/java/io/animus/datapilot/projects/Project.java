package io.animus.datapilot.projects;

import java.time.Instant;

/** A project and what it holds (projects exist once used). */
public record Project(String projectId, long experimentCount, long datasetCount, Instant lastActivityAt) {}
