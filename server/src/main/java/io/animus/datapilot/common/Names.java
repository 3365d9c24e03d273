package io.animus.datapilot.common;

import io.animus.datapilot.kernel.ApiException;
import io.animus.datapilot.kernel.ErrorCode;
import java.util.Optional;

/** Names of experiments, datasets and tokens: 1–255 characters after trimming. */
public final class Names {
  public static final int MAX = 255;

  private Names() {}

  public static String require(Optional<String> raw) {
    String name = raw.map(String::trim).orElse("");
    if (name.isEmpty()) {
      throw new ApiException(ErrorCode.NAME_REQUIRED, "name is required");
    }
    if (name.codePointCount(0, name.length()) > MAX) {
      throw new ApiException(ErrorCode.INVALID_NAME, "name must be at most " + MAX + " characters");
    }
    return name;
  }
}
