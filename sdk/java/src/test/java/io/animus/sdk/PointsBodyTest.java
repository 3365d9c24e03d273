package io.animus.sdk;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The {@code metrics:batch} body writer, byte for byte. */
class PointsBodyTest {
  /** 2025-12-31T23:59:59.987Z. */
  private static final long T = 1_767_225_599_987L;

  private static String text(PointsBody body) {
    return new String(body.toByteArray(), StandardCharsets.US_ASCII);
  }

  private static byte[] name(String n) {
    return PointsBody.encodeName(n);
  }

  @Test
  void onePointHasSortedKeysAndMillisecondTimestamp() {
    PointsBody body = new PointsBody();
    body.begin();
    body.point(name("loss"), 3, T, 0.5);
    body.end();
    assertThat(text(body)).isEqualTo(
        "{\"points\":[{\"name\":\"loss\",\"step\":3,\"timestamp\":\"2025-12-31T23:59:59.987Z\",\"value\":0.5}]}");
    assertThat(body.size()).isEqualTo(body.toByteArray().length);
  }

  @Test
  void nonFiniteValuesAreLiteralsAndIntegralValuesHaveNoFraction() {
    PointsBody body = new PointsBody();
    body.begin();
    double[] values = {Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, 2.0, -0.0, 0.0, -7.0, 1e15,
        1e-7, Long.MAX_VALUE};
    for (double v : values) {
      body.point(name("m"), 0, 0, v);
    }
    body.end();
    String p = "{\"name\":\"m\",\"step\":0,\"timestamp\":\"1970-01-01T00:00:00.000Z\",\"value\":";
    assertThat(text(body)).isEqualTo("{\"points\":[" + p + "NaN}," + p + "Infinity}," + p + "-Infinity},"
        + p + "2}," + p + "-0.0}," + p + "0}," + p + "-7}," + p + "1.0E15}," + p + "1.0E-7},"
        + p + "9.223372036854776E18}]}");
  }

  @Test
  void stepsAndTimesAtTheEdges() {
    PointsBody body = new PointsBody();
    body.begin();
    body.point(name("a"), Long.MAX_VALUE, 5, 1);
    body.point(name("a"), 10, -1, 1);
    body.point(name("a"), 0, 1_000, 1);
    body.end();
    assertThat(text(body)).isEqualTo("{\"points\":["
        + "{\"name\":\"a\",\"step\":9223372036854775807,\"timestamp\":\"1970-01-01T00:00:00.005Z\",\"value\":1},"
        + "{\"name\":\"a\",\"step\":10,\"timestamp\":\"1969-12-31T23:59:59.999Z\",\"value\":1},"
        + "{\"name\":\"a\",\"step\":0,\"timestamp\":\"1970-01-01T00:00:01.000Z\",\"value\":1}]}");
  }

  @Test
  void namesAreEscapedAsAsciiJson() {
    assertThat(new String(name("q\"uote\\back"), StandardCharsets.US_ASCII)).isEqualTo("q\\\"uote\\\\back");
    assertThat(new String(name("caf\u00e9/\u03bb"), StandardCharsets.US_ASCII)).isEqualTo("caf\\u00e9/\\u03bb");
    assertThat(new String(name("tab\there\u007f"), StandardCharsets.US_ASCII)).isEqualTo("tab\\u0009here\\u007f");
  }

  @Test
  void aBodyIsReusedFromTheStartAndGrowsPastItsFirstBuffer() {
    PointsBody body = new PointsBody();
    body.begin();
    body.end();
    assertThat(text(body)).isEqualTo("{\"points\":[]}");
    byte[] longName = name("x".repeat(255));
    body.begin();
    for (int i = 0; i < 1000; i++) {
      body.point(longName, i, T, i);
    }
    body.end();
    assertThat(body.size()).isGreaterThan(1 << 16);
    String all = text(body);
    assertThat(all).startsWith("{\"points\":[{\"name\":\"" + "x".repeat(255) + "\",\"step\":0,")
        .endsWith(",\"step\":999,\"timestamp\":\"2025-12-31T23:59:59.987Z\",\"value\":999}]}");
    body.begin();
    body.point(name("b"), 1, T, 2);
    body.end();
    assertThat(text(body)).isEqualTo(
        "{\"points\":[{\"name\":\"b\",\"step\":1,\"timestamp\":\"2025-12-31T23:59:59.987Z\",\"value\":2}]}");
  }

  @Test
  void theBodyParsesAsTheSameValues() throws Exception {
    PointsBody body = new PointsBody();
    body.begin();
    body.point(name("caf\u00e9"), 42, T, -2.5e300);
    body.end();
    var tree = Json.parse(body.toByteArray());
    assertThat(tree.path("points").get(0).path("name").asText()).isEqualTo("caf\u00e9");
    assertThat(tree.path("points").get(0).path("value").asDouble()).isEqualTo(-2.5e300);
  }
}
