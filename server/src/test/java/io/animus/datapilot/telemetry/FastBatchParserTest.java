package io.animus.datapilot.telemetry;

import static org.assertj.core.api.Assertions.assertThat;

import io.animus.datapilot.kernel.ApiException;
import io.animus.datapilot.http.JsonBody;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The streaming read of a batch takes the common shapes and agrees with the general read point for point. */
class FastBatchParserTest {
  private static final Instant NOW = Instant.parse("2026-11-27T10:00:00.123456789Z");

  private static MetricBatch fast(String body) {
    return FastBatchParser.parse(body.getBytes(StandardCharsets.UTF_8));
  }

  /** The general path's batch, or null where it answers an error. */
  private static MetricBatch general(String body) {
    try {
      return MetricBodies.readPoints(
          JsonBody.of(body.getBytes(StandardCharsets.UTF_8), Set.of("points")).raw().get("points"));
    } catch (ApiException e) {
      return null;
    }
  }

  private static void assertSame(MetricBatch fast, MetricBatch general) {
    assertThat(fast.names()).isEqualTo(general.names());
    int[] ids = new int[fast.names().size()];
    for (int i = 0; i < ids.length; i++) {
      ids[i] = 100 + i;
    }
    assertThat(fast.seriesIds(ids)).isEqualTo(general.seriesIds(ids));
    assertThat(fast.steps()).isEqualTo(general.steps());
    assertThat(fast.micros(MetricBatch.micros(NOW))).isEqualTo(general.micros(MetricBatch.micros(NOW)));
    double[] a = fast.values();
    double[] b = general.values();
    assertThat(a.length).isEqualTo(b.length);
    for (int i = 0; i < a.length; i++) {
      assertThat(Double.doubleToRawLongBits(a[i])).as("value %d: %s vs %s", i, a[i], b[i])
          .isEqualTo(Double.doubleToRawLongBits(b[i]));
    }
  }

  @Test
  void commonShapesTakeTheFastPathAndMatchTheGeneralReading() {
    List<String> bodies = List.of(
        "{\"points\":[{\"step\":0,\"name\":\"loss\",\"value\":1.25,\"timestamp\":\"2026-11-27T10:00:00.5Z\"}]}",
        "{\"points\":[{\"name\":\" loss \",\"value\":3},{\"name\":\"acc\",\"step\":7,\"value\":-0.0}]}",
        "{\"points\":[{\"step\":1,\"name\":\"a\",\"value\":NaN},{\"step\":2,\"name\":\"a\",\"value\":Infinity},"
            + "{\"step\":3,\"name\":\"a\",\"value\":-Infinity},{\"step\":4,\"name\":\"b\",\"value\":1e-300},"
            + "{\"step\":5,\"name\":\"b\",\"value\":0.1000000000000000055511151231257827},"
            + "{\"step\":6,\"name\":\"b\",\"value\":-9223372036854775808},{\"step\":7,\"name\":\"b\",\"value\":0}]}",
        "{\"points\":[{\"step\":9223372036854775807,\"name\":\"x\",\"value\":2.5E3,\"timestamp\":null},"
            + "{\"step\":null,\"name\":\"x\",\"value\":1,\"timestamp\":\"2026-02-03T04:05:06.123456789Z\"}]}",
        "{\"points\":[{\"name\":\"t\",\"value\":1,\"timestamp\":\"0001-01-01T00:00:00.000001Z\"},"
            + "{\"name\":\"t\",\"step\":1,\"value\":1,\"timestamp\":\"9999-12-31T23:59:59.9999994Z\"},"
            + "{\"name\":\"t\",\"step\":2,\"value\":1,\"timestamp\":\"2024-02-29T12:00:00.0000005Z\"},"
            + "{\"name\":\"t\",\"step\":3,\"value\":1,\"timestamp\":\"2026-11-27 12:00:00+02:00\"},"
            + "{\"name\":\"t\",\"step\":4,\"value\":1,\"timestamp\":\"2026-11-27t12:00:00z\"},"
            + "{\"name\":\"t\",\"step\":5,\"value\":1,\"timestamp\":\"1969-12-31T23:59:59.9999999Z\"},"
            + "{\"name\":\"t\",\"step\":6,\"value\":1,\"timestamp\":\"2026-01-01T00:00:00.Z\"}]}",
        "  {\"points\" : [ {\"value\":1,\"name\":\"\u00e9\u6f22\"} ] }  ");
    for (String body : bodies) {
      MetricBatch fast = fast(body);
      MetricBatch general = general(body);
      assertThat(fast).as(body).isNotNull();
      assertThat(general).as(body).isNotNull();
      assertSame(fast, general);
    }
  }

