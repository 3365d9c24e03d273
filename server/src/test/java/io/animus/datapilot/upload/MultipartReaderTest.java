package io.animus.datapilot.upload;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.animus.datapilot.kernel.ApiException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class MultipartReaderTest {
  record Seen(String name, String filename, String contentType, byte[] body) {}

  /** Feeds the body in pieces of at most {@code step} bytes, to cross every buffer boundary. */
  static List<Seen> parse(byte[] body, String boundary, int step) throws IOException {
    InputStream trickle = new ByteArrayInputStream(body) {
      @Override
      public synchronized int read(byte[] b, int off, int len) {
        return super.read(b, off, Math.min(len, step));
      }
    };
    MultipartReader reader = new MultipartReader(trickle, boundary);
    List<Seen> parts = new ArrayList<>();
    MultipartReader.Part part;
    while ((part = reader.next()) != null) {
      parts.add(new Seen(part.name(), part.filename(), part.contentType(), part.body().readAllBytes()));
    }
    return parts;
  }

  static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void fileBytesThatLookAlmostLikeTheDelimiterSurviveAnyReadSize() throws IOException {
    String boundary = "----animus-0123456789abcdef0123456789abcdef";
    String almost = boundary.substring(0, boundary.length() - 1);
    byte[] tricky = bytes("a\r\n--" + boundary.substring(0, 20) + "x\r\n-\r\n--" + almost + "X... \r\n\r");
    byte[] noise = new byte[300_000];
    new Random(5).nextBytes(noise);
    byte[] file = new byte[tricky.length + noise.length];
    System.arraycopy(tricky, 0, file, 0, tricky.length);
    System.arraycopy(noise, 0, file, tricky.length, noise.length);
    var out = new java.io.ByteArrayOutputStream();
    out.writeBytes(bytes("--" + boundary + "\r\nContent-Disposition: form-data; name=\"kind\"\r\n\r\nmodel\r\n"));
    out.writeBytes(bytes("--" + boundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"m.bin\""
        + "\r\nContent-Type: application/octet-stream\r\n\r\n"));
    out.writeBytes(file);
    out.writeBytes(bytes("\r\n--" + boundary + "--\r\n"));
    for (int step : new int[] {1, 7, 4096, 1 << 20}) {
      List<Seen> parts = parse(out.toByteArray(), boundary, step);
      assertThat(parts).hasSize(2);
      assertThat(parts.get(0).name()).isEqualTo("kind");
      assertThat(parts.get(0).body()).isEqualTo(bytes("model"));
      assertThat(parts.get(1).filename()).isEqualTo("m.bin");
      assertThat(parts.get(1).contentType()).isEqualTo("application/octet-stream");
      assertThat(parts.get(1).body()).as("step %d", step).isEqualTo(file);
    }
  }

  @Test
  void preambleEpiloguePaddingQuotedBoundaryAndExtendedFilenamesAreUnderstood() throws IOException {
    String body = "this is a preamble\r\n--b q\t \r\ncontent-disposition: form-data; name=x\r\n\r\n1\r\n"
        + "--b q\r\nContent-Disposition: form-data; name=\"f\"; filename=\"plain.txt\"; "
        + "filename*=UTF-8''%E2%82%AC%20rates.txt\r\n\r\nfile\r\n--b q--  \r\nepilogue";
    assertThat(MultipartReader.boundary("Multipart/Form-Data; charset=utf-8; boundary=\"b q\"")).contains("b q");
    List<Seen> parts = parse(bytes(body), "b q", 3);
    assertThat(parts).extracting(Seen::name).containsExactly("x", "f");
    assertThat(parts.get(0).body()).isEqualTo(bytes("1"));
    assertThat(parts.get(1).filename()).isEqualTo("€ rates.txt");
    assertThat(parts.get(1).body()).isEqualTo(bytes("file"));
  }

  @Test
  void rawQuotesAndBackslashesInAFilenameAreKeptAsTheSdkSendsThem() {
    assertThat(MultipartReader.parseDisposition("form-data; name=\"file\"; filename=\"a \"b\".csv\""))
        .containsEntry("filename", "a \"b\".csv");
    assertThat(MultipartReader.parseDisposition("form-data; name=\"file\"; filename=\"C:\\dir\\x.bin\""))
        .containsEntry("filename", "C:\\dir\\x.bin");
    assertThat(MultipartReader.parseDisposition("form-data; name=\"file\"; filename=\"q\\\"s\""))
        .containsEntry("filename", "q\"s");
  }

  @Test
  void contentTypesWithoutABoundaryAreNotMultipart() {
    assertThat(MultipartReader.boundary("multipart/form-data")).isEmpty();
    assertThat(MultipartReader.boundary("application/json")).isEmpty();
    assertThat(MultipartReader.boundary(null)).isEmpty();
    assertThat(MultipartReader.boundary("multipart/form-data; boundary=")).isEmpty();
  }

  @Test
  void malformedBodiesAreInvalidMultipart() {
    assertThatThrownBy(() -> parse(bytes("no delimiter at all"), "b", 100))
        .isInstanceOf(ApiException.class).hasMessageContaining("malformed multipart");
    assertThatThrownBy(() -> parse(bytes("--b\r\nContent-Type: text/plain\r\n\r\nx\r\n--b--"), "b", 100))
        .isInstanceOf(ApiException.class).hasMessageContaining("Content-Disposition");
    assertThatThrownBy(() -> parse(bytes("--b\r\nContent-Disposition: form-data; name=a\r\n\r\nx"), "b", 100))
        .isInstanceOf(ApiException.class).hasMessageContaining("ended");
    assertThatThrownBy(() -> parse(bytes("--bX\r\n"), "b", 100)).isInstanceOf(ApiException.class);
  }

  @Test
  void filenamesAreReducedToASafeLastSegment() {
    assertThat(UploadReceiver.filename("../../etc/passwd", "d")).isEqualTo("passwd");
    assertThat(UploadReceiver.filename("C:\\x\\y.txt", "d")).isEqualTo("y.txt");
    assertThat(UploadReceiver.filename("a/..", "d")).isEqualTo("d");
    assertThat(UploadReceiver.filename("", "d")).isEqualTo("d");
    assertThat(UploadReceiver.filename(null, "d")).isEqualTo("d");
    assertThat(UploadReceiver.filename("a\u0000b\nc", "d")).isEqualTo("a_b_c");
    assertThat(UploadReceiver.filename("é".repeat(150), "d")).hasSize(100);
  }
}
