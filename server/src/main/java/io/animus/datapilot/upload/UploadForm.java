package io.animus.datapilot.upload;

import io.animus.datapilot.kernel.ErrorCode;
import java.util.Map;

/**
 * An upload as a Service receives it: named text fields and at most one streamed file, in the
 * order the client sent them. Reading it hands the file to a {@link FileHandler} while it streams,
 * with the fields read before it, so the file can go straight to its final place when those fields
 * decide it. How the form was encoded on the wire is not visible here. Reading fails with
 * {@code invalid_multipart}, {@code upload_too_large}, {@code multiple_files_not_supported} or the
 * code of a text field whose value cannot be stored.
 */
public interface UploadForm {
  /**
   * What to read: the byte limit of the whole upload and the text fields that are kept, each with
   * the error code for a value that is too large, not UTF-8 or not storable. Other fields are skipped.
   */
  record Spec(long maxBytes, Map<String, ErrorCode> textFields) {
    public Spec {
      textFields = Map.copyOf(textFields);
    }
  }

  /** Receives the file while it streams; {@code fieldsSoFar} are the text fields read before it. */
  @FunctionalInterface
  interface FileHandler {
    void accept(Map<String, String> fieldsSoFar, UploadSource file);
  }

  /** Reads the form to its end and returns its text fields; the file, if any, went to {@code onFile}. */
  Map<String, String> read(Spec spec, FileHandler onFile);
}
