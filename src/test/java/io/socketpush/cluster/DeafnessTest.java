package io.socketpush.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The stateful part of {@link Deafness} (the verdicts alone: MembershipDeafTest), node timeout 5 s. */
class DeafnessTest {
  static final long T = 5_000;

  @Test
  void aNodeAloneInTheViewAfterLosingItsPeersRejoinsAfterANodeTimeout() {
    Deafness d = new Deafness(T);
    assertFalse(d.aloneTooLong(100_000, 3, 1, false), "never lost a peer: its peers are still starting");
    d.peersDropped();
    assertFalse(d.aloneTooLong(100_000, 3, 1, false), "alone since now");
    assertFalse(d.aloneTooLong(105_000, 3, 1, false));
    assertFalse(d.aloneTooLong(105_001, 3, 1, true), "a rejoin is under way");
    assertTrue(d.aloneTooLong(105_001, 3, 1, false));
    assertEquals(5_001, d.aloneFor(105_001));
  }

  @Test
  void afterARejoinTheNextWaitsTwoNodeTimeouts() {
    Deafness d = new Deafness(T);
    d.merged(100_000);
    d.rejoining(100_000);
    assertFalse(d.aloneTooLong(100_000, 3, 1, false));
    assertFalse(d.aloneTooLong(110_000, 3, 1, false), "10 s since the last rejoin");
    assertTrue(d.aloneTooLong(110_001, 3, 1, false));
    d.restartAlone(110_001);
    assertEquals(0, d.aloneFor(110_001));
    assertFalse(d.aloneTooLong(115_001, 3, 1, false), "alone again for only 5 s");
  }

  @Test
  void hearingAPeerEndsTheLossAndTheAloneClock() {
    Deafness d = new Deafness(T);
    d.peersDropped();
    assertFalse(d.aloneTooLong(100_000, 3, 1, false));
    assertFalse(d.aloneTooLong(101_000, 3, 2, false), "hears a peer");
    assertFalse(d.aloneTooLong(200_000, 3, 1, false), "peers no longer count as lost");
    assertFalse(d.aloneTooLong(206_000, 3, 1, false), "alone again, but only early: not deaf");
    assertFalse(d.aloneTooLong(200_000, 0, 1, false), "no view to compare with");
  }

  @Test
  void aTickLateByMoreThanANodeTimeoutIsAPauseAndAWakeUp() {
    Deafness d = new Deafness(T);
    assertFalse(d.paused(0, 100_000), "no tick yet");
    assertFalse(d.paused(95_000, 100_000));
    assertFalse(d.deaf(1, 3, 0, 100_000), "no wake recorded");
    assertTrue(d.paused(94_999, 100_000));
    assertTrue(d.deaf(1, 3, 0, 100_000), "a peer silent right after the pause");
  }

  @Test
  void aPeerSilentSoonAfterAWakeOrMergeMeansDeafOncePerWake() {
    Deafness d = new Deafness(T);
    assertFalse(d.deaf(1, 3, 0, 100_000), "no wake");
    d.woke(100_000);
    assertTrue(d.deaf(1, 3, 0, 114_999));
    assertFalse(d.deaf(1, 3, 0, 115_000), "the wake is long past");
    d.forgetWake();
    assertFalse(d.deaf(1, 3, 0, 101_000), "one rejoin per wake");
    assertTrue(d.deaf(3, 3, 0, 101_000), "every peer silent at once");
    d.merged(200_000);
    assertTrue(d.deaf(1, 3, 0, 201_000));
    d.rejoining(201_000);
    assertFalse(d.deaf(0, 3, 0, 202_000), "nobody silent");
    assertFalse(d.deaf(1, 3, 0, 216_000), "the rejoin is long past and it forgot the wake");
  }

  @Test
  void aPeerOthersStillHearSilentRightAfterARejoinMeansAnotherRejoinThreeInARowAtMost() {
    Deafness d = new Deafness(T);
    d.merged(100_000);
    d.rejoining(100_500);
    assertFalse(d.deaf(1, 2, 0, 106_000), "silent to every peer: it froze, this node is not deaf");
    assertTrue(d.deaf(1, 2, 1, 106_000), "the other peer still hears it: it did not learn this node's registration");
    d.forgetWake();
    d.rejoining(106_000);
    assertTrue(d.deaf(1, 2, 1, 112_000), "the second rejoin did not reach it either");
    d.rejoining(112_000);
    assertFalse(d.deaf(1, 2, 1, 118_000), "three rejoins in a row: no more");
    assertTrue(d.deaf(2, 2, 0, 118_000), "every peer silent at once still means deaf");
    d.rejoining(200_000);
    assertTrue(d.deaf(1, 2, 1, 205_000), "a rejoin long after the last starts a new row");
    assertFalse(d.deaf(1, 2, 1, 215_000), "long after the rejoin: the old rules only");
  }
}
