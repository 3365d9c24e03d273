package io.animus.datapilot.bench;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Input for the telemetry engine's storage decision: how many bytes a stored point costs, and how fast a
 * session writes them, for one row per point against segment rows of N consecutive points (arrays, or one
 * compact {@code bytea}: delta-varint steps and times, raw float64 bits). Same embedded PostgreSQL, same
 * seeded training-like curves, durable commits (fsync, synchronous_commit on) in every layout.
 *
 * <pre>java -cp "bench/target/classes:bench/target/lib/*" io.animus.datapilot.bench.PointsLayoutBench
 *     points=2000000 series=10 segments=100,1000,10000</pre>
 */
public final class PointsLayoutBench {
  private static final int COMMIT_EVERY_POINTS = 10_000;

  private PointsLayoutBench() {}

  /** One series' points, in step order: the shape a training job logs. */
  record Points(int seriesId, long[] steps, double[] values, long[] timesMicros) {}

  public static void main(String[] args) throws Exception {
    int points = intArg(args, "points", 2_000_000);
    int series = intArg(args, "series", 10);
    List<Integer> segments = new ArrayList<>();
    for (String s : stringArg(args, "segments", "100,1000,10000").split(",")) {
      segments.add(Integer.parseInt(s.trim()));
    }
    List<Points> data = curves(points, series, 42);
    Path dir = Files.createTempDirectory("datapilot-points-layout");
    try (EmbeddedPostgres pg = EmbeddedPostgres.builder().setDataDirectory(dir).setCleanDataDirectory(true).start();
         Connection c = pg.getPostgresDatabase().getConnection()) {
      c.setAutoCommit(false);
      System.out.printf(Locale.ROOT, "%,d points in %d series, commit every %,d points; PostgreSQL %s%n",
          points, series, COMMIT_EVERY_POINTS, scalar(c, "SHOW server_version"));
      System.out.printf(Locale.ROOT, "%-26s %14s %12s %14s%n", "layout", "points/s", "bytes/point", "rows");
      report(c, "row per point", points, () -> writeRows(c, data));
      for (int n : segments) {
        report(c, "arrays, " + n + " per row", points, () -> writeArrays(c, data, n));
        report(c, "bytea, " + n + " per row", points, () -> writeBytea(c, data, n));
      }
      verifyBytea(c, data);
    }
  }

  interface Load {
    String table() throws SQLException;
  }

  private static void report(Connection c, String label, int points, Load load) throws SQLException {
    long started = System.nanoTime();
    String table = load.table();
    double seconds = (System.nanoTime() - started) / 1e9;
    c.setAutoCommit(true); // VACUUM runs outside a transaction; it settles the visibility map and free space
    try (Statement s = c.createStatement()) {
      s.execute("VACUUM ANALYZE " + table);
    }
    c.setAutoCommit(false);
    long bytes = Long.parseLong(scalar(c, "SELECT pg_total_relation_size('" + table + "')"));
    long rows = Long.parseLong(scalar(c, "SELECT count(*) FROM " + table));
    System.out.printf(Locale.ROOT, "%-26s %,14.0f %12.1f %,14d%n", label, points / seconds, (double) bytes / points,
        rows);
    try (Statement s = c.createStatement()) {
      s.execute("DROP TABLE " + table);
    }
    c.commit();
  }

