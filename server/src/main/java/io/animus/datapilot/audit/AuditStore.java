package io.animus.datapilot.audit;

import io.animus.datapilot.http.Json;
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

  public void append(Entry e) {
    jdbi.useHandle(h -> h.createUpdate("""
            INSERT INTO audit_events (request_id, actor, action, path, status, outcome, project_id, details)
            VALUES (:request_id, :actor, :action, :path, :status, :outcome, :project_id, CAST(:details AS jsonb))
            """)
        .bind("request_id", e.requestId())
        .bind("actor", e.actor())
        .bind("action", e.action())
        .bind("path", e.path().replace('\u0000', '\ufffd'))
        .bind("status", e.status())
        .bind("outcome", e.outcome())
        .bind("project_id", e.projectId())
        .bind("details", clean(Json.writeString(e.details())))
        .execute());
  }

  /** PostgreSQL text and jsonb refuse NUL; the audit keeps what it can rather than nothing. */
  private static String clean(String json) {
    return json.replace("\\u0000", "\\ufffd");
  }
}
