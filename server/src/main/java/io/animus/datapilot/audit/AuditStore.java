package io.animus.datapilot.audit;

import io.animus.datapilot.kernel.Json;
import java.util.List;
import java.util.Map;
import org.jdbi.v3.core.Jdbi;

/** The append-only audit log ({@code audit_events}; a trigger refuses UPDATE and DELETE). */
public final class AuditStore {
  private final Jdbi jdbi;

  public AuditStore(Jdbi jdbi) {
    this.jdbi = jdbi;
  }

  /** One audited call or denial. */
  public record Entry(String requestId, String actor, String action, String path, int status, String outcome,
                      String projectId, Map<String, Object> details) {}

  /** Inserts entries in order, in one statement and one commit. */
  public void appendAll(List<Entry> entries) {
    jdbi.useHandle(h -> h.createUpdate("""
            INSERT INTO audit_events (request_id, actor, action, path, status, outcome, project_id, details)
            SELECT e.request_id, e.actor, e.action, e.path, e.status, e.outcome, e.project_id,
                   CAST(e.details AS jsonb)
            FROM unnest(CAST(:request_ids AS text[]), CAST(:actors AS text[]), CAST(:actions AS text[]),
                        CAST(:paths AS text[]), CAST(:statuses AS integer[]), CAST(:outcomes AS text[]),
                        CAST(:project_ids AS text[]), CAST(:details AS text[]))
                 WITH ORDINALITY AS e(request_id, actor, action, path, status, outcome, project_id, details, ord)
            ORDER BY e.ord
            """)
        .bindArray("request_ids", String.class, entries.stream().map(e -> clean(e.requestId())).toList())
        .bindArray("actors", String.class, entries.stream().map(e -> clean(e.actor())).toList())
        .bindArray("actions", String.class, entries.stream().map(e -> clean(e.action())).toList())
        .bindArray("paths", String.class, entries.stream().map(e -> clean(e.path())).toList())
        .bindArray("statuses", Integer.class, entries.stream().map(Entry::status).toList())
        .bindArray("outcomes", String.class, entries.stream().map(Entry::outcome).toList())
        .bindArray("project_ids", String.class, entries.stream().map(e -> clean(e.projectId())).toList())
        .bindArray("details", String.class,
            entries.stream().map(e -> Json.writeString(e.details()).replace("\\u0000", "\\ufffd")).toList())
        .execute());
  }

  /** PostgreSQL text and jsonb refuse NUL; the audit keeps what it can rather than nothing. */
  private static String clean(String text) {
    return text == null ? null : text.replace('\u0000', '\ufffd');
  }
}