  @Test
  void fractionsOfMicrosecondsRoundAsPostgresqlRoundsTimestampText() {
    assertThat(MetricBatch.micros(Instant.parse("1970-01-01T00:00:00.0000005Z"))).isEqualTo(0);
    assertThat(MetricBatch.micros(Instant.parse("1970-01-01T00:00:00.0000015Z"))).isEqualTo(2);
    assertThat(MetricBatch.micros(Instant.parse("1970-01-01T00:00:00.999999999Z"))).isEqualTo(1_000_000);
    assertThat(MetricBatch.micros(Instant.parse("1969-12-31T23:59:59.000001Z"))).isEqualTo(-999_999);
    assertThat(MetricBatch.micros(Instant.parse("2026-11-27T10:00:00.123Z")))
        .isEqualTo(Instant.parse("2026-11-27T10:00:00Z").getEpochSecond() * 1_000_000 + 123_000);
  }

  @Test
  void anythingUnusualOrInvalidIsLeftToTheGeneralReading() {
    List<String> bodies = List.of(
        "", "[]", "{}", "{\"points\":[]}", "{\"points\":{}}", "{\"points\":null}",
        "{\"points\":[{\"name\":\"a\",\"value\":1}],\"extra\":1}",
        "{\"extra\":1,\"points\":[{\"name\":\"a\",\"value\":1}]}",
        "{\"points\":[{\"name\":\"a\",\"value\":1}]} trailing",
        "{\"points\":[{\"name\":\"a\",\"value\":1}]",
        "{\"points\":[{\"name\":\"a\",\"value\":1,\"name\":\"b\"}]}",
        "{\"points\":[{\"name\":\"a\",\"value\":1,\"other\":2}]}",
        "{\"points\":[{\"name\":\"a\",\"value\":1}],\"points\":[{\"name\":\"b\",\"value\":2}]}",
        "{\"points\":[{\"name\":\"a\",\"value\":1,\"value\":2}]}",
        "{\"points\":[{\"name\":\"a\",\"value\":1},null]}",
        "{\"points\":[{\"name\":\"a\"}]}", "{\"points\":[{\"value\":1}]}",
        "{\"points\":[{\"name\":null,\"value\":1}]}", "{\"points\":[{\"name\":\"  \",\"value\":1}]}",
        "{\"points\":[{\"name\":5,\"value\":1}]}", "{\"points\":[{\"name\":\"a\\u0000\",\"value\":1}]}",
        "{\"points\":[{\"name\":\"a\",\"value\":\"1\"}]}", "{\"points\":[{\"name\":\"a\",\"value\":null}]}",
        "{\"points\":[{\"name\":\"a\",\"value\":1e400}]}", "{\"points\":[{\"name\":\"a\",\"value\":0e-99999}]}",
        "{\"points\":[{\"name\":\"a\",\"value\":1e-99999}]}",
        "{\"points\":[{\"name\":\"a\",\"value\":123456789012345678901234567890}]}",
        "{\"points\":[{\"name\":\"a\",\"value\":1,\"step\":-1}]}",
        "{\"points\":[{\"name\":\"a\",\"value\":1,\"step\":1.0}]}",
        "{\"points\":[{\"name\":\"a\",\"value\":1,\"step\":9223372036854775808}]}",
        "{\"points\":[{\"name\":\"a\",\"value\":1,\"timestamp\":\"2026-02-30T00:00:00Z\"}]}",
        "{\"points\":[{\"name\":\"a\",\"value\":1,\"timestamp\":\"0000-01-01T00:00:00Z\"}]}",
        "{\"points\":[{\"name\":\"a\",\"value\":1,\"timestamp\":\"2026-01-01T24:00:00Z\"}]}",
        "{\"points\":[{\"name\":\"a\",\"value\":1,\"timestamp\":\"2026-01-01T00:00:60Z\"}]}",
        "{\"points\":[{\"name\":\"a\",\"value\":1,\"timestamp\":\"\\u00002026-01-01T00:00:00Z\"}]}",
        "{\"points\":[{\"name\":\"a\",\"value\":1,\"timestamp\":\"2026-01-01\"}]}",
        "{\"points\":[{\"name\":\"a\",\"value\":1,\"timestamp\":5}]}",
        // rounding to microseconds would carry it into year 10000; half of a surrogate pair has no UTF-8 form
        "{\"points\":[{\"name\":\"a\",\"value\":1,\"timestamp\":\"9999-12-31T23:59:59.9999995Z\"}]}",
        "{\"points\":[{\"name\":\"a\\ud800\",\"value\":1}]}");
    for (String body : bodies) {
      assertThat(fast(body)).as(body).isNull();
    }
    // and where the general reading accepts one of them, it is one the fast path may simply not know
    assertThat(general("{\"points\":[{\"name\":\"a\",\"value\":1,\"step\":1.0}]}").steps()).containsExactly(1L);
    assertThat(general("{\"points\":[{\"name\":\"a\",\"value\":1e-99999}]}")).isNull();
    assertThat(general("{\"points\":[{\"name\":\"a\",\"value\":1,\"timestamp\":\"0000-01-01T00:00:00Z\"}]}"))
        .isNull();
    assertThat(general("{\"points\":[{\"name\":\"a\",\"value\":1,\"timestamp\":\"9999-12-31T23:59:59.9999995Z\"}]}"))
        .isNull();
    assertThat(general("{\"points\":[{\"name\":\"a\\ud800\",\"value\":1}]}")).isNull();
  }

