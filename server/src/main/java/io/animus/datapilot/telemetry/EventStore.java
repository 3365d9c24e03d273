package io.animus.datapilot.telemetry;

import io.animus.datapilot.kernel.Json;
import io.animus.datapilot.storage.Rows;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.UUID;
import org.jdbi.v3.core.Handle;

/** Rows of {@code run_events} (the run's live fields they update are {@code RunStore}'s). */
public final class EventStore {

  /** Inserts in order; an event whose client id the run has already seen is skipped. */
  public List<RunEvent> insert(Handle h, UUID runId, List<RunEvent.New> events) {
    return h.createQuery("""
            INSERT INTO run_events (event_id, run_id, occurred_at, actor, level, message, metadata, client_event_id)
            SELECT nextval('run_event_ids'), :run_id, e.occurred_at, e.actor, e.level, e.message,
                   CAST(e.metadata AS json), e.client_event_id
            FROM unnest(CAST(:occurred_at AS timestamptz[]), CAST(:actors AS text[]), CAST(:levels AS text[]),
                        CAST(:messages AS text[]), CAST(:metadata AS text[]), CAST(:client_ids AS text[]))
                 WITH ORDINALITY AS e(occurred_at, actor, level, message, metadata, client_event_id, ord)
            ON CONFLICT (run_id, client_event_id) WHERE client_event_id IS NOT NULL DO NOTHING
            RETURNING event_id, run_id, occurred_at, actor, level, message, metadata, client_event_id
            """)
        .bind("run_id", runId)
        .bindArray("occurred_at", String.class, events.stream().map(e -> e.occurredAt().toString()).toList())
        .bindArray("actors", String.class, events.stream().map(RunEvent.New::actor).toList())
        .bindArray("levels", String.class, events.stream().map(RunEvent.New::level).toList())
        .bindArray("messages", String.class, events.stream().map(RunEvent.New::message).toList())
        .bindArray("metadata", String.class, events.stream().map(e -> Json.writeString(e.metadata())).toList())
        .bindArray("client_ids", String.class, events.stream().map(RunEvent.New::clientEventId).toList())
        .map((rs, ctx) -> map(rs))
        .list()
        .stream().sorted(java.util.Comparator.comparingLong(RunEvent::eventId)).toList();
  }

  /** Newest first, below the cursor (0 = none). */
  public List<RunEvent> listBefore(Handle h, UUID runId, long beforeId, int limit) {
    return h.createQuery("""
            SELECT event_id, run_id, occurred_at, actor, level, message, metadata, client_event_id
            FROM run_events WHERE run_id = :run_id AND (:before_id = 0 OR event_id < :before_id)
            ORDER BY event_id DESC LIMIT :limit
            """)
        .bind("run_id", runId)
        .bind("before_id", beforeId)
        .bind("limit", limit)
        .map((rs, ctx) -> map(rs))
        .list();
  }

  /** The run's highest event id, 0 when it has none. */
  public long latestId(Handle h, UUID runId) {
    return h.createQuery("SELECT COALESCE(max(event_id), 0) FROM run_events WHERE run_id = :run_id")
        .bind("run_id", runId)
        .mapTo(Long.class)
        .one();
  }

  /** Oldest first, ids in [fromId, toId]. */
  public List<RunEvent> listBetween(Handle h, UUID runId, long fromId, long toId, int limit) {
    return h.createQuery("""
            SELECT event_id, run_id, occurred_at, actor, level, message, metadata, client_event_id
            FROM run_events WHERE run_id = :run_id AND event_id BETWEEN :from_id AND :to_id
            ORDER BY event_id LIMIT :limit
            """)
        .bind("run_id", runId)
        .bind("from_id", fromId)
        .bind("to_id", toId)
        .bind("limit", limit)
        .map((rs, ctx) -> map(rs))
        .list();
  }

  private static RunEvent map(ResultSet rs) throws SQLException {
    return new RunEvent(rs.getLong("event_id"), rs.getObject("run_id", UUID.class), Rows.instant(rs, "occurred_at"),
        rs.getString("actor"), rs.getString("level"), rs.getString("message"),
        Json.readObject(rs.getString("metadata")), rs.getString("client_event_id"));
  }

  /** Removes a run's events, inside a purge (docs/protocol.md §3.6). */
  public void purgeRun(Handle h, UUID runId) {
    io.animus.datapilot.storage.Purge.allowDeletes(h);
    h.createUpdate("DELETE FROM run_events WHERE run_id = :run_id").bind("run_id", runId).execute();
  }
}
