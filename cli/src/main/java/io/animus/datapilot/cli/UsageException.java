package io.animus.datapilot.cli;

/** The command line asks for something impossible (exit code 2), found after picocli's own checks. */
final class UsageException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  UsageException(String message) {
    super(message);
  }
}
