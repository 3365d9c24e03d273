package io.animus.datapilot.upload;

import io.animus.datapilot.kernel.Ids;
import io.animus.datapilot.kernel.ApiException;
import io.animus.datapilot.kernel.ErrorCode;
import io.animus.datapilot.kernel.Json;
import io.animus.datapilot.storage.BlobStore;
import io.animus.datapilot.storage.BlobStoreException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;

/**
 * Receives one upload form straight into the blob store, shared by artifacts and dataset
 * versions. Text fields are collected; the single {@code file} part streams to its final key when
 * the fields that decide it have already arrived, else to a staging key that {@link #place} moves
 * once the form is complete. Whatever was stored is removed when anything fails on the way.
 */
public final class UploadReceiver {
  private static final int MAX_FILENAME_BYTES = 200;
  private static final String STAGING = ".staging/";
  private final BlobStore store;

  public UploadReceiver(BlobStore store) {
    this.store = store;
  }

  public BlobStore store() {
    return store;
  }

  /** Decides the final key of the file from the fields seen so far; empty means "stage it". */
  @FunctionalInterface
  public interface KeyPlanner {
    Optional<String> finalKey(Map<String, String> fieldsSoFar, String filename);
  }

  /** What one form upload is configured with. */
  public record Form(BlobStore.Area area, long maxBytes, Map<String, ErrorCode> textFields, String defaultFilename,
                     ErrorCode storeFailure, KeyPlanner planner) {}

  /** A stored file part; {@code key} is the staging key when {@code staged}. */
  public record StoredFile(String key, boolean staged, String filename, String contentType, long sizeBytes,
                           String sha256) {}

  /** The received form: text fields and the stored file, if any. */
  public record Received(Map<String, String> fields, Optional<StoredFile> file) {}

  /**
   * Reads the form; its file streams to the final key when the fields before it decide it, else to
   * a staging key. Nothing stays stored when the form fails after the file.
   */
  public Received receive(UploadForm upload, Form form) {
    StoredFile[] stored = new StoredFile[1];
    try {
      Map<String, String> fields = upload.read(new UploadForm.Spec(form.maxBytes(), form.textFields()),
          (fieldsSoFar, file) -> stored[0] = storeFile(file, fieldsSoFar, form));
      return new Received(Map.copyOf(fields), Optional.ofNullable(stored[0]));
    } catch (RuntimeException | Error e) {
      if (stored[0] != null) {
        store.deleteQuietly(form.area(), stored[0].key());
      }
      throw e;
    }
  }

  private StoredFile storeFile(UploadSource part, Map<String, String> fields, Form form) {
    String filename = filename(part.filename(), form.defaultFilename());
    Optional<String> finalKey = form.planner().finalKey(fields, filename);
    String key = finalKey.orElseGet(() -> STAGING + Ids.newId());
    String contentType = part.contentType() == null || part.contentType().isBlank()
        ? "application/octet-stream" : part.contentType().trim();
    Json.unstorableText(contentType).ifPresent(why -> {
      throw new ApiException(ErrorCode.INVALID_MULTIPART, "the Content-Type of part \"file\" " + why,
          Map.of("field", "file"));
    });
    try {
      BlobStore.Written written = store.put(form.area(), key, part.stream());
      return new StoredFile(key, finalKey.isEmpty(), filename, contentType, written.sizeBytes(), written.sha256());
    } catch (BlobStoreException e) {
      throw storeFailed(form.storeFailure(), e);
    }
  }

  /** Moves a staged file to its final key (a no-op when it is already there). */
  public StoredFile place(StoredFile file, BlobStore.Area area, String finalKey, ErrorCode storeFailure) {
    if (!file.staged()) {
      return file;
    }
    try {
      store.move(area, file.key(), finalKey);
    } catch (BlobStoreException e) {
      throw storeFailed(storeFailure, e);
    }
    return new StoredFile(finalKey, false, file.filename(), file.contentType(), file.sizeBytes(), file.sha256());
  }

  public void discard(BlobStore.Area area, StoredFile file) {
    store.deleteQuietly(area, file.key());
  }

  private static ApiException storeFailed(ErrorCode code, BlobStoreException e) {
    org.slf4j.LoggerFactory.getLogger(UploadReceiver.class).error("blob store write failed", e);
    return new ApiException(code, "the blob store could not store the upload; quote the request id");
  }

  /**
   * The last path segment of a client's filename (after {@code /} or {@code \}), without control
   * characters and cut to 200 UTF-8 bytes; {@code .}, {@code ..} and empty names get the default.
   */
  public static String filename(String raw, String fallback) {
    if (raw == null) {
      return fallback;
    }
    int cut = Math.max(raw.lastIndexOf('/'), raw.lastIndexOf('\\'));
    String name = raw.substring(cut + 1);
    StringBuilder clean = new StringBuilder();
    int bytes = 0;
    for (int i = 0; i < name.length(); ) {
      int cp = name.codePointAt(i);
      i += Character.charCount(cp);
      if (cp < 0x20 || cp == 0x7f) {
        cp = '_';
      }
      String s = new String(Character.toChars(cp));
      bytes += s.getBytes(StandardCharsets.UTF_8).length;
      if (bytes > MAX_FILENAME_BYTES) {
        break;
      }
      clean.append(s);
    }
    String result = clean.toString().trim();
    return result.isEmpty() || result.equals(".") || result.equals("..") ? fallback : result;
  }
}
