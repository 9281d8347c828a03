package io.socketpush.user;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * Holds a user's online (its events and presence joins) until every edge attaching the user is ready to deliver
 * its channels' frames: an online sent earlier reaches channel owners that do not know the edge yet, and the
 * user's own socket misses its join. An edge that never says ready (it died, its attach failed) is dropped by
 * {@link #drop} or by the caller's deadline ({@link #expire}). Confined to the owner's event loop; no timers of its
 * own.
 */
final class OnlineGate {
  /** Per held user: the edges still attaching it. */
  private final Map<String, Set<String>> waiting = new HashMap<>();

  /** The user came online through {@code edge}: its online waits for that edge. */
  void hold(String user, String edge) {
    waiting.computeIfAbsent(user, k -> new HashSet<>()).add(edge);
  }

  /** Whether the user's online is held; then it also waits for {@code edge} (another edge attaching meanwhile). */
  boolean join(String user, String edge) {
    Set<String> edges = waiting.get(user);
    if (edges == null) {
      return false;
    }
    edges.add(edge);
    return true;
  }

  /** {@code edge} is ready or gone: true when that released the user's online (no edge left to wait for). */
  boolean release(String user, String edge) {
    Set<String> edges = waiting.get(user);
    if (edges == null || !edges.remove(edge) || !edges.isEmpty()) {
      return false;
    }
    waiting.remove(user);
    return true;
  }

  /** Forgets the user's hold, whatever edges it still waits for: true when it was held (its online is due now). */
  boolean expire(String user) {
    return waiting.remove(user) != null;
  }

  /** The user's online is not due after all (a reconnect within the grace): forgets its hold. */
  void cancel(String user) {
    waiting.remove(user);
  }

  /** Whether the user's online is held. */
  boolean held(String user) {
    return waiting.containsKey(user);
  }
}
