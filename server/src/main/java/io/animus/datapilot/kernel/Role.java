package io.animus.datapilot.kernel;

import java.util.Locale;

/** viewer &lt; editor &lt; admin. */
public enum Role {
  VIEWER, EDITOR, ADMIN;

  public boolean atLeast(Role other) {
    return compareTo(other) >= 0;
  }

  public String wire() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static Role parse(String raw) {
    if (raw != null) {
      for (Role role : values()) {
        if (role.wire().equals(raw.trim().toLowerCase(Locale.ROOT))) {
          return role;
        }
      }
    }
    throw new ApiException(ErrorCode.INVALID_ROLE, "role must be one of viewer, editor, admin");
  }
}
