package io.animus.sdk;

import java.util.Map;

/**
 * A validated event waiting for the sender.
 *
 * @param clientEventId the id that makes a resent event a duplicate the server ignores
 * @param level {@code debug}, {@code info}, {@code warn} or {@code error}
 * @param message the message
 * @param metadata free-form metadata (may be empty)
 * @param time when it was logged, epoch milliseconds
 */
record QueuedEvent(String clientEventId, String level, String message, Map<String, Object> metadata, long time) {}
