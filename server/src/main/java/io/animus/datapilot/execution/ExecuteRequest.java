package io.animus.datapilot.execution;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.animus.datapilot.kernel.ApiException;
import io.animus.datapilot.kernel.ErrorCode;
import io.animus.datapilot.kernel.Json;
import io.animus.datapilot.http.JsonBody;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * A {@code runs:execute} body after the first check of docs/protocol.md §8.2: fields present and well
 * formed, in the order the protocol names them.
 */
public record ExecuteRequest(String experimentId, String datasetVersionId, String imageRef, Optional<String> gitRepo,
                             Optional<String> gitCommit, Optional<String> gitRef, ObjectNode params,
                             ObjectNode resources, Optional<List<String>> command, Map<String, String> env) {
  public static final Set<String> FIELDS = Set.of("experiment_id", "dataset_version_id", "image_ref", "git_repo",
      "git_commit", "git_ref", "params", "resources", "command", "env");
  /** Variables every job gets from DataPilot (§8.4); a request cannot set them. */
  public static final Set<String> RESERVED_ENV = Set.of("RUN_ID", "DATASET_VERSION_ID", "DATAPILOT_URL", "TOKEN",
      "ANIMUS_JOB_KIND");
  private static final Pattern ENV_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
  private static final Pattern QUANTITY = Pattern.compile("(\\d+(\\.\\d+)?)(Ki|Mi|Gi|Ti|Pi|Ei|[kKMGTPEmgtpe])?");
  private static final Pattern NUMBER = Pattern.compile("[+]?\\d+(\\.\\d+)?([eE][+-]?\\d+)?");

  /** Step 1 of §8.2; {@code commandRequired} when the executor has no command of its own to run. */
  public static ExecuteRequest parse(JsonBody body, boolean commandRequired) {
    String experimentId = body.trimmedText("experiment_id").orElseThrow(() ->
        new ApiException(ErrorCode.EXPERIMENT_ID_REQUIRED, "experiment_id is required"));
    String datasetVersionId = body.trimmedText("dataset_version_id").orElseThrow(() ->
        new ApiException(ErrorCode.DATASET_VERSION_ID_REQUIRED, "dataset_version_id is required"));
    String imageRef = body.trimmedText("image_ref").orElseThrow(() ->
        new ApiException(ErrorCode.IMAGE_REF_REQUIRED, "image_ref is required"));
    Optional<String> gitRepo = body.trimmedText("git_repo");
    Optional<String> gitCommit = body.trimmedText("git_commit");
    Optional<String> gitRef = body.trimmedText("git_ref");
    ObjectNode params = body.object("params", ErrorCode.INVALID_PARAMS).orElseGet(Json::object);
    ObjectNode resources = body.object("resources", ErrorCode.INVALID_RESOURCES).orElseGet(Json::object);
    checkResources(resources);
    Optional<List<String>> command = command(body.raw().get("command"));
    if (command.isEmpty() && commandRequired) {
      throw new ApiException(ErrorCode.COMMAND_REQUIRED,
          "command is required: send one or set DATAPILOT_LOCAL_COMMAND");
    }
    Map<String, String> env = env(body.raw().get("env"));
    return new ExecuteRequest(experimentId, datasetVersionId, imageRef, gitRepo, gitCommit, gitRef, params,
        resources, command, env);
  }

  private static void checkResources(ObjectNode resources) {
    JsonNode gpus = resources.get("gpus");
    if (gpus != null && !gpus.isNull()) {
      BigDecimal n = number(gpus).orElseThrow(() -> invalidResources("gpus must be a whole number >= 0"));
      if (n.signum() < 0 || n.stripTrailingZeros().scale() > 0) {
        throw invalidResources("gpus must be a whole number >= 0");
      }
    }
    JsonNode cpu = resources.get("cpu");
    if (cpu != null && !cpu.isNull()) {
      BigDecimal n = number(cpu).orElseThrow(() -> invalidResources("cpu must be a number of cores > 0"));
      if (n.signum() <= 0) {
        throw invalidResources("cpu must be a number of cores > 0");
      }
    }
    JsonNode memory = resources.get("memory");
    if (memory != null && !memory.isNull()) {
      boolean ok = memory.isTextual() ? QUANTITY.matcher(memory.textValue().trim()).matches()
          : memory.isIntegralNumber() && memory.asLong(-1) >= 0;
      if (!ok) {
        throw invalidResources("memory must be a quantity such as 512Mi, 4Gi, 4g, 512m or a number of bytes");
      }
    }
  }

  private static Optional<BigDecimal> number(JsonNode node) {
    if (node.isNumber()) {
      double d = node.asDouble();
      return Double.isFinite(d) ? Optional.of(node.decimalValue()) : Optional.empty();
    }
    if (node.isTextual() && NUMBER.matcher(node.textValue().trim()).matches()) {
      return Optional.of(new BigDecimal(node.textValue().trim()));
    }
    return Optional.empty();
  }

  private static ApiException invalidResources(String message) {
    return new ApiException(ErrorCode.INVALID_RESOURCES, message);
  }

  private static Optional<List<String>> command(JsonNode node) {
    if (node == null || node.isNull()) {
      return Optional.empty();
    }
    if (!node.isArray() || node.isEmpty()) {
      throw new ApiException(ErrorCode.INVALID_COMMAND, "command must be a non-empty array of strings");
    }
    List<String> out = new ArrayList<>();
    for (JsonNode item : node) {
      if (!item.isTextual() || (out.isEmpty() && item.textValue().isEmpty())) {
        throw new ApiException(ErrorCode.INVALID_COMMAND, "command must be a non-empty array of strings");
      }
      out.add(item.textValue());
    }
    return Optional.of(List.copyOf(out));
  }

  private static Map<String, String> env(JsonNode node) {
    Map<String, String> out = new TreeMap<>();
    if (node == null || node.isNull()) {
      return out;
    }
    if (!(node instanceof ObjectNode object)) {
      throw new ApiException(ErrorCode.INVALID_ENV, "env must be an object of strings");
    }
    for (Map.Entry<String, JsonNode> entry : object.properties()) {
      String name = entry.getKey();
      if (!ENV_NAME.matcher(name).matches()) {
        throw new ApiException(ErrorCode.INVALID_ENV, "env name \"" + name + "\" is not a valid variable name");
      }
      if (RESERVED_ENV.contains(name)) {
        throw new ApiException(ErrorCode.INVALID_ENV, "env name " + name + " is reserved");
      }
      if (!entry.getValue().isTextual()) {
        throw new ApiException(ErrorCode.INVALID_ENV, "env value of " + name + " must be a string");
      }
      out.put(name, entry.getValue().textValue());
    }
    return out;
  }
}
