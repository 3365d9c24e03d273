package io.animus.datapilot.execution;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A run's {@code resources} (docs/protocol.md §8.2) as numbers an executor can apply: whole GPUs, CPU
 * cores and memory in bytes. Values were checked when the request was read; what cannot be read
 * here is left out.
 */
record JobResources(Optional<Integer> gpus, Optional<BigDecimal> cpu, Optional<Long> memoryBytes) {
  private static final Pattern QUANTITY = Pattern.compile("(\\d+(?:\\.\\d+)?)(Ki|Mi|Gi|Ti|Pi|Ei|[kKMGTPEmgtpe])?");
  /**
   * Binary suffixes (and Docker's lower-case {@code k}, {@code m}, {@code g}, …, so that {@code 512m}
   * is 512 MiB as on {@code docker run}) and Kubernetes' decimal upper-case ones.
   */
  private static final Map<String, BigDecimal> UNITS = Map.ofEntries(
      Map.entry("Ki", pow(1024, 1)), Map.entry("Mi", pow(1024, 2)), Map.entry("Gi", pow(1024, 3)),
      Map.entry("Ti", pow(1024, 4)), Map.entry("Pi", pow(1024, 5)), Map.entry("Ei", pow(1024, 6)),
      Map.entry("k", pow(1024, 1)), Map.entry("m", pow(1024, 2)), Map.entry("g", pow(1024, 3)),
      Map.entry("t", pow(1024, 4)), Map.entry("p", pow(1024, 5)), Map.entry("e", pow(1024, 6)),
      Map.entry("K", pow(1000, 1)), Map.entry("M", pow(1000, 2)), Map.entry("G", pow(1000, 3)),
      Map.entry("T", pow(1000, 4)), Map.entry("P", pow(1000, 5)), Map.entry("E", pow(1000, 6)));

  static JobResources of(ObjectNode resources) {
    if (resources == null) {
      return new JobResources(Optional.empty(), Optional.empty(), Optional.empty());
    }
    return new JobResources(number(resources.get("gpus")).map(BigDecimal::intValueExact),
        number(resources.get("cpu")), memory(resources.get("memory")));
  }

  private static Optional<BigDecimal> number(JsonNode node) {
    if (node == null || node.isNull()) {
      return Optional.empty();
    }
    try {
      return Optional.of(node.isNumber() ? node.decimalValue() : new BigDecimal(node.asText().trim()));
    } catch (NumberFormatException e) {
      return Optional.empty();
    }
  }

  private static Optional<Long> memory(JsonNode node) {
    if (node == null || node.isNull()) {
      return Optional.empty();
    }
    if (node.isIntegralNumber()) {
      return Optional.of(node.asLong());
    }
    Matcher m = QUANTITY.matcher(node.asText().trim());
    if (!m.matches()) {
      return Optional.empty();
    }
    BigDecimal unit = m.group(2) == null ? BigDecimal.ONE : UNITS.get(m.group(2));
    try {
      return Optional.of(new BigDecimal(m.group(1)).multiply(unit).setScale(0, RoundingMode.CEILING)
          .longValueExact());
    } catch (ArithmeticException e) {
      return Optional.empty();
    }
  }

  private static BigDecimal pow(int base, int exponent) {
    return BigDecimal.valueOf(base).pow(exponent);
  }
}
