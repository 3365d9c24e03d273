package io.animus.sdk;

import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A {@code multipart/form-data} body streamed from a file: the text {@code fields}, then the file as the
 * {@code file} part, with an exact length (so the request carries Content-Length) and, with a
 * {@link TransferProgress}, a report of each chunk of the file read.
 */
record Multipart(HttpRequest.BodyPublisher publisher, String contentType, long fileSize) {

  /** The body; throws IllegalArgumentException when {@code file} is not a readable regular file. */
  static Multipart of(List<Map.Entry<String, String>> fields, Path file, String filename, String contentType,
      TransferProgress progress) {
    if (!Files.isRegularFile(file)) {
      throw new IllegalArgumentException("not a regular file: " + file);
    }
    String boundary = "----animus-" + Transport.newRequestId();
    StringBuilder head = new StringBuilder();
    for (Map.Entry<String, String> f : fields) {
      head.append("--").append(boundary).append("\r\n")
          .append("Content-Disposition: form-data; name=\"").append(headerSafe(f.getKey())).append("\"\r\n\r\n")
          .append(f.getValue()).append("\r\n");
    }
    head.append("--").append(boundary).append("\r\n")
        .append("Content-Disposition: form-data; name=\"file\"; filename=\"").append(headerSafe(filename))
        .append("\"\r\n").append("Content-Type: ").append(contentType).append("\r\n\r\n");
    byte[] tail = ("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.US_ASCII);
    long size;
    try {
      size = Files.size(file);
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot read " + file, e);
    }
    HttpRequest.BodyPublisher body = HttpRequest.BodyPublishers.concat(
        HttpRequest.BodyPublishers.ofByteArray(head.toString().getBytes(StandardCharsets.UTF_8)),
        fileBody(file, size, progress), HttpRequest.BodyPublishers.ofByteArray(tail));
    return new Multipart(body, "multipart/form-data; boundary=" + boundary, size);
  }

  private static HttpRequest.BodyPublisher fileBody(Path file, long size, TransferProgress progress) {
    if (progress == null) {
      try {
        return HttpRequest.BodyPublishers.ofFile(file);
      } catch (java.io.FileNotFoundException e) {
        throw new IllegalArgumentException("cannot read " + file, e);
      }
    }
    return HttpRequest.BodyPublishers.fromPublisher(HttpRequest.BodyPublishers.ofInputStream(
        () -> new CountingInput(file, size, progress)), size);
  }

  /** The content type for a file name: the JDK's guess, then {@code .json} and {@code .csv}, else octet-stream. */
  static String guessContentType(String filename) {
    String guessed = java.net.URLConnection.guessContentTypeFromName(filename);
    if (guessed == null) {
      String lower = filename.toLowerCase(Locale.ROOT);
      if (lower.endsWith(".json")) {
        guessed = "application/json";
      } else if (lower.endsWith(".csv")) {
        guessed = "text/csv";
      }
    }
    return guessed == null ? "application/octet-stream" : guessed;
  }

  private static String headerSafe(String text) {
    return text.replace("\r", "").replace("\n", "").replace("\"", "%22");
  }

  /** The file's bytes, reporting each chunk read to the progress callback. */
  private static final class CountingInput extends java.io.FilterInputStream {
    private final long size;
    private final TransferProgress progress;
    private long done;

    CountingInput(Path file, long size, TransferProgress progress) {
      super(open(file));
      this.size = size;
      this.progress = progress;
    }

    private static InputStream open(Path file) {
      try {
        return Files.newInputStream(file);
      } catch (IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      int n = super.read(b, off, len);
      if (n > 0) {
        done += n;
        progress.update(done, size);
      }
      return n;
    }
  }
}
