package io.animus.datapilot.config;

import java.lang.management.ManagementFactory;

/** The process's open-file limit, which bounds its sockets (streams and ordinary connections alike). */
public final class OpenFileLimit {
  /** Assumed where the JVM cannot tell (not a Unix system). */
  private static final long UNKNOWN = 20_000;

  private OpenFileLimit() {}

  public static long current() {
    if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.UnixOperatingSystemMXBean unix) {
      long max = unix.getMaxFileDescriptorCount();
      return max > 0 ? max : UNKNOWN;
    }
    return UNKNOWN;
  }
}
