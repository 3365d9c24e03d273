package io.animus.datapilot.cli;

import java.util.Map;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** What creating a named resource (an experiment, a dataset) takes: a name, a description and metadata. */
final class CreateOptions {
  @Parameters(paramLabel = "NAME", description = "unique in the project")
  String name;
  @Option(names = "--description", defaultValue = "", description = "free text")
  String description;
  @Option(names = "--metadata", paramLabel = "JSON", description = "a JSON object")
  String metadata;

  Map<String, Object> metadataObject() {
    return Args.object(metadata, "--metadata");
  }
}
