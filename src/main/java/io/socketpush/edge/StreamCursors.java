package io.socketpush.edge;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Where one socket is in the streams it resumed: while the edge replays a stream's history to the socket,
 * live deliveries of that stream are held back (in order); afterwards they are written only when newer than
 * what the socket already got, so the socket sees every message once and in order. Sockets that did not
 * resume carry none of this (the hot path then checks one null field). Confined to the edge's event loop.
 */
final class StreamCursors {
  /** Live deliveries one stream may hold back while its history is being read and replayed. */
  static final int MAX_HELD = 10_000;

  /** A held-back live delivery. */
  private record Held(String frame, String epoch, long offset) {
  }

  private static final class Cursor {
    boolean holding = true;
    String epoch;
    long last = -1;
    List<Held> held = new ArrayList<>();
  }

  /** What {@link #offer} decided about a live delivery. */
  enum Decision { WRITE, HELD, DUPLICATE, OVERFLOW }

  private final Map<String, Cursor> cursors = new HashMap<>();

  /** Starts holding back live deliveries of a stream (before the socket can receive any). */
  void hold(String stream) {
    cursors.put(stream, new Cursor());
  }

  boolean isEmpty() {
    return cursors.isEmpty();
  }

  /** A live delivery of {@code stream} at {@code epoch:offset}: write it now, hold it, or drop it as a duplicate. */
  Decision offer(String stream, String frame, String epoch, long offset) {
    Cursor c = cursors.get(stream);
    if (c == null || offset < 0) {
      return Decision.WRITE;
    }
    if (c.holding) {
      if (c.held.size() >= MAX_HELD) {
        return Decision.OVERFLOW;
      }
      c.held.add(new Held(frame, epoch, offset));
      return Decision.HELD;
    }
    return advance(c, epoch, offset) ? Decision.WRITE : Decision.DUPLICATE;
  }

  /** True when the message is newer than the socket's last one of the stream (a new epoch starts over). */
  private static boolean advance(Cursor c, String epoch, long offset) {
    if (c.epoch == null || !c.epoch.equals(epoch)) {
      c.epoch = epoch;
      c.last = offset;
      return true;
    }
    if (offset <= c.last) {
      return false;
    }
    c.last = offset;
    return true;
  }

  /**
   * The replay of a stream was written up to {@code epoch:top} (epoch null: nothing replayed): stops holding
   * and returns the held live frames still to write, in order, without those the replay covered.
   */
  List<String> release(String stream, String epoch, long top) {
    Cursor c = cursors.get(stream);
    if (c == null) {
      return List.of();
    }
    c.holding = false;
    c.epoch = epoch;
    c.last = epoch == null ? -1 : top;
    List<String> out = new ArrayList<>(c.held.size());
    for (Held h : c.held) {
      if (advance(c, h.epoch(), h.offset())) {
        out.add(h.frame());
      }
    }
    c.held = List.of();
    return out;
  }

  /** The lowest offset of {@code epoch} held back for the stream; -1 when none. */
  long firstHeld(String stream, String epoch) {
    Cursor c = cursors.get(stream);
    long first = -1;
    if (c != null) {
      for (Held h : c.held) {
        if (epoch.equals(h.epoch()) && (first < 0 || h.offset() < first)) {
          first = h.offset();
        }
      }
    }
    return first;
  }

  /** Stops tracking a stream (the socket may not receive it); returns what was held, to write. */
  List<String> drop(String stream) {
    Cursor c = cursors.remove(stream);
    List<String> out = new ArrayList<>();
    if (c != null) {
      c.held.forEach(h -> out.add(h.frame()));
    }
    return out;
  }

  /** Streams being resumed or resumed. */
  java.util.Set<String> streams() {
    return new java.util.HashSet<>(cursors.keySet());
  }
}
