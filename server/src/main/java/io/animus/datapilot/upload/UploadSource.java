package io.animus.datapilot.upload;

import java.io.InputStream;

/**
 * The file of an upload as it arrives: the name and type the client gave (either may be null) and
 * a stream of its bytes, read once and never held whole in memory.
 */
public interface UploadSource {
  String filename();

  String contentType();

  InputStream stream();
}
