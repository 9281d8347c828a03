package io.socketpush.cluster;

/**
 * Whether silent peers mean that this node cannot hear, not that the peers are gone. A node excluded from
 * the cluster view (frozen, cut off) loses its event-bus registrations: the others drop them, and
 * vertx-infinispan does not restore them on a merge; nothing reaches it until it registers again. JGroups
 * does not see this (its own traffic flows), so the membership infers it from the heartbeats: a node that
 * hears nobody while the view lists other members ({@link #aloneTooLong}), or whose peers in the view all went
 * quiet at once or soon after its own pause, merge or re-registration ({@link #deaf}), re-registers.
 *
 * <p>Pure decisions: the caller passes the clock and the counts; confined to the membership's context.
 */
final class Deafness {
  private final long nodeTimeout;
  /** Since when this node hears no peer although the cluster view has other members (0: it hears some). */
  private long aloneSince;
  /**
   * Whether this node lost its peers in a way that can mean it is deaf: it dropped peers for silence, or it
   * merged back into the view. Until then a node alone in a bigger view is only early: the other members
   * joined the view and are still deploying their roles (seen: 5.7 s on the loaded CI machine), and
   * re-registering would redeploy this node's roles under them.
   */
  private boolean peersLost;
  /** When this node last found itself paused or merged back into the view (it may have become deaf then; 0: not since). */
  private long wokeAt;
  /** When this node last tried to register again (0: never). */
  private long lastRejoin;
  /** Re-registrations in a row, each within three node timeouts of the one before. */
  private int rejoinsInARow;
  /** A peer silent right after a re-registration triggers another one, this many in a row at most. */
  static final int MAX_REJOINS_IN_A_ROW = 3;

  Deafness(long nodeTimeout) {
    this.nodeTimeout = nodeTimeout;
  }

  /** This node was paused (or a re-registration failed) at {@code now}: silence soon after may be its own. */
  void woke(long now) {
    wokeAt = now;
  }

  /**
   * Whether this node itself stood still (frozen JVM, long GC pause, starved CPU) for more than a node
   * timeout: its heartbeat tick last ran at {@code lastTick} (0: never). If so, it woke at {@code now}.
   */
  boolean paused(long lastTick, long now) {
    if (lastTick > 0 && now - lastTick > nodeTimeout) {
      wokeAt = now;
      return true;
    }
    return false;
  }

  /** This node merged back into the cluster view at {@code now}. */
  void merged(long now) {
    wokeAt = now;
    peersLost = true;
  }

  /** This node dropped peers for silence. */
  void peersDropped() {
    peersLost = true;
  }

  /** A re-registration for silent peers is under way: one per wake-up. */
  void forgetWake() {
    wokeAt = 0;
  }

  /** This node starts to register again at {@code now}. */
  void rejoining(long now) {
    rejoinsInARow = lastRejoin > 0 && now - lastRejoin < 3 * nodeTimeout ? rejoinsInARow + 1 : 1;
    wokeAt = 0;
    lastRejoin = now;
  }

  /**
   * Whether this node, alone in its rings ({@code inRings} counts itself) while the view has {@code viewSize}
   * members (0 when there is no view to watch), has been so for a node timeout and last tried to register
   * again more than two node timeouts ago. Call {@link #restartAlone} when acting on it.
   */
  boolean aloneTooLong(long now, int viewSize, int inRings, boolean rejoining) {
    boolean alone = aloneAndDeaf(viewSize, inRings, peersLost);
    if (inRings > 1) {
      peersLost = false;
    }
    if (!alone) {
      aloneSince = 0;
      return false;
    }
    if (aloneSince == 0) {
      aloneSince = now;
    }
    return !rejoining && now - aloneSince > nodeTimeout && now - lastRejoin > 2 * nodeTimeout;
  }

  /** How long this node has been alone at {@code now} (see {@link #aloneTooLong}). */
  long aloneFor(long now) {
    return now - aloneSince;
  }

  /** This node acts on being alone at {@code now}: the next attempt waits for another period. */
  void restartAlone(long now) {
    aloneSince = now;
  }

  /**
   * The decision of {@link #aloneTooLong} without the clock: this node is the only one in its rings
   * ({@code inRings} counts itself) while the cluster view has {@code viewSize} members, and that may be
   * deafness only if it lost peers before ({@code peersLost}: dropped for silence, or merged back); a node
   * that just started and has not heard the members still deploying is not deaf.
   */
  static boolean aloneAndDeaf(int viewSize, int inRings, boolean peersLost) {
    return viewSize > 1 && inRings <= 1 && peersLost;
  }

  /**
   * Whether the silence of {@code silentInView} of the {@code othersInView} peers that are still members of
   * the cluster view says more about this node than about them: they went quiet either every one of them at
   * once (two or more) or any of them shortly after this node was paused or merged back. This node's own copy
   * of the registry may still list them, so asking the cluster manager whether it is registered cannot see it.
   * {@code heardByOthers} of the silent peers are still heard by another peer (see {@link #afterRejoin}).
   */
  boolean deaf(int silentInView, long othersInView, long heardByOthers, long now) {
    return afterRejoin(heardByOthers, now) || deafVerdict(silentInView, othersInView, wokeAt, now, nodeTimeout);
  }

  /**
   * A peer that goes silent within three node timeouts of this node's re-registration while another peer still hears
   * it ({@code heardByOthers}) did not learn the new registration: the re-registration raced the merge's own repair
   * of the registrations (seen in CI: RoleFaultsIT, SIGSTOP of node1, which heard node3 again after its
   * re-registration but never node2, the merge coordinator, so it dropped node2 and its auth role for good). Register
   * again, {@link #MAX_REJOINS_IN_A_ROW} times in a row at most. A peer that froze is silent to every peer, so it
   * never counts here (the first version of this rule counted it and re-registered two healthy nodes when a third
   * was SIGSTOPped 13 s after their own re-registration: StreamFaultsIT then lost an acknowledged message).
   */
  private boolean afterRejoin(long heardByOthers, long now) {
    return heardByOthers > 0 && lastRejoin > 0 && now - lastRejoin < 3 * nodeTimeout && rejoinsInARow < MAX_REJOINS_IN_A_ROW;
  }

  /**
   * The decision of {@link #deaf}: {@code silent} of the {@code othersInView} peers in the view went quiet;
   * deaf if every one of them (two or more), or any of them within three node timeouts of this node's
   * last pause or merge ({@code wokeAt}, 0 if none).
   */
  static boolean deafVerdict(int silent, long othersInView, long wokeAt, long now, long nodeTimeout) {
    if (silent == 0) {
      return false;
    }
    boolean allSilent = silent >= 2 && silent == othersInView;
    boolean afterWake = wokeAt > 0 && now - wokeAt < 3 * nodeTimeout;
    return allSilent || afterWake;
  }
}
