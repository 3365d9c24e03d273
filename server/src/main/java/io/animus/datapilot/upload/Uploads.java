package io.animus.datapilot.upload;

import io.animus.datapilot.http.ApiRequest;
import io.animus.datapilot.kernel.ApiException;
import io.animus.datapilot.kernel.ErrorCode;
import java.io.IOException;

/** Turns an API request's body into the {@link UploadForm} a Service reads (the only HTTP-facing class here). */
public final class Uploads {
  private Uploads() {}

  public static UploadForm form(ApiRequest request) {
    var req = request.context().req();
    try {
      return new MultipartForm(req.getInputStream(), req.getContentType(), req.getContentLengthLong());
    } catch (IOException | RuntimeException e) {
      // Jetty refuses some bodies up front, e.g. a Content-Type naming an unknown charset.
      throw new ApiException(ErrorCode.INVALID_MULTIPART, "the request body could not be read as multipart");
    }
  }
}
