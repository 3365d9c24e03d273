package io.animus.datapilot;

import io.animus.datapilot.experiments.LatestMetrics;
import io.animus.datapilot.experiments.RunQueries;
import io.animus.datapilot.kernel.ApiException;
import io.animus.datapilot.kernel.ErrorCode;

/** The run filter language, wired to the features whose values it reads besides runs. */
final class SearchWiring {
  private SearchWiring() {}

  static RunQueries.RunFilters filters(LatestMetrics latest) {
    return filter -> {
      throw new ApiException(ErrorCode.INVALID_JSON, "filters are not supported yet");
    };
  }
}
