package io.animus.datapilot.experiments;

import io.animus.datapilot.kernel.ApiException;
import io.animus.datapilot.kernel.ErrorCode;
import io.animus.datapilot.kernel.Json;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import org.jdbi.v3.core.Handle;

/**
 * Readable names for runs created without one: {@code <adjective>-<noun>-<n>}, as in
 * {@code brisk-river-7}. 64 × 64 words and a number below 1,000 give about four million names; a
 * name already taken in the experiment is simply drawn again.
 */
public final class RunNames {
  private static final List<String> ADJECTIVES = List.of("able", "amber", "ancient", "autumn", "bold", "brave",
      "brisk", "calm", "clever", "cool", "crimson", "curious", "dapper", "daring", "deep", "dusty", "eager", "early",
      "easy", "fancy", "fast", "fierce", "floral", "fresh", "gentle", "gilded", "glad", "golden", "grand", "green",
      "happy", "hidden", "honest", "humble", "icy", "jolly", "keen", "kind", "lively", "lucky", "lunar", "mellow",
      "misty", "modest", "noble", "odd", "patient", "polar", "proud", "quick", "quiet", "rapid", "royal", "rustic",
      "shiny", "silent", "silver", "smooth", "solar", "steady", "sunny", "swift", "vivid", "witty");
  private static final List<String> NOUNS = List.of("acorn", "anchor", "arrow", "aurora", "badger", "bay",
      "beacon", "birch", "breeze", "brook", "canyon", "cedar", "cloud", "comet", "coral", "cosmos", "crane", "creek",
      "dawn", "delta", "dune", "eagle", "ember", "falcon", "fern", "field", "fjord", "flame", "forest", "fox",
      "galaxy", "glade", "glacier", "harbor", "hawk", "heron", "hill", "island", "lake", "lark", "leaf", "lotus",
      "maple", "meadow", "mesa", "moon", "moss", "nebula", "oak", "ocean", "orbit", "otter", "pebble", "pine",
      "planet", "prairie", "quartz", "rain", "reef", "river", "sky", "snow", "star", "valley");

  private RunNames() {}

  public static String draw() {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    return ADJECTIVES.get(random.nextInt(ADJECTIVES.size())) + "-" + NOUNS.get(random.nextInt(NOUNS.size())) + "-"
        + (1 + random.nextInt(999));
  }

  /**
   * Inserts a new run (see {@link RunStore#insert}): under its own name, else under a drawn one,
   * drawn again while taken. The stored run with its project; empty when the experiment is missing;
   * 409 {@code run_name_exists} when the given name is taken.
   */
  public static Optional<Run> insert(RunStore runs, Handle h, Run run, RunStatusChange first, Instant terminalAt,
                                     String projectFilter) {
    boolean drawn = run.name() == null;
    for (int attempt = 0; ; attempt++) {
      Run named = drawn ? run.withName(attempt < 8 ? draw() : draw() + "-" + run.runId().toString().substring(0, 8))
          : run;
      Optional<String> project = runs.insert(h, named, first, terminalAt, projectFilter);
      if (project.isPresent()) {
        return Optional.of(named.withProject(project.get()));
      }
      Optional<UUID> holder = runs.nameHolder(h, run.experimentId(), named.name());
      if (holder.isEmpty()) {
        return Optional.empty();
      }
      if (!drawn || attempt >= 16) {
        throw taken(named.name(), holder.get());
      }
    }
  }

  static ApiException taken(String name, UUID holder) {
    return new ApiException(ErrorCode.RUN_NAME_EXISTS, "a run named " + Json.writeString(name)
        + " already exists in this experiment", Map.of("run_id", holder.toString()));
  }
}
