package io.socketpush.cluster;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Predicate;

/**
 * Minority fencing: whether this (server) node may serve. It serves only while it sees a majority of the
 * <em>last-known cluster</em> (the server nodes in its rings the last time it had a majority: the baseline).
 * A peer counts towards that majority only while its heartbeats keep saying that it hears this node (their
 * {@code hears}, see {@link PeerTable#hears}; {@link #confirmed} within the last {@link #fenceAfter}): so a node
 * whose outgoing traffic is lost learns it too. A node without a majority for {@link #fenceAfter} (less than {@code nodeTimeout}, after which the
 * majority drops it) is <em>fenced</em>; it serves again once a majority has confirmed it without a break for
 * {@link #holdDown} ({@code nodeTimeout}). A node that stood still longer than {@link #fenceAfter} plus a
 * heartbeat (SIGSTOP, GC pause) fences itself when it wakes ({@link #overdue}). While this node starts
 * ({@code nodeTimeout + fenceAfter}) the baseline grows with every server node heard and nothing is fenced.
 * Graceful leaves ({@link #left}) shrink the baseline; while it has a majority the baseline follows the
 * current members.
 *
 * <p>Pure decisions: the caller passes the clock and the members, applies the {@link Outcome} (rebuild the
 * rings, publish, log) and is the only writer (the membership's context); {@link #fenced()} and
 * {@link #reason()} may be read from any thread.
 */
final class Quorum {
  /** What an evaluation changed. */
  enum Kind { NOTHING, FENCED, SERVING_AGAIN, BASELINE_MOVED }

  /**
   * What an evaluation changed; {@code detail} says why it fenced, which majority confirmed it (serving
   * again) or the new baseline.
   */
  record Outcome(Kind kind, String detail) {
    static final Outcome NOTHING = new Outcome(Kind.NOTHING, "");
  }

  private final String self;
  /** Without a majority confirming this node for this many ms, it fences itself (less than nodeTimeout). */
  private final long fenceAfter;
  /** A fenced node serves again after a majority confirmed it without a break for this many ms. */
  private final long holdDown;
  /** A tick overdue by more than this many ms means this node stood still. */
  private final long standstill;
  /** How long after start the baseline only grows. */
  private final long starting;
  private long startedAt;
  /** Server node ids of the last cluster this node saw a majority of (null: not decided yet). */
  private Set<String> baseline;
  /** Per peer: when its heartbeat last said that it hears this node (or when it was admitted). */
  private final Map<String, Long> confirmedAt = new HashMap<>();
  /** While fenced: since when a majority confirms this node without a break (0: it does not). */
  private long quorumSince;
  private long fencedAt;
  private volatile boolean fenced;
  private volatile String reason = "";

  Quorum(String self, long heartbeatInterval, long nodeTimeout) {
    this.self = self;
    this.fenceAfter = Math.max(heartbeatInterval, Math.min(nodeTimeout - 2 * heartbeatInterval, 2 * heartbeatInterval));
    this.holdDown = nodeTimeout;
    this.standstill = fenceAfter + heartbeatInterval;
    this.starting = nodeTimeout + fenceAfter;
  }

  /** This node starts at {@code now}: the start-up growth of the baseline begins. */
  void start(long now) {
    startedAt = now;
  }

  /** {@code peer}'s heartbeat says it hears this node (or it was just admitted: one fence period to learn of us). */
  void confirmed(String peer, long now) {
    confirmedAt.put(peer, now);
  }

  /** {@code peer} left the rings. */
  void forget(String peer) {
    confirmedAt.remove(peer);
  }

  /** {@code peer} left gracefully (rolling restart): the cluster the majority counts from shrinks. */
  void left(String peer) {
    if (baseline != null && !fenced) {
      baseline.remove(peer);
    }
  }

  /** This node stood still: every peer must confirm it afresh. */
  void forgetConfirmations() {
    confirmedAt.clear();
  }

