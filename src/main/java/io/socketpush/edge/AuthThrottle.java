package io.socketpush.edge;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Throttles socket authentication failures per client IP and per userId: the first {@code freePerIp} /
 * {@code freePerUser} failures are free, each further one blocks the IP (or the user) for a backoff that
 * doubles from {@code baseBackoffMs} up to {@code maxBackoffMs}; attempts while blocked are answered
 * {@code rate_limited} without asking the auth service. A key's count is forgotten {@code forgetAfterMs}
 * after its last failure, and a successful login clears its user's count. Plain Java, no Vert.x, confined to
 * the edge's event loop; each map is bounded (least recently failed entries are dropped first).
 */
final class AuthThrottle {
  /** Numbers of the policy; read from the runtime config on every decision. */
  record Policy(int freePerIp, int freePerUser, long baseBackoffMs, long maxBackoffMs, long forgetAfterMs) {
  }

  private static final int MAX_ENTRIES = 100_000;

  private static final class Entry {
    int failures;
    long lastFailure;
    long blockedUntil;
  }

  private final Map<String, Entry> ips = lru();
  private final Map<String, Entry> users = lru();

  private static Map<String, Entry> lru() {
    return new LinkedHashMap<>(256, 0.75f, true) {
      @Override
      protected boolean removeEldestEntry(Map.Entry<String, Entry> eldest) {
        return size() > MAX_ENTRIES;
      }
    };
  }

  /** Milliseconds the attempt must wait (0: it may be checked now). */
  long blockedFor(String ip, String user, long now) {
    return Math.max(remaining(ips.get(ip), now), remaining(users.get(user), now));
  }

  /**
   * Records a failed attempt (a wrong session) of {@code user} from {@code ip}; {@code user} null: the IP only (a
   * rejected token names no user that can be believed).
   */
  void failed(String ip, String user, long now, Policy p) {
    bump(ips, ip, p.freePerIp(), now, p);
    if (user != null) {
      bump(users, user, p.freePerUser(), now, p);
    }
  }

  /** A successful login: the user's failures are forgotten (the IP's are not: one IP may guess many users). */
  void succeeded(String user) {
    users.remove(user);
  }

  /** Number of keys tracked (IPs + users), for stats and tests. */
  int size() {
    return ips.size() + users.size();
  }

  private static void bump(Map<String, Entry> map, String key, int free, long now, Policy p) {
    Entry e = map.computeIfAbsent(key, k -> new Entry());
    if (now - e.lastFailure > p.forgetAfterMs()) {
      e.failures = 0;
    }
    e.failures++;
    e.lastFailure = now;
    int over = e.failures - free;
    if (over > 0) {
      long backoff = p.baseBackoffMs() << Math.min(over - 1, 30);
      e.blockedUntil = now + Math.min(p.maxBackoffMs(), backoff);
    }
  }

  private static long remaining(Entry e, long now) {
    return e == null ? 0 : Math.max(0, e.blockedUntil - now);
  }
}
