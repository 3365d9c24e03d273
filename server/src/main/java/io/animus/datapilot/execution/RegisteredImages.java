package io.animus.datapilot.execution;

import io.animus.datapilot.ci.RegisteredImage;
import java.util.Optional;
import org.jdbi.v3.core.Handle;

/** The images CI registered (docs/protocol.md §7), by digest; implemented over the ci feature where the server is wired. */
@FunctionalInterface
public interface RegisteredImages {
  Optional<RegisteredImage> find(Handle h, String digest);
}
