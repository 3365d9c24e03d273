package io.animus.datapilot.upload;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.animus.datapilot.kernel.ApiException;
import io.animus.datapilot.kernel.ErrorCode;
import io.animus.datapilot.kernel.Json;

/** Conversions of upload form text fields shared by artifacts and dataset versions. */
public final class FormValues {
  private FormValues() {}

  /** {@code metadata}: absent or blank means {@code {}}; otherwise a JSON object, else {@code invalid_metadata}. */
  public static ObjectNode metadata(String raw) {
    if (raw == null || raw.isBlank()) {
      return Json.object();
    }
    JsonNode node;
    try {
      node = Json.parse(raw.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    } catch (ApiException e) {
      node = null; // not JSON at all: same answer as JSON that is not an object
    }
    if (node instanceof ObjectNode object) {
      // stored as jsonb, which refuses U+0000 and halves of surrogate pairs even as escapes
      Json.firstUnstorable(object, "metadata").ifPresent(bad -> {
        throw new ApiException(ErrorCode.INVALID_METADATA, "field \"metadata\" " + bad.reason(),
            java.util.Map.of("field", Json.printable(bad.path())));
      });
      return object;
    }
    throw new ApiException(ErrorCode.INVALID_METADATA, "metadata must be a JSON object");
  }
}