  private static String writeRows(Connection c, List<Points> data) throws SQLException {
    exec(c, "CREATE TABLE p_rows (series_id int NOT NULL, step bigint NOT NULL, value float8 NOT NULL, "
        + "time_us bigint NOT NULL, PRIMARY KEY (series_id, step))");
    String sql = "INSERT INTO p_rows SELECT ?, * FROM unnest(?::bigint[], ?::float8[], ?::bigint[]) "
        + "ON CONFLICT DO NOTHING";
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      for (Points p : data) {
        for (int from = 0; from < p.steps().length; from += COMMIT_EVERY_POINTS) {
          int to = Math.min(p.steps().length, from + COMMIT_EVERY_POINTS);
          ps.setInt(1, p.seriesId());
          ps.setArray(2, longs(c, p.steps(), from, to));
          ps.setArray(3, doubles(c, p.values(), from, to));
          ps.setArray(4, longs(c, p.timesMicros(), from, to));
          ps.executeUpdate();
          c.commit();
        }
      }
    }
    return "p_rows";
  }

  private static String writeArrays(Connection c, List<Points> data, int perRow) throws SQLException {
    exec(c, "CREATE TABLE p_arrays (series_id int NOT NULL, first_step bigint NOT NULL, last_step bigint NOT NULL, "
        + "steps bigint[] NOT NULL, vals float8[] NOT NULL, times_us bigint[] NOT NULL, "
        + "PRIMARY KEY (series_id, first_step))");
    try (PreparedStatement ps = c.prepareStatement("INSERT INTO p_arrays VALUES (?, ?, ?, ?, ?, ?)")) {
      segmentLoop(c, data, perRow, (p, from, to) -> {
        ps.setInt(1, p.seriesId());
        ps.setLong(2, p.steps()[from]);
        ps.setLong(3, p.steps()[to - 1]);
        ps.setArray(4, longs(c, p.steps(), from, to));
        ps.setArray(5, doubles(c, p.values(), from, to));
        ps.setArray(6, longs(c, p.timesMicros(), from, to));
        ps.addBatch();
      }, ps);
    }
    return "p_arrays";
  }

  private static String writeBytea(Connection c, List<Points> data, int perRow) throws SQLException {
    exec(c, "CREATE TABLE p_bytea (series_id int NOT NULL, first_step bigint NOT NULL, last_step bigint NOT NULL, "
        + "n int NOT NULL, body bytea NOT NULL, PRIMARY KEY (series_id, first_step))");
    try (PreparedStatement ps = c.prepareStatement("INSERT INTO p_bytea VALUES (?, ?, ?, ?, ?)")) {
      segmentLoop(c, data, perRow, (p, from, to) -> {
        ps.setInt(1, p.seriesId());
        ps.setLong(2, p.steps()[from]);
        ps.setLong(3, p.steps()[to - 1]);
        ps.setInt(4, to - from);
        ps.setBytes(5, encode(p, from, to));
        ps.addBatch();
      }, ps);
    }
    return "p_bytea";
  }

  interface Segment {
    void add(Points p, int from, int to) throws SQLException;
  }

  /** Segments of {@code perRow} points, batched and committed every {@link #COMMIT_EVERY_POINTS}. */
  private static void segmentLoop(Connection c, List<Points> data, int perRow, Segment segment, PreparedStatement ps)
      throws SQLException {
    int pending = 0;
    for (Points p : data) {
      for (int from = 0; from < p.steps().length; from += perRow) {
        int to = Math.min(p.steps().length, from + perRow);
        segment.add(p, from, to);
        pending += to - from;
        if (pending >= COMMIT_EVERY_POINTS) {
          ps.executeBatch();
          c.commit();
          pending = 0;
        }
      }
    }
    ps.executeBatch();
    c.commit();
  }

  /** Steps and times as zig-zag varint deltas, values as raw IEEE 754 bits (bit-exact, NaN included). */
  static byte[] encode(Points p, int from, int to) {
    ByteArrayOutputStream out = new ByteArrayOutputStream((to - from) * 11);
    long prevStep = 0;
    long prevTime = 0;
    for (int i = from; i < to; i++) {
      varint(out, zigzag(p.steps()[i] - prevStep));
      varint(out, zigzag(p.timesMicros()[i] - prevTime));
      prevStep = p.steps()[i];
      prevTime = p.timesMicros()[i];
    }
    ByteBuffer bits = ByteBuffer.allocate((to - from) * 8);
    for (int i = from; i < to; i++) {
      bits.putLong(Double.doubleToRawLongBits(p.values()[i]));
    }
    out.writeBytes(bits.array());
    return out.toByteArray();
  }

  /** The inverse of {@link #encode}, for the round-trip check. */
  static Points decode(int seriesId, int n, byte[] body) {
    long[] steps = new long[n];
    long[] times = new long[n];
    int[] pos = {0};
    long step = 0;
    long time = 0;
    for (int i = 0; i < n; i++) {
      step += unzigzag(readVarint(body, pos));
      time += unzigzag(readVarint(body, pos));
      steps[i] = step;
      times[i] = time;
    }
    ByteBuffer bits = ByteBuffer.wrap(body, pos[0], n * 8);
    double[] values = new double[n];
    for (int i = 0; i < n; i++) {
      values[i] = Double.longBitsToDouble(bits.getLong());
    }
    return new Points(seriesId, steps, values, times);
  }

  /** Reads the last layout's first series back and compares every point bit for bit. */
  private static void verifyBytea(Connection c, List<Points> data) throws SQLException {
    Points first = data.get(0);
    int n = Math.min(first.steps().length, 1000);
    writeBytea(c, List.of(first), n);
    try (Statement s = c.createStatement();
         ResultSet rs = s.executeQuery("SELECT n, body FROM p_bytea WHERE series_id = " + first.seriesId()
             + " AND first_step = " + first.steps()[0])) {
      rs.next();
      Points back = decode(first.seriesId(), rs.getInt(1), rs.getBytes(2));
      for (int i = 0; i < n; i++) {
        if (back.steps()[i] != first.steps()[i] || back.timesMicros()[i] != first.timesMicros()[i]
            || Double.doubleToRawLongBits(back.values()[i]) != Double.doubleToRawLongBits(first.values()[i])) {
          throw new IllegalStateException("bytea round trip differs at point " + i);
        }
      }
    }
    exec(c, "DROP TABLE p_bytea");
    System.out.println("bytea round trip: " + n + " points bit-exact (NaN and infinities included)");
  }

  /** Loss-like curves: noisy decay, a few NaN/Infinity, steps mostly +1 with gaps, times ~50 ms apart. */
  static List<Points> curves(int points, int series, long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    List<Points> out = new ArrayList<>();
    int per = points / series;
    for (int s = 0; s < series; s++) {
      long[] steps = new long[per];
      double[] values = new double[per];
      long[] times = new long[per];
      long step = 0;
      long time = 1_796_000_000_000_000L;
      for (int i = 0; i < per; i++) {
        step += random.nextInt(100) == 0 ? 1 + random.nextInt(10) : 1;
        time += 40_000 + random.nextInt(20_000);
        steps[i] = step;
        times[i] = time;
        double v = 2.5 * Math.exp(-i / (per / 4.0)) + 0.05 * random.nextDouble();
        values[i] = i % 100_003 == 7 ? Double.NaN : i % 200_003 == 11 ? Double.POSITIVE_INFINITY : v;
      }
      out.add(new Points(s + 1, steps, values, times));
    }
    return out;
  }

  private static long zigzag(long v) {
    return (v << 1) ^ (v >> 63);
  }

  private static long unzigzag(long v) {
    return (v >>> 1) ^ -(v & 1);
  }

  private static void varint(ByteArrayOutputStream out, long v) {
    while ((v & ~0x7FL) != 0) {
      out.write((int) ((v & 0x7F) | 0x80));
      v >>>= 7;
    }
    out.write((int) v);
  }

  private static long readVarint(byte[] b, int[] pos) {
    long v = 0;
    for (int shift = 0; ; shift += 7) {
      byte x = b[pos[0]++];
      v |= (long) (x & 0x7F) << shift;
      if ((x & 0x80) == 0) {
        return v;
      }
    }
  }

  private static Array longs(Connection c, long[] a, int from, int to) throws SQLException {
    Long[] boxed = new Long[to - from];
    for (int i = from; i < to; i++) {
      boxed[i - from] = a[i];
    }
    return c.createArrayOf("bigint", boxed);
  }

  private static Array doubles(Connection c, double[] a, int from, int to) throws SQLException {
    Double[] boxed = new Double[to - from];
    for (int i = from; i < to; i++) {
      boxed[i - from] = a[i];
    }
    return c.createArrayOf("float8", boxed);
  }

  private static void exec(Connection c, String sql) throws SQLException {
    try (Statement s = c.createStatement()) {
      s.execute(sql);
    }
    c.commit();
  }

  private static String scalar(Connection c, String sql) throws SQLException {
    try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
      rs.next();
      return rs.getString(1);
    }
  }

  private static int intArg(String[] args, String name, int fallback) {
    return Integer.parseInt(stringArg(args, name, Integer.toString(fallback)));
  }

  private static String stringArg(String[] args, String name, String fallback) {
    for (String a : args) {
      if (a.startsWith(name + "=")) {
        return a.substring(name.length() + 1);
      }
    }
    return fallback;
  }
}