  /**
   * Decides whether this node may serve at {@code now}: fences it when a majority of the baseline stopped
   * confirming it, lifts the fence after {@link #holdDown} of uninterrupted majority, and moves the baseline
   * to the current members while it has a majority.
   *
   * @param members node ids in the rings now (this one included)
   * @param servers the server node ids among them (fenced ones included: members, just not serving)
   * @param heard peers whose own heartbeats reached this node (not only their registry entry)
   */
  Outcome evaluate(long now, Set<String> members, Set<String> servers, Set<String> heard) {
    if (baseline == null) {
      baseline = new TreeSet<>(Set.of(self));
    }
    if (now - startedAt < starting) {
      // registry entries of dead nodes, never heard, stay out of the baseline; fencing starts after the start
      for (String id : servers) {
        if (heard.contains(id)) {
          baseline.add(id);
        }
      }
      return Outcome.NOTHING;
    }
    Set<String> voters = baseline;
    if (!hasMajority(voters, self, id -> members.contains(id) && confirms(id, now))) {
      quorumSince = 0;
      if (fenced) {
        return Outcome.NOTHING;
      }
      long confirming = voters.stream().filter(id -> !id.equals(self) && confirms(id, now)).count();
      return fence("it sees " + (confirming + 1) + " of the last-known " + voters.size() + " nodes " + voters + ", no majority", now);
    }
    if (fenced) {
      if (quorumSince == 0) {
        quorumSince = now;
      }
      if (now - quorumSince < holdDown) {
        return Outcome.NOTHING;
      }
      fenced = false;
      reason = "";
      baseline = new TreeSet<>(servers);
      return new Outcome(Kind.SERVING_AGAIN, "a majority of " + voters + " confirmed this node for " + (now - quorumSince) + " ms");
    }
    if (!servers.equals(baseline)) {
      baseline = new TreeSet<>(servers);
      return new Outcome(Kind.BASELINE_MOVED, baseline.toString());
    }
    return Outcome.NOTHING;
  }

  private boolean confirms(String id, long now) {
    Long c = confirmedAt.get(id);
    return c != null && now - c <= fenceAfter;
  }

  /** Fences this node at {@code now} for {@code why}; {@link Kind#NOTHING} if it already is. */
  Outcome fence(String why, long now) {
    if (fenced) {
      return Outcome.NOTHING;
    }
    fenced = true;
    fencedAt = now;
    reason = why;
    quorumSince = 0;
    return new Outcome(Kind.FENCED, why);
  }

  /**
   * Whether this node and the voters that confirm it are a strict majority of {@code voters} (this node counts
   * itself even when it is not among them, e.g. while it joins).
   */
  static boolean hasMajority(Set<String> voters, String self, Predicate<String> confirms) {
    Set<String> all = new TreeSet<>(voters);
    all.add(self);
    long yes = all.stream().filter(id -> id.equals(self) || confirms.test(id)).count();
    return 2 * yes > all.size();
  }

  /**
   * The stood-still rule: whether the heartbeat tick last run at {@code lastTick} (0: never) is overdue by
   * more than a fence period and a heartbeat at {@code now}. The majority may have dropped this node and
   * acknowledged publishes its sockets never got.
   */
  boolean overdue(long lastTick, long now) {
    return overdue(lastTick, now, standstill);
  }

  /** Whether a tick last run at {@code lastTick} (0: never) is overdue by more than {@code limit} at {@code now}. */
  static boolean overdue(long lastTick, long now, long limit) {
    return lastTick > 0 && now - lastTick > limit;
  }

  /**
   * A fenced node re-registers only after the cluster view changed ({@code viewChangedAt}) since it was
   * fenced (a merge): before, it is cut off and re-registering (which redeploys the roles) cannot succeed.
   */
  boolean mayRejoin(long viewChangedAt) {
    return !fenced || viewChangedAt > fencedAt;
  }

  boolean fenced() {
    return fenced;
  }

  /** Why this node is fenced (empty when it is not). */
  String reason() {
    return reason;
  }

  long holdDown() {
    return holdDown;
  }

  /** The last-known cluster (null before the first evaluation). */
  Set<String> baseline() {
    return baseline == null ? null : Set.copyOf(baseline);
  }
}