  @Test
  void randomDoublesInEveryWrittenFormReadToTheSameBitsAsTheGeneralReading() {
    java.util.Random random = new java.util.Random(7);
    StringBuilder body = new StringBuilder("{\"points\":[");
    for (int i = 0; i < MetricService.MAX_BATCH_POINTS; i++) {
      double d;
      do {
        d = Double.longBitsToDouble(random.nextLong());
      } while (Double.isNaN(d) || Double.isInfinite(d));
      String text = switch (i % 4) {
        case 0 -> Double.toString(d);
        case 1 -> Double.toString(random.nextDouble() * 1000 - 500);
        case 2 -> new java.math.BigDecimal(d).round(new java.math.MathContext(20 + random.nextInt(20))).toString();
        default -> String.format(java.util.Locale.ROOT, "%.6f", random.nextGaussian());
      };
      if (text.indexOf('.') < 0 && text.indexOf('E') < 0) {
        text += ".0"; // a big integral text is a JSON integer, left to the general reading
      }
      body.append(i == 0 ? "" : ",").append("{\"step\":").append(i).append(",\"name\":\"v\",\"value\":")
          .append(text).append('}');
    }
    String json = body.append("]}").toString();
    MetricBatch fast = fast(json);
    assertThat(fast).isNotNull();
    assertSame(fast, general(json));
  }

  @Test
  void tenThousandPointsAreReadAndOneMoreIsLeftToTheGeneralReading() {
    StringBuilder body = new StringBuilder("{\"points\":[");
    for (int i = 0; i < MetricService.MAX_BATCH_POINTS; i++) {
      body.append(i == 0 ? "" : ",").append("{\"step\":").append(i).append(",\"name\":\"m").append(i % 10)
          .append("\",\"value\":").append(i * 0.37).append(",\"timestamp\":\"2026-11-27T10:00:0")
          .append(i % 10).append('.').append(i).append("Z\"}");
    }
    MetricBatch fast = fast(body + "]}");
    assertThat(fast).isNotNull();
    assertThat(fast.size()).isEqualTo(MetricService.MAX_BATCH_POINTS);
    assertThat(fast.names()).hasSize(10);
    assertSame(fast, general(body + "]}"));
    assertThat(fast(body + ",{\"name\":\"x\",\"value\":1}]}")).isNull();
  }
}
