package io.socketpush.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.socketpush.cluster.Quorum.Kind;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Minority fencing decided by {@link Quorum} with the clock passed in. With a heartbeat of 1 s and a node
 * timeout of 5 s: fence after 2 s without a majority, serve again after 5 s of majority, start-up 7 s.
 */
class QuorumTest {
  static final Set<String> ABC = Set.of("a", "b", "c");

  /** Node a, started at 0, that heard b and c during its start (baseline a, b, c). */
  private static Quorum started() {
    Quorum q = new Quorum("a", 1_000, 5_000);
    q.start(0);
    assertEquals(Kind.NOTHING, q.evaluate(1_000, ABC, ABC, Set.of("b", "c")).kind());
    return q;
  }

  @Test
  void duringTheStartTheBaselineGrowsWithHeardServersOnlyAndNothingIsFenced() {
    Quorum q = new Quorum("a", 1_000, 5_000);
    q.start(0);
    // d is only a registry entry (never heard), e is a client-only member
    assertEquals(Kind.NOTHING, q.evaluate(1_000, Set.of("a", "b", "d", "e"), Set.of("a", "b", "d"), Set.of("b", "e")).kind());
    assertEquals(Set.of("a", "b"), q.baseline());
    assertEquals(Kind.NOTHING, q.evaluate(6_999, Set.of("a"), Set.of("a"), Set.of()).kind(), "no confirmation, still starting");
    assertFalse(q.fenced());
  }

  @Test
  void aNodeThatTwoOfThreeStopConfirmingIsFencedOnce() {
    Quorum q = started();
    q.confirmed("b", 6_000);
    q.confirmed("c", 5_500);
    assertEquals(Kind.NOTHING, q.evaluate(7_500, ABC, ABC, ABC).kind(), "both confirmed within 2 s");
    Quorum.Outcome o = q.evaluate(8_001, ABC, ABC, ABC);
    assertEquals(Kind.FENCED, o.kind());
    assertEquals("it sees 1 of the last-known 3 nodes [a, b, c], no majority", o.detail());
    assertTrue(q.fenced());
    assertEquals(o.detail(), q.reason());
    assertEquals(Kind.NOTHING, q.evaluate(8_500, ABC, ABC, ABC).kind(), "already fenced");
  }

  @Test
  void oneWayLossFencesAPeerThatIsHeardButNotConfirmed() {
    Quorum q = started();
    // b and c are in the rings (their heartbeats arrive) but their hears no longer list a
    q.confirmed("b", 7_000);
    assertEquals(Kind.NOTHING, q.evaluate(8_000, ABC, ABC, ABC).kind(), "b confirms: 2 of 3");
    assertEquals(Kind.FENCED, q.evaluate(9_001, ABC, ABC, ABC).kind());
  }

  @Test
  void aConfirmationFromANodeNoLongerInTheRingsDoesNotCount() {
    Quorum q = started();
    q.confirmed("b", 8_000);
    assertEquals(Kind.FENCED, q.evaluate(8_000, Set.of("a", "c"), Set.of("a", "c"), ABC).kind());
  }

  @Test
  void aFencedNodeServesAgainAfterAnUninterruptedMajorityForTheHoldDown() {
    Quorum q = started();
    assertEquals(Kind.FENCED, q.evaluate(8_000, ABC, ABC, ABC).kind());
    q.confirmed("b", 9_000);
    assertEquals(Kind.NOTHING, q.evaluate(9_000, ABC, ABC, ABC).kind(), "majority since 9 s");
    assertEquals(Kind.NOTHING, q.evaluate(11_500, ABC, ABC, ABC).kind(), "b silent for 2.5 s: the majority broke");
    q.confirmed("c", 12_000);
    assertEquals(Kind.NOTHING, q.evaluate(12_000, ABC, ABC, ABC).kind(), "majority again since 12 s");
    q.confirmed("c", 14_000);
    q.confirmed("c", 16_000);
    assertEquals(Kind.NOTHING, q.evaluate(16_999, ABC, ABC, ABC).kind());
    assertTrue(q.fenced());
    Quorum.Outcome o = q.evaluate(17_000, ABC, Set.of("a", "c"), ABC);
    assertEquals(Kind.SERVING_AGAIN, o.kind());
    assertEquals("a majority of [a, b, c] confirmed this node for 5000 ms", o.detail());
    assertFalse(q.fenced());
    assertEquals("", q.reason());
    assertEquals(Set.of("a", "c"), q.baseline(), "the baseline is the cluster it serves again with");
  }

