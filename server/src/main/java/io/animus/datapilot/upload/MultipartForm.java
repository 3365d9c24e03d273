package io.animus.datapilot.upload;

import io.animus.datapilot.kernel.ApiException;
import io.animus.datapilot.kernel.ErrorCode;
import io.animus.datapilot.kernel.Json;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/**
 * An {@link UploadForm} read from a {@code multipart/form-data} body as it arrives: the declared
 * length and the streamed byte count are held to the limit, text parts are decoded as UTF-8, and
 * the one part named {@code file} is handed on as a stream that ends at the next delimiter.
 */
public final class MultipartForm implements UploadForm {
  private static final int MAX_TEXT_BYTES = 1 << 20;
  private final InputStream body;
  private final String contentType;
  private final long contentLength;

  /** {@code contentLength} is -1 when the body is chunked. */
  public MultipartForm(InputStream body, String contentType, long contentLength) {
    this.body = body;
    this.contentType = contentType;
    this.contentLength = contentLength;
  }

  @Override
  public Map<String, String> read(Spec spec, FileHandler onFile) {
    if (contentLength > spec.maxBytes()) {
      throw LimitedInput.tooLarge(spec.maxBytes(), contentLength);
    }
    String boundary = MultipartReader.boundary(contentType).orElseThrow(() -> new ApiException(
        ErrorCode.INVALID_MULTIPART, "the body must be multipart/form-data with a boundary"));
    MultipartReader reader = new MultipartReader(new LimitedInput(body, spec.maxBytes()), boundary);
    Map<String, String> fields = new HashMap<>();
    boolean fileSeen = false;
    MultipartReader.Part part;
    while ((part = reader.next()) != null) {
      if (part.name().equals("file")) {
        if (fileSeen) {
          throw new ApiException(ErrorCode.MULTIPLE_FILES_NOT_SUPPORTED, "only one file part is accepted");
        }
        fileSeen = true;
        onFile.accept(Map.copyOf(fields), new Source(part));
      } else if (spec.textFields().containsKey(part.name())) {
        fields.put(part.name(), readText(part, spec.textFields().get(part.name())));
      }
      // unknown parts are skipped by the next call to next()
    }
    return Map.copyOf(fields);
  }

  private record Source(MultipartReader.Part part) implements UploadSource {
    @Override
    public String filename() {
      return part.filename();
    }

    @Override
    public String contentType() {
      return part.contentType();
    }

    @Override
    public InputStream stream() {
      return part.body();
    }
  }

  private static String readText(MultipartReader.Part part, ErrorCode code) {
    byte[] bytes;
    try (InputStream in = part.body()) {
      bytes = in.readNBytes(MAX_TEXT_BYTES + 1);
    } catch (IOException e) {
      throw new ApiException(ErrorCode.INVALID_MULTIPART, "field \"" + part.name() + "\" could not be read");
    }
    if (bytes.length > MAX_TEXT_BYTES) {
      throw new ApiException(code, "field \"" + part.name() + "\" is larger than " + MAX_TEXT_BYTES + " bytes");
    }
    String text;
    try {
      text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
    } catch (CharacterCodingException e) {
      throw new ApiException(code, "field \"" + part.name() + "\" is not valid UTF-8",
          Map.of("field", part.name()));
    }
    // the fields are stored as text, which cannot hold U+0000: refused before anything is stored
    Json.unstorableText(text).ifPresent(why -> {
      throw new ApiException(code, "field \"" + part.name() + "\" " + why, Map.of("field", part.name()));
    });
    return text;
  }
}
