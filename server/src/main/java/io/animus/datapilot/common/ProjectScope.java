package io.animus.datapilot.common;

import io.animus.datapilot.kernel.ApiException;
import io.animus.datapilot.kernel.ErrorCode;
import java.util.regex.Pattern;

/**
 * The project a request works in (docs/protocol.md §1.6). {@code explicit} is true when the caller
 * named it; only then does a resource of another project answer 404.
 */
public record ProjectScope(String projectId, boolean explicit) {
  public static final String DEFAULT = "default";
  private static final Pattern VALID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");

  public ProjectScope {
    if (!VALID.matcher(projectId).matches()) {
      throw new ApiException(ErrorCode.INVALID_PROJECT_ID,
          "project id must match [A-Za-z0-9][A-Za-z0-9._-]{0,63}");
    }
  }

  /** Header wins over query parameter; neither means {@code default}. */
  public static ProjectScope resolve(String header, String query) {
    if (header != null) {
      return new ProjectScope(header.trim(), true);
    }
    if (query != null) {
      return new ProjectScope(query.trim(), true);
    }
    return new ProjectScope(DEFAULT, false);
  }

  /** Whether a resource of {@code owner} may be seen by this request. */
  public boolean admits(String owner) {
    return !explicit || projectId.equals(owner);
  }
}
