package io.socketpush.edge;

import io.socketpush.config.RuntimeConfig;
import io.socketpush.config.EdgeConfig;
import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The edge's defences against brute force and floods, all confined to the edge's event loop:
 * <ul>
 *   <li>socket authentication failures throttled per IP and per user ({@link AuthThrottle});</li>
 *   <li>unauthenticated sockets capped per IP ({@code edge.maxUnauthenticatedPerIp});</li>
 *   <li>a node-wide budget of bytes queued for slow sockets ({@code edge.maxQueuedBytes}): every write is
 *   counted until the transport says it left the process; beyond the budget the sockets with the most queued
 *   bytes are closed as slow consumers until the total is back under 90% of it.</li>
 * </ul>
 */
final class EdgeGuards {
  private static final Logger LOG = LoggerFactory.getLogger(EdgeGuards.class);

  private final String nodeId;
  private final RuntimeConfig config;
  private final AuthThrottle throttle = new AuthThrottle();
  private final Map<String, Integer> unauthenticated = new HashMap<>();
  /** Sockets with bytes queued, in no particular order. */
  private final Set<ClientSession> backlogged = new LinkedHashSet<>();
  private long queuedBytes;
  private long shedCloses;
  private long lastShedLog;

  EdgeGuards(String nodeId, RuntimeConfig config) {
    this.nodeId = nodeId;
    this.config = config;
  }

  private EdgeConfig edge() {
    return config.get().edge();
  }

  AuthThrottle.Policy policy() {
    EdgeConfig e = edge();
    long max = e.authBackoffMax();
    return new AuthThrottle.Policy(e.authFailuresPerIp(), e.authFailuresPerUser(),
        Math.min(1_000, max), max, Math.max(60_000, 10 * max));
  }

  /** Milliseconds an auth attempt of {@code user} from {@code ip} must wait; 0 when it may be checked. */
  long authBlockedFor(String ip, String user) {
    return throttle.blockedFor(ip, user, System.currentTimeMillis());
  }

  void authFailed(String ip, String user) {
    throttle.failed(ip, user, System.currentTimeMillis(), policy());
  }

  void authSucceeded(String user) {
    throttle.succeeded(user);
  }

  /** Counts a new unauthenticated socket of its IP; false (and not counted) when the IP is at its cap. */
  boolean admitUnauthenticated(ClientSession s) {
    String ip = s.remoteHost();
    int n = unauthenticated.getOrDefault(ip, 0);
    if (n >= edge().maxUnauthenticatedPerIp()) {
      return false;
    }
    unauthenticated.put(ip, n + 1);
    s.pendingHost = ip;
    return true;
  }

  /** The socket authenticated or closed: it no longer counts as unauthenticated. */
  void notPending(ClientSession s) {
    String ip = s.pendingHost;
    if (ip != null) {
      s.pendingHost = null;
      unauthenticated.computeIfPresent(ip, (k, n) -> n <= 1 ? null : n - 1);
    }
  }

  /** Unauthenticated sockets of one IP (tests, stats). */
  int unauthenticated(String ip) {
    return unauthenticated.getOrDefault(ip, 0);
  }

  /**
   * Counts {@code bytes} written to {@code s} until {@code written} completes (the transport handed them to
   * the OS, or failed); closes the slowest sockets when the node's total passes the budget.
   */
  void queued(ClientSession s, int bytes, Future<Void> written) {
    if (s.closed()) {
      return;
    }
    s.queuedBytes += bytes;
    queuedBytes += bytes;
    backlogged.add(s);
    written.onComplete(ar -> drained(s, bytes));
    if (queuedBytes > edge().maxQueuedBytes()) {
      shed();
    }
  }

  private void drained(ClientSession s, int bytes) {
    if (s.queuedBytes < bytes) {
      return; // already released when the socket closed
    }
    s.queuedBytes -= bytes;
    queuedBytes -= bytes;
    if (s.queuedBytes == 0) {
      backlogged.remove(s);
    }
  }

  /** A closed socket's queue no longer counts (its transport frees it). */
  void closed(ClientSession s) {
    notPending(s);
    queuedBytes -= s.queuedBytes;
    s.queuedBytes = 0;
    backlogged.remove(s);
  }

  private void shed() {
    long budget = edge().maxQueuedBytes();
    long target = budget - budget / 10;
    List<ClientSession> slowest = new ArrayList<>(backlogged);
    slowest.sort(Comparator.comparingLong((ClientSession c) -> c.queuedBytes).reversed());
    int closed = 0;
    for (ClientSession c : slowest) {
      if (queuedBytes <= target) {
        break;
      }
      c.closeSlow();
      closed++;
    }
    shedCloses += closed;
    long now = System.currentTimeMillis();
    if (now - lastShedLog > 10_000) {
      lastShedLog = now;
      LOG.warn("[{}] outbound budget of {} bytes exceeded: closed the {} slowest socket(s) ({} in total so far)",
          nodeId, budget, closed, shedCloses);
    }
  }

  /** Bytes queued for all sockets of this node. */
  long queuedBytes() {
    return queuedBytes;
  }

  long shedCloses() {
    return shedCloses;
  }
}
