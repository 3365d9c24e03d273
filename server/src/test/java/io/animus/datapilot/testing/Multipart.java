package io.animus.datapilot.testing;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.Random;

/**
 * Builds multipart bodies byte for byte. {@link #sdk} uses the published SDK's exact layout
 * (docs/protocol.md §5.1): boundary {@code ----animus-<32 hex>}, text fields first without a
 * Content-Type, then the file part, CRLF line ends, closing delimiter and CRLF.
 */
public final class Multipart {
  private final String boundary;
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();

  public Multipart(String boundary) {
    this.boundary = boundary;
  }

  /** A builder with a boundary like the published SDK's. */
  public static Multipart sdk() {
    byte[] random = new byte[16];
    new Random().nextBytes(random);
    return new Multipart("----animus-" + HexFormat.of().formatHex(random));
  }

  public String boundary() {
    return boundary;
  }

  public String contentType() {
    return "multipart/form-data; boundary=" + boundary;
  }

  public Multipart field(String name, String value) {
    write("--" + boundary + "\r\nContent-Disposition: form-data; name=\"" + name + "\"\r\n\r\n" + value + "\r\n");
    return this;
  }

  public Multipart file(String name, String filename, String contentType, byte[] bytes) {
    write("--" + boundary + "\r\nContent-Disposition: form-data; name=\"" + name + "\"; filename=\"" + filename
        + "\"\r\nContent-Type: " + contentType + "\r\n\r\n");
    out.writeBytes(bytes);
    write("\r\n");
    return this;
  }

  /** Appends raw text (for hand-made, unusual forms). */
  public Multipart raw(String text) {
    write(text);
    return this;
  }

  public byte[] build() {
    write("--" + boundary + "--\r\n");
    return out.toByteArray();
  }

  private void write(String text) {
    out.writeBytes(text.getBytes(StandardCharsets.UTF_8));
  }
}
