package io.animus.datapilot.config;

import java.util.Locale;
import java.util.Optional;

/**
 * The backends {@code DATAPILOT_EXECUTOR} can name (docs/protocol.md §8.1), with what each one needs from
 * a request and from the server. Execution branches on these capabilities, never on the name; the
 * name is only the wire form (configuration, the {@code executions.executor} column, the
 * {@code executor} field of §8.6). It lives beside the configuration that parses it so that
 * {@code config} depends on no feature.
 */
public enum ExecutorKind {
  /** A host process group: runs the request's (or the configured) command, never an image's. */
  LOCAL("local", true, false, true, false),
  /** A container through the Docker Engine API: the image's own command unless the request names one. */
  DOCKER("docker", false, false, false, false),
  /** A batch/v1 Job: only a digest-pinned image, and jobs reach the server from elsewhere. */
  KUBERNETES("kubernetes", false, true, false, true);

  private final String wire;
  private final boolean needsCommand;
  private final boolean needsPinnedImage;
  private final boolean inheritsServerEnv;
  private final boolean needsPublicUrl;

  ExecutorKind(String wire, boolean needsCommand, boolean needsPinnedImage, boolean inheritsServerEnv,
               boolean needsPublicUrl) {
    this.wire = wire;
    this.needsCommand = needsCommand;
    this.needsPinnedImage = needsPinnedImage;
    this.inheritsServerEnv = inheritsServerEnv;
    this.needsPublicUrl = needsPublicUrl;
  }

  /** The name in configuration, in the database and on the wire. */
  public String wire() {
    return wire;
  }

  /** A job needs a command from the request or the configuration: there is no image command to run (§8.2). */
  public boolean needsCommand() {
    return needsCommand;
  }

  /** {@code image_ref} must be {@code name@sha256:<64 hex>} (§8.3). */
  public boolean needsPinnedImage() {
    return needsPinnedImage;
  }

  /** A job inherits an allowlisted part of the server's own environment (§8.4). */
  public boolean inheritsServerEnv() {
    return inheritsServerEnv;
  }

  /** Jobs run away from the server's host and reach it only through {@code DATAPILOT_PUBLIC_URL}. */
  public boolean needsPublicUrl() {
    return needsPublicUrl;
  }

  /** The kind a name (any case) stands for. */
  public static Optional<ExecutorKind> parse(String name) {
    String wanted = name.trim().toLowerCase(Locale.ROOT);
    for (ExecutorKind kind : values()) {
      if (kind.wire.equals(wanted)) {
        return Optional.of(kind);
      }
    }
    return Optional.empty();
  }

  @Override
  public String toString() {
    return wire;
  }
}
