package io.socketpush.user;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** A user's online waits for every edge attaching it; a released, expired or cancelled hold is gone. */
class OnlineGateTest {
  final OnlineGate gate = new OnlineGate();

  @Test
  void theOnlineIsDueWhenTheLastAttachingEdgeIsReady() {
    gate.hold("u", "e1");
    assertTrue(gate.join("u", "e2"), "a second edge attaching meanwhile waits too");
    assertFalse(gate.release("u", "e1"), "e2 is still attaching");
    assertTrue(gate.held("u"));
    assertTrue(gate.release("u", "e2"), "the last edge ready: due now");
    assertFalse(gate.held("u"));
    assertFalse(gate.release("u", "e2"), "released once only");
  }

  @Test
  void anEdgeNotWaitedForReleasesNothing() {
    assertFalse(gate.join("u", "e1"), "no hold: the edge does not wait");
    gate.hold("u", "e1");
    assertFalse(gate.release("u", "e9"), "an edge the hold does not wait for");
    assertFalse(gate.release("v", "e1"), "another user");
    assertTrue(gate.held("u"));
  }

  @Test
  void theDeadlineReleasesWhateverEdgesStillWaitAndACancelGivesNoOnline() {
    gate.hold("u", "e1");
    gate.join("u", "e2");
    assertTrue(gate.expire("u"), "held: its online is due");
    assertFalse(gate.expire("u"), "once");
    assertFalse(gate.release("u", "e1"), "nothing left to release");
    gate.hold("w", "e1");
    gate.cancel("w");
    assertFalse(gate.held("w"));
    assertFalse(gate.expire("w"), "a cancelled hold has no online");
  }
}
