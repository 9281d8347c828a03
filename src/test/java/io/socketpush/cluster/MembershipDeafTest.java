package io.socketpush.cluster;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * When silent peers mean that this node cannot hear (its registrations were dropped while it was out of the
 * view), not that the peers are gone. The end-to-end case is RoleFaultsIT's frozen node.
 */
class MembershipDeafTest {
  static final long TIMEOUT = 5_000;
  static final long NOW = 1_000_000;

  @Test
  void everyPeerInTheViewSilentAtOnceMeansDeaf() {
    assertTrue(Deafness.deafVerdict(3, 3, 0, NOW, TIMEOUT));
    assertTrue(Deafness.deafVerdict(2, 2, 0, NOW, TIMEOUT));
  }

  @Test
  void somePeersSilentIsTheirProblem() {
    assertFalse(Deafness.deafVerdict(1, 3, 0, NOW, TIMEOUT), "one frozen peer of three");
    assertFalse(Deafness.deafVerdict(2, 3, 0, NOW, TIMEOUT));
    assertFalse(Deafness.deafVerdict(0, 3, NOW - 1_000, NOW, TIMEOUT), "nobody silent");
  }

  @Test
  void theOnlyPeerSilentIsNotEnoughWithoutAWakeUp() {
    // in a two-node cluster a frozen peer looks the same from here until JGroups excludes it
    assertFalse(Deafness.deafVerdict(1, 1, 0, NOW, TIMEOUT));
  }

  @Test
  void anyPeerSilentSoonAfterThisNodeWasPausedOrMergedMeansDeaf() {
    assertTrue(Deafness.deafVerdict(1, 3, NOW - 6_000, NOW, TIMEOUT));
    assertTrue(Deafness.deafVerdict(1, 1, NOW - 14_999, NOW, TIMEOUT));
    assertFalse(Deafness.deafVerdict(1, 3, NOW - 15_000, NOW, TIMEOUT), "the wake-up is long past");
  }

  @Test
  void aNodeAloneInABiggerViewIsDeafOnlyAfterItLostPeers() {
    // CI: node2 started first; node1 and node3 were in the view 5.7 s before their first heartbeat, and node2
    // redeployed its roles (closing its admin port) under a test that had just seen the port answer
    assertFalse(Deafness.aloneAndDeaf(3, 1, false), "peers still starting: not deaf");
    assertTrue(Deafness.aloneAndDeaf(3, 1, true), "peers dropped for silence or merged back: deaf");
    assertFalse(Deafness.aloneAndDeaf(3, 2, true), "hears a peer");
    assertFalse(Deafness.aloneAndDeaf(1, 1, true), "alone in the view too");
  }

  @Test
  void aNodeWhoseTickIsOverdueRefusesBeforeItsTickRuns() {
    // requests queued while a node was frozen run before its first tick after SIGCONT: they must see the fence
    assertTrue(Quorum.overdue(NOW - 15_000, NOW, 3_000), "frozen 15 s");
    assertFalse(Quorum.overdue(NOW - 1_000, NOW, 3_000), "ticking");
    assertFalse(Quorum.overdue(0, NOW, 3_000), "not started");
  }
}
