package io.animus.datapilot.http;

import java.util.Map;

/** Where the dispatcher reports changing calls and denials; the audit feature provides it (App wires it in). */
@FunctionalInterface
public interface AuditSink {
  /** One audited call or denial, as the dispatcher saw it. */
  record Event(String requestId, String actor, String action, String path, int status, String outcome,
               String projectId, Map<String, Object> details) {}

  /** Records the event before the answer is sent; may throw, which the dispatcher logs. */
  void append(Event event);
}
