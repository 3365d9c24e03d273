package io.animus.datapilot;

import io.animus.datapilot.execution.ExecutionStore;
import io.animus.datapilot.experiments.LatestMetrics;
import io.animus.datapilot.experiments.RunQueries;
import io.animus.datapilot.experiments.RunSearchStore;
import io.animus.datapilot.experiments.search.Filter;
import io.animus.datapilot.experiments.search.FilterParser;
import io.animus.datapilot.experiments.search.SqlCompiler;
import java.util.Map;
import java.util.UUID;
import org.jdbi.v3.core.Jdbi;

/** The run filter language, wired to the features whose values it reads besides runs. */
final class SearchWiring {
  private SearchWiring() {}

  static RunQueries.RunFilters filters(LatestMetrics latest, Jdbi metadata) {
    ExecutionStore executions = new ExecutionStore();
    SqlCompiler.ForeignValues foreign = new SqlCompiler.ForeignValues() {
      @Override
      public Map<UUID, Double> latestMetric(String name) {
        return latest.valuesOfName(name);
      }

      @Override
      public Map<UUID, String> imageDigests() {
        return metadata.withHandle(executions::imageDigests);
      }
    };
    return text -> {
      Filter filter = FilterParser.parse(text);
      SqlCompiler.Compiled compiled = SqlCompiler.compile(filter, foreign);
      return new RunQueries.RunFilters.Compiled(new RunSearchStore.Where(compiled.sql(), compiled.binder()),
          Filter.mentionsArchived(filter));
    };
  }
}
