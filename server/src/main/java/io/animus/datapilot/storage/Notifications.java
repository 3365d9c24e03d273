package io.animus.datapilot.storage;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.regex.Pattern;
import org.jdbi.v3.core.Handle;

/** PostgreSQL NOTIFY / LISTEN: the statements, for whichever feature owns a channel. */
public final class Notifications {
  private static final Pattern CHANNEL = Pattern.compile("[a-z_][a-z0-9_]{0,62}");

  private Notifications() {}

  /**
   * Sends {@code payload} on {@code channel} inside {@code h}'s transaction: listeners hear it when, and
   * only if, that transaction commits. PostgreSQL limits a payload to 8000 bytes.
   */
  public static void send(Handle h, String channel, String payload) {
    h.createQuery("SELECT pg_notify(:channel, :payload)")
        .bind("channel", channel)
        .bind("payload", payload)
        .mapTo(String.class)
        .one();
  }

  /** Sends several notifications on {@code channel} in one round trip, in order. */
  public static void sendAll(Handle h, String channel, java.util.List<String> payloads) {
    if (payloads.isEmpty()) {
      return;
    }
    if (payloads.size() == 1) {
      send(h, channel, payloads.get(0));
      return;
    }
    h.createQuery("""
            SELECT count(pg_notify(:channel, p.payload))
            FROM unnest(CAST(:payloads AS text[])) WITH ORDINALITY AS p(payload, ord)""")
        .bind("channel", channel)
        .bindArray("payloads", String.class, payloads)
        .mapTo(Long.class)
        .one();
  }

  /** Subscribes the session of a dedicated connection to {@code channel} (a plain lower-case identifier). */
  public static void listen(Connection connection, String channel) throws SQLException {
    if (!CHANNEL.matcher(channel).matches()) {
      throw new IllegalArgumentException("not a plain channel name: " + channel);
    }
    try (Statement s = connection.createStatement()) {
      s.execute("LISTEN " + channel);
    }
  }
}
