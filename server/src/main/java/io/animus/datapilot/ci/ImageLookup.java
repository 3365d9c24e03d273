package io.animus.datapilot.ci;

import java.util.Optional;
import org.jdbi.v3.core.Handle;

/**
 * The registered image of a digest, for features that pin or show it (execution): the narrow way
 * to read {@code model_images}, which only CI writes. {@link CiService} answers it.
 */
@FunctionalInterface
public interface ImageLookup {
  /** The registration of a normalised digest, read inside the caller's transaction. */
  Optional<RegisteredImage> find(Handle h, String imageDigest);
}
