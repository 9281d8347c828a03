package io.socketpush.delivery;

/**
 * An edge's inbox as owners on the same Vert.x instance call it without the event bus ({@code cluster.localCalls},
 * see {@link EdgeOps#bindLocal}): one operation of {@link EdgeOps} with its headers and body; the answer is what the
 * event-bus reply would carry.
 */
public interface EdgeInbox {
  Object handle(String op, String key, String epoch, long offset, String sentAt, Object body);
}
