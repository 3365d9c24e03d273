package io.animus.datapilot.http;

import io.animus.datapilot.kernel.Principal;

/** Turns an {@code Authorization} header into the caller; the auth feature provides it (App wires it in). */
@FunctionalInterface
public interface Authentication {
  /** The caller, {@link Principal#ANONYMOUS} without a credential; a bad credential is a 401 {@code ApiException}. */
  Principal authenticate(String authorizationHeader);
}