  @Test
  void withAMajorityTheBaselineFollowsTheServers() {
    Quorum q = started();
    q.confirmed("b", 8_000);
    q.confirmed("c", 8_000);
    Set<String> abcd = Set.of("a", "b", "c", "d");
    Quorum.Outcome o = q.evaluate(8_000, abcd, abcd, abcd);
    assertEquals(Kind.BASELINE_MOVED, o.kind());
    assertEquals("[a, b, c, d]", o.detail());
    assertEquals(Kind.NOTHING, q.evaluate(8_100, abcd, abcd, abcd).kind());
    // 2 of 4 is no majority: d confirms nothing, c went quiet, b still confirms
    q.confirmed("b", 9_000);
    Quorum.Outcome o2 = q.evaluate(10_001, abcd, abcd, abcd);
    assertEquals(Kind.FENCED, o2.kind());
    assertEquals("it sees 2 of the last-known 4 nodes [a, b, c, d], no majority", o2.detail());
  }

  @Test
  void aGracefulLeaveShrinksTheBaselineUnlessFenced() {
    Quorum q = started();
    q.left("c");
    assertEquals(Set.of("a", "b"), q.baseline());
    q.confirmed("b", 8_000);
    assertEquals(Kind.NOTHING, q.evaluate(8_000, Set.of("a", "b"), Set.of("a", "b"), ABC).kind(), "2 of 2");
    assertEquals(Kind.FENCED, q.fence("test", 8_100).kind());
    q.left("b");
    assertEquals(Set.of("a", "b"), q.baseline(), "a fenced node keeps its baseline");
  }

  @Test
  void forgottenConfirmationsMustBeGivenAfresh() {
    Quorum q = started();
    q.confirmed("b", 8_000);
    q.confirmed("c", 8_000);
    q.forgetConfirmations();
    assertEquals(Kind.FENCED, q.evaluate(8_000, ABC, ABC, ABC).kind());
    q.confirmed("b", 8_500);
    q.forget("b");
    assertEquals(Kind.NOTHING, q.evaluate(8_500, ABC, ABC, ABC).kind());
    assertTrue(q.fenced());
  }

  @Test
  void aTickOverdueByAFencePeriodAndAHeartbeatMeansThisNodeStoodStill() {
    Quorum q = new Quorum("a", 1_000, 5_000);
    assertFalse(q.overdue(10_000, 13_000));
    assertTrue(q.overdue(10_000, 13_001));
    assertFalse(q.overdue(0, 13_001), "no tick yet");
  }

  @Test
  void aFencedNodeMayRejoinOnlyAfterAViewChange() {
    Quorum q = new Quorum("a", 1_000, 5_000);
    assertTrue(q.mayRejoin(0), "not fenced");
    q.fence("test", 10_000);
    assertFalse(q.mayRejoin(9_000));
    assertFalse(q.mayRejoin(10_000));
    assertTrue(q.mayRejoin(10_001));
  }

  @Test
  void theFencePeriodStaysBelowTheNodeTimeout() {
    // heartbeat 1 s, node timeout 2.5 s: fence after max(1 s, min(0.5 s, 2 s)) = 1 s
    Quorum q = new Quorum("a", 1_000, 2_500);
    q.start(0);
    q.evaluate(0, ABC, ABC, ABC);
    q.confirmed("b", 3_000);
    assertEquals(Kind.NOTHING, q.evaluate(4_000, ABC, ABC, ABC).kind());
    assertEquals(Kind.FENCED, q.evaluate(4_001, ABC, ABC, ABC).kind());
    assertEquals(2_500, q.holdDown());
  }
}
